"""Moderators' decisions on comments: approve, hide, restore, dismiss."""

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from comments import moderation
from comments.models import Comment, ModerationAction, Report
from tests.comments.moderating import QUEUE, decide, reported
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_approve_makes_visible_and_resolves_reports(client, moderator, published_article):
    comment = reported(CommentFactory(article=published_article, body="Contested"))
    assert comment.status == "pending"
    client.force_login(moderator)
    response = decide(client, comment, "approve", next=f"{QUEUE}?queue=reported")
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?queue=reported"
    comment.refresh_from_db()
    assert comment.status == "visible" and comment.approved_at
    assert not Report.objects.open().exists()
    action = ModerationAction.objects.get(kind="approve")
    assert action.moderator == moderator and action.first_report_at is not None
    assert "Comments 1" in client.get(published_article.get_absolute_url()).content.decode()


def test_hide_with_reason_shows_placeholder_and_reason_to_author(
    client, moderator, reader, published_article
):
    comment = CommentFactory(article=published_article, author=reader, body="Personal address here")
    CommentFactory(parent=comment, body="A reply")
    client.force_login(moderator)
    decide(
        client,
        comment,
        "hide",
        **{
            f"hide_reason_{comment.pk}": "personal_information",
            f"hide_note_{comment.pk}": "doxxing",
        },
    )
    comment.refresh_from_db()
    assert (comment.status, comment.hidden_reason, comment.hidden_note) == (
        "hidden",
        "personal_information",
        "doxxing",
    )
    client.logout()
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "This comment was removed by a moderator." in html and "Personal address" not in html
    assert "Comments 1" in html
    client.force_login(reader)
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert (
        "Personal address here" in html and "Removed by a moderator: Personal information" in html
    )
    assert "doxxing" not in html


