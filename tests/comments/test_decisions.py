import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from comments import moderation
from comments.models import Comment, ModerationAction, Report
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_changelist")


def decide(client, comment, decision, follow=False, **extra):
    data = {"decision": decision, **extra}
    url = reverse("admin:comments_comment_decide", args=[comment.pk])
    return client.post(url, data, follow=follow)


def reported(comment, n=3, reason="abuse"):
    for reporter in UserFactory.create_batch(n):
        moderation.report_comment(reporter=reporter, comment=comment, reason=reason)
    comment.refresh_from_db()
    return comment


def test_reported_queue_lists_most_reported_first(client, moderator, published_article, settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 10
    once = reported(CommentFactory(article=published_article, body="once"), 1)
    thrice = reported(CommentFactory(article=published_article, body="thrice"), 3)
    CommentFactory(article=published_article, body="never")
    client.force_login(moderator)
    response = client.get(QUEUE, {"queue": "reported"})
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows == [thrice, once]
    html = response.content.decode()
    assert "3 open" in html and "Harassment or abuse ×3" in html
    assert "View in thread" in html and "reports against" in html


@pytest.mark.parametrize(("queue", "expected"), [("pending", "held"), ("hidden", "removed")])
def test_pending_and_hidden_queues(client, moderator, published_article, queue, expected):
    CommentFactory(article=published_article, body="held", status="pending")
    CommentFactory(article=published_article, body="removed", status="hidden")
    CommentFactory(article=published_article, body="fine")
    client.force_login(moderator)
    rows = client.get(QUEUE, {"queue": queue}).context["cl"].result_list
    assert [c.body for c in rows] == [expected]


def test_queue_search_by_text_and_author(client, moderator, published_article):
    author = UserFactory(username="troll99")
    CommentFactory(article=published_article, author=author, body="alpha")
    CommentFactory(article=published_article, body="beta gamma")
    client.force_login(moderator)
    assert [c.body for c in client.get(QUEUE, {"q": "troll99"}).context["cl"].result_list] == [
        "alpha"
    ]
    assert [c.body for c in client.get(QUEUE, {"q": "gamma"}).context["cl"].result_list] == [
        "beta gamma"
    ]


def test_queue_query_count_does_not_grow_with_rows(
    client, moderator, published_article, django_assert_max_num_queries
):
    for _ in range(30):
        reported(CommentFactory(article=published_article), 2)
    client.force_login(moderator)
    with django_assert_max_num_queries(14):
        client.get(QUEUE, {"queue": "reported"})


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


def test_ban_from_queue_with_hide_all(client, moderator, published_article):
    troll = UserFactory(username="troll")
    comments = CommentFactory.create_batch(3, article=published_article, author=troll)
    CommentFactory(article=published_article, body="bystander")
    client.force_login(moderator)
    url = reverse("admin:comments_commenter_ban", args=[troll.pk])
    assert "3 visible comments" in client.get(url).content.decode()
    response = client.post(
        url, {"duration": "0", "reason": "Repeated abuse", "hide_comments": "on"}
    )
    assert response.status_code == 302
    assert moderation.active_ban(troll).is_permanent
    assert Comment.objects.filter(author=troll, status="hidden").count() == len(comments)
    assert "Comments 1" in client.get(published_article.get_absolute_url()).content.decode()
    assert ModerationAction.objects.filter(kind="ban", subject=troll).count() == 1


def test_ban_form_requires_reason(client, moderator, reader):
    client.force_login(moderator)
    url = reverse("admin:comments_commenter_ban", args=[reader.pk])
    response = client.post(url, {"duration": "7", "reason": ""})
    assert response.status_code == 200 and moderation.active_ban(reader) is None


def test_moderator_adds_private_note_and_sees_reader_history(
    client, moderator, reader, published_article
):
    CommentFactory(article=published_article, author=reader)
    client.force_login(moderator)
    client.post(
        reverse("admin:comments_commenter_note", args=[reader.pk]), {"text": "Warned by email"}
    )
    page = client.get(reverse("admin:comments_commenter_change", args=[reader.pk])).content.decode()
    assert "Warned by email" in page and "1 visible" in page


def test_comment_admin_page_shows_thread_context_and_history(client, moderator, published_article):
    parent = CommentFactory(article=published_article, body="The parent")
    comment = CommentFactory(parent=parent, body="The comment")
    CommentFactory(parent=comment, body="A reply")
    reported(comment, 1)
    moderation.hide(comment=comment, moderator=moderator, reason="off_topic")
    client.force_login(moderator)
    html = client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    for text in ("The parent", "The comment", "A reply", "Off-topic", "Hidden", str(moderator)):
        assert text in html


def test_audit_log_is_read_only_even_for_superusers(
    client, superuser, moderator, published_article
):
    comment = CommentFactory(article=published_article)
    moderation.hide(comment=comment, moderator=moderator, reason="spam")
    action = ModerationAction.objects.get()
    client.force_login(superuser)
    changelist = reverse("admin:comments_moderationaction_changelist")
    assert client.get(changelist, {"kind": "hide"}).status_code == 200
    assert (
        client.post(
            reverse("admin:comments_moderationaction_delete", args=[action.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    client.post(
        reverse("admin:comments_moderationaction_change", args=[action.pk]), {"note": "rewritten"}
    )
    action.refresh_from_db()
    assert action.note == "" and ModerationAction.objects.count() == 1
    assert client.get(reverse("admin:comments_moderationaction_add")).status_code == 403


def test_dashboard_shows_queue_sizes_and_charts(client, moderator, published_article):
    comment = reported(CommentFactory(article=published_article))
    moderation.approve(comment=comment, moderator=moderator)
    CommentFactory(article=published_article, status="pending")
    client.force_login(moderator)
    response = client.get(reverse("admin:comments_dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "median report" in html
    assert response.context["queue"]["pending"] == 1
    assert response.context["total_decisions"] == 1
    assert response.context["median_minutes"] is not None


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


def test_queue_filters_by_author_and_shows_their_latest_private_note(
    client, moderator, published_article
):
    from comments.models import ReaderNote

    troll = UserFactory(username="troll")
    CommentFactory(article=published_article, author=troll, body="first")
    CommentFactory(article=published_article, body="someone else")
    ReaderNote.objects.create(user=troll, text="Warned twice by e-mail", written_by=moderator)
    client.force_login(moderator)
    response = client.get(QUEUE, {"author": troll.pk})
    assert [c.body for c in response.context["cl"].result_list] == ["first"]
    html = response.content.decode()
    assert "Warned twice by e-mail" in html and f'href="?author={troll.pk}"' in html
    assert client.get(QUEUE, {"author": "nonsense"}).status_code == 200


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


def test_moderator_follows_view_in_thread_to_a_comment_readers_dont_see(
    client, moderator, published_article
):
    held = CommentFactory(article=published_article, body="Held for review", status="pending")
    client.force_login(moderator)
    html = client.get(QUEUE, {"queue": "pending"}).content.decode()
    link = reverse("comments:permalink", args=[held.pk])
    assert f'href="{link}"' in html
    response = client.get(link, follow=True)
    assert response.redirect_chain == [
        (reverse("admin:comments_comment_change", args=[held.pk]), 302)
    ]
    page = response.content.decode()
    assert "Held for review" in page and "Readers don" in page and 'value="approve"' in page


def test_moderator_view_in_thread_of_a_placeholder_lands_on_the_article(
    client, moderator, published_article
):
    hidden = CommentFactory(article=published_article, status="hidden", hidden_reason="spam")
    CommentFactory(parent=hidden, body="Visible reply")
    client.force_login(moderator)
    response = client.get(reverse("comments:permalink", args=[hidden.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{published_article.get_absolute_url()}#comment-{hidden.pk}"


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


def test_deleting_an_article_keeps_its_audit_records_readable(
    client, superuser, moderator, reader, published_article
):
    comment = CommentFactory(article=published_article, author=reader, body="Spammy")
    CommentFactory(parent=comment, body="A reply")
    moderation.hide(comment=comment, moderator=moderator, reason="spam")
    # The admin refuses (comments can't be deleted there); the ORM cascades.
    published_article.delete()
    assert not Comment.objects.exists()
    client.force_login(superuser)
    action = ModerationAction.objects.get(kind="hide")
    assert action.comment is None
    assert (action.comment_number, action.subject, action.moderator) == (
        comment.pk,
        reader,
        moderator,
    )
    html = client.get(reverse("admin:comments_moderationaction_changelist")).content.decode()
    assert f"#{comment.pk} (deleted)" in html


def test_reader_with_comments_cannot_be_deleted_and_admin_explains(
    client, superuser, reader, other_reader, published_article
):
    mine = CommentFactory(article=published_article, author=reader, body="Mine")
    CommentFactory(parent=mine, author=other_reader, body="Their reply")
    client.force_login(superuser)
    url = reverse("admin:newsroom_user_delete", args=[reader.pk])
    page = client.get(url).content.decode()
    assert "can't be deleted" in page and "ban the reader" in page
    client.post(url, {"post": "yes"})
    assert Comment.objects.count() == 2
    assert type(reader).objects.filter(pk=reader.pk).exists()
    assert "Comments 2" in client.get(published_article.get_absolute_url()).content.decode()


def test_deleting_a_reader_without_comments_keeps_the_audit_record(
    client, superuser, reader, published_article
):
    from comments.models import BlockedTerm

    BlockedTerm.objects.create(phrase="scoundrel", action="refuse")
    client.force_login(reader)
    client.post(reverse("comments:post", args=[published_article.pk]), {"body": "scoundrel"})
    client.force_login(superuser)
    client.post(reverse("admin:newsroom_user_delete", args=[reader.pk]), {"post": "yes"})
    assert not type(reader).objects.filter(pk=reader.pk).exists()
    refusal = ModerationAction.objects.get()
    assert (refusal.kind, refusal.subject, refusal.subject_username) == ("refuse", None, "reader")
    html = client.get(reverse("admin:comments_moderationaction_changelist")).content.decode()
    assert "reader (account deleted)" in html


def test_a_comment_deleted_outside_the_workflows_still_updates_the_count(client, published_article):
    first, second = CommentFactory.create_batch(2, article=published_article)
    Comment.objects.filter(pk=first.pk).delete()
    assert "Comments 1" in client.get(published_article.get_absolute_url()).content.decode()
    second.delete()
    assert "Comments 0" in client.get(published_article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("target", ["self", "editor", "superuser"])
def test_moderator_cannot_ban_themselves_staff_or_superusers(
    client, moderator, editor, superuser, published_article, target
):
    user = {"self": moderator, "editor": editor, "superuser": superuser}[target]
    comment = CommentFactory(article=published_article, author=user)
    client.force_login(moderator)
    url = reverse("admin:comments_commenter_ban", args=[user.pk])
    response = client.post(url, {"duration": "7", "reason": "Abuse", "hide_comments": "on"})
    expected = "can&#x27;t ban yourself" if target == "self" else "can&#x27;t be banned"
    assert response.status_code == 200 and expected in response.content.decode()
    data = {"action": "ban_authors", "_selected_action": [comment.pk]}
    response = client.post(QUEUE, {**data, "apply": "1", "duration": "0", "reason": "Abuse"})
    shown = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any(m.startswith("Not banned:") for m in shown)
    assert not any(m.startswith("Banned") for m in shown)
    assert moderation.active_ban(user) is None and not user.bans.exists()
    comment.refresh_from_db()
    assert comment.status == "visible"
    assert not ModerationAction.objects.filter(kind="ban").exists()


def test_ban_author_link_only_for_users_with_the_ban_permission(
    client, moderator, published_article
):
    from django.contrib.auth.models import Permission

    comment = CommentFactory(article=published_article)
    ban_url = reverse("admin:comments_commenter_ban", args=[comment.author_id])
    change_url = reverse("admin:comments_comment_change", args=[comment.pk])
    client.force_login(moderator)
    assert ban_url in client.get(QUEUE).content.decode()
    assert ban_url in client.get(change_url).content.decode()
    no_ban = UserFactory(username="junior", is_staff=True)
    no_ban.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_comment", "moderate_comment"])
    )
    client.force_login(no_ban)
    queue = client.get(QUEUE)
    assert queue.status_code == 200 and 'value="hide"' in queue.content.decode()
    assert ban_url not in queue.content.decode()
    assert ban_url not in client.get(change_url).content.decode()


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