def test_hide_without_valid_reason_changes_nothing(client, moderator, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(moderator)
    decide(client, comment, "hide", **{f"hide_reason_{comment.pk}": "because"})
    comment.refresh_from_db()
    assert comment.status == "visible" and not ModerationAction.objects.exists()


def test_restore_hidden_comment(client, moderator, published_article):
    comment = CommentFactory(article=published_article)
    moderation.hide(comment=comment, moderator=moderator, reason="spam")
    client.force_login(moderator)
    decide(client, comment, "restore")
    comment.refresh_from_db()
    assert comment.status == "visible" and comment.hidden_reason == ""
    assert "Comments 1" in client.get(published_article.get_absolute_url()).content.decode()


def test_restore_of_visible_comment_is_refused_with_message(client, moderator, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(moderator)
    response = decide(client, comment, "restore")
    assert response.status_code == 302
    assert not ModerationAction.objects.exists()


def test_dismiss_reports_keeps_comment(client, moderator, published_article, settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 5
    comment = reported(CommentFactory(article=published_article), 2)
    client.force_login(moderator)
    decide(client, comment, "dismiss")
    comment.refresh_from_db()
    assert comment.status == "visible" and not Report.objects.open().exists()
    assert ModerationAction.objects.get().kind == "dismiss"


def test_unknown_decision_and_get_are_refused(client, moderator, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(moderator)
    decide(client, comment, "obliterate")
    assert (
        client.get(reverse("admin:comments_comment_decide", args=[comment.pk])).status_code == 405
    )
    comment.refresh_from_db()
    assert comment.status == "visible" and not ModerationAction.objects.exists()


def test_bulk_hide_asks_for_reason_then_hides_all(client, moderator, published_article):
    comments = CommentFactory.create_batch(3, article=published_article)
    ids = [c.pk for c in comments]
    client.force_login(moderator)
    page = client.post(QUEUE, {"action": "hide_selected", "_selected_action": ids})
    assert page.status_code == 200 and "reason" in page.content.decode()
    client.post(
        QUEUE, {"action": "hide_selected", "_selected_action": ids, "apply": "1", "reason": "spam"}
    )
    assert set(Comment.objects.values_list("status", flat=True)) == {"hidden"}
    assert ModerationAction.objects.filter(kind="hide").count() == 3
    assert "Comments 0" in client.get(published_article.get_absolute_url()).content.decode()


def test_bulk_approve(client, moderator, published_article):
    comments = CommentFactory.create_batch(2, article=published_article, status="pending")
    client.force_login(moderator)
    client.post(QUEUE, {"action": "approve_selected", "_selected_action": [c.pk for c in comments]})
    assert set(Comment.objects.values_list("status", flat=True)) == {"visible"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_decisions_leave_consistent_state_and_both_recorded(published_article):
    comment = CommentFactory(article=published_article)
    first, second = (
        UserFactory(username="m1", is_staff=True),
        UserFactory(username="m2", is_staff=True),
    )
    barrier = threading.Barrier(2)
    errors = []

    def run(decision, moderator, **kwargs):
        try:
            barrier.wait()
            decision(comment=Comment.objects.get(pk=comment.pk), moderator=moderator, **kwargs)
        except Exception as error:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(moderation.hide, first), kwargs={"reason": "spam"}),
        threading.Thread(target=run, args=(moderation.approve, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    comment.refresh_from_db()
    kinds = list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True))
    assert sorted(kinds) == ["approve", "hide"]
    # The final state is the later decision's, and the count agrees with it.
    assert comment.status == ("visible" if kinds[-1] == "approve" else "hidden")
    published_article.refresh_from_db()
    assert published_article.comment_count == (1 if comment.status == "visible" else 0)


def test_deleted_comment_cannot_be_approved_hidden_or_restored(
    client, moderator, reader, published_article
):
    comment = CommentFactory(article=published_article, author=reader, body="Regretted")
    reported(comment, 1)
    client.force_login(reader)
    client.post(reverse("comments:delete", args=[comment.pk]))
    client.force_login(moderator)
    row = client.get(QUEUE).content.decode()
    decide_url = reverse("admin:comments_comment_decide", args=[comment.pk])
    assert f'formaction="{decide_url}" name="decision" value="approve"' not in row
    assert f'formaction="{decide_url}" name="decision" value="hide"' not in row
    for decision in ("approve", "hide", "restore"):
        response = decide(client, comment, decision, **{f"hide_reason_{comment.pk}": "spam"})
        assert response.status_code == 302
        listed = client.get(response["Location"])
        errors = [m for m in listed.context["messages"] if m.level_tag == "error"]
        assert errors, decision
    comment.refresh_from_db()
    assert comment.status == "deleted" and comment.approved_at is None
    assert not ModerationAction.objects.filter(moderator=moderator).exists()
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "Regretted" not in html and "Comments 0" in html


def test_bulk_approve_skips_deleted_comments_and_says_so(client, moderator, published_article):
    pending = CommentFactory(article=published_article, status="pending")
    deleted = CommentFactory(article=published_article, status="deleted")
    client.force_login(moderator)
    response = client.post(
        QUEUE,
        {"action": "approve_selected", "_selected_action": [pending.pk, deleted.pk]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert "Approved 1 comment(s)." in shown
    assert any("Skipped 1" in m and "deleted by its author" in m for m in shown)
    deleted.refresh_from_db()
    assert deleted.status == "deleted" and deleted.approved_at is None
    assert ModerationAction.objects.filter(kind="approve").count() == 1


def test_one_click_hide_without_a_chosen_reason_is_refused_with_a_message(
    client, moderator, published_article
):
    comment = CommentFactory(article=published_article, body="Borderline")
    client.force_login(moderator)
    html = client.get(QUEUE).content.decode()
    select = re.search(rf'<select name="hide_reason_{comment.pk}"[^>]*>\s*<option([^>]*)>', html)
    assert select and 'value=""' in select.group(1)
    response = decide(client, comment, "hide", **{f"hide_reason_{comment.pk}": ""}, follow=True)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors == ["Choose a reason to hide a comment."]
    comment.refresh_from_db()
    assert comment.status == "visible" and not ModerationAction.objects.exists()


def test_bulk_hide_has_no_preselected_reason(client, moderator, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(moderator)
    data = {"action": "hide_selected", "_selected_action": [comment.pk]}
    page = client.post(QUEUE, data).content.decode()
    assert re.search(r'<select name="reason"[^>]*>\s*<option value="" selected>Reason…', page)
    response = client.post(QUEUE, {**data, "apply": "1", "reason": ""})
    assert "Choose a reason to hide a comment." in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "visible" and not ModerationAction.objects.exists()


def test_approve_refuses_text_edited_after_the_moderator_read_it(
    client, moderator, reader, published_article
):
    comment = CommentFactory(article=published_article, author=reader, status="pending", body="A")
    client.force_login(moderator)
    html = client.get(QUEUE, {"queue": "pending"}).content.decode()
    seen = re.search(rf'name="seen_text_{comment.pk}" value="([^"]*)"', html).group(1)
    moderation.edit_comment(comment=Comment.objects.get(pk=comment.pk), body="B, unseen")
    response = decide(client, comment, "approve", **{f"seen_text_{comment.pk}": seen})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "pending"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("edited by its author after you loaded the page" in m for m in messages)
    # Read again, it can be approved.
    html = client.get(QUEUE, {"queue": "pending"}).content.decode()
    seen = re.search(rf'name="seen_text_{comment.pk}" value="([^"]*)"', html).group(1)
    decide(client, comment, "approve", **{f"seen_text_{comment.pk}": seen})
    comment.refresh_from_db()
    assert comment.status == "visible"


def test_an_edit_cannot_overwrite_a_comment_hidden_meanwhile(reader, moderator, published_article):
    comment = CommentFactory(article=published_article, author=reader, body="Original")
    stale = Comment.objects.get(pk=comment.pk)
    moderation.hide(comment=comment, moderator=moderator, reason="abuse")
    with pytest.raises(moderation.CommentRefused):
        moderation.edit_comment(comment=stale, body="Sneaky rewrite")
    comment.refresh_from_db()
    assert comment.body == "Original" and comment.status == "hidden"
