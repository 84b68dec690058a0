import pytest
from django.urls import reverse

from comments import moderation
from comments.models import Comment, ModerationAction, Report
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def report(client, comment, reason="spam", note=""):
    return client.post(
        reverse("comments:report", args=[comment.pk]), {"reason": reason, "note": note}
    )


def test_report_button_shown_to_other_logged_in_readers_only(
    client, reader, other_reader, published_article
):
    comment = CommentFactory(article=published_article, author=reader)
    url = reverse("comments:report", args=[comment.pk])
    assert url not in client.get(published_article.get_absolute_url()).content.decode()
    client.force_login(reader)
    assert url not in client.get(published_article.get_absolute_url()).content.decode()
    client.force_login(other_reader)
    assert url in client.get(published_article.get_absolute_url()).content.decode()


def test_reader_reports_with_reason_and_note(client, other_reader, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(other_reader)
    page = client.get(reverse("comments:report", args=[comment.pk])).content.decode()
    assert "Harassment or abuse" in page and comment.body in page
    response = report(client, comment, "abuse", "Targets another reader")
    assert response.status_code == 302
    saved = Report.objects.get()
    assert (saved.reporter, saved.reason, saved.note) == (
        other_reader,
        "abuse",
        "Targets another reader",
    )
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_second_report_by_same_reader_changes_nothing_and_says_so(
    client, other_reader, published_article
):
    comment = CommentFactory(article=published_article)
    client.force_login(other_reader)
    report(client, comment, "spam")
    response = report(client, comment, "abuse")
    assert Report.objects.count() == 1 and Report.objects.get().reason == "spam"
    assert "already reported" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("reason", ["", "nonsense"])
def test_report_without_valid_reason_is_a_form_error(
    client, other_reader, published_article, reason
):
    comment = CommentFactory(article=published_article)
    client.force_login(other_reader)
    response = report(client, comment, reason)
    assert (
        response.status_code == 200
        and "errorlist" in response.content.decode()
        or "form-error" in response.content.decode()
    )
    assert not Report.objects.exists()


def test_cannot_report_own_comment(client, reader, published_article):
    comment = CommentFactory(article=published_article, author=reader)
    client.force_login(reader)
    assert report(client, comment).status_code == 403
    assert not Report.objects.exists()


def test_banned_reader_cannot_report(client, banned_reader, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(banned_reader)
    response = report(client, comment)
    assert response.status_code == 403 and "until" in response.content.decode()
    assert not Report.objects.exists()


def test_reports_are_rate_limited(client, other_reader, published_article, settings):
    settings.COMMENTS_RATE_LIMIT = 2
    comments = CommentFactory.create_batch(3, article=published_article)
    client.force_login(other_reader)
    assert report(client, comments[0]).status_code == 302
    assert report(client, comments[1]).status_code == 302
    assert report(client, comments[2]).status_code == 429
    assert Report.objects.count() == 2


def test_three_distinct_reporters_hold_the_comment(client, published_article, settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 3
    comment = CommentFactory(article=published_article, body="Nasty remark")
    reporters = UserFactory.create_batch(3)
    for n, reporter in enumerate(reporters):
        moderation.report_comment(reporter=reporter, comment=comment, reason="abuse")
        comment.refresh_from_db()
        assert comment.status == ("pending" if n == 2 else "visible")
    hold = ModerationAction.objects.get(kind="hold")
    assert hold.moderator is None and "reported by 3 readers" in hold.rule
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "Nasty remark" not in html and "Comments 0" in html


def test_approved_comment_is_not_held_again_by_later_reports(published_article):
    comment = CommentFactory(article=published_article)
    moderator = UserFactory(is_staff=True)
    for reporter in UserFactory.create_batch(3):
        moderation.report_comment(reporter=reporter, comment=comment, reason="spam")
    moderation.approve(comment=Comment.objects.get(pk=comment.pk), moderator=moderator)
    for reporter in UserFactory.create_batch(4):
        moderation.report_comment(reporter=reporter, comment=comment, reason="spam")
    comment.refresh_from_db()
    assert comment.status == "visible"
    assert Report.objects.filter(comment=comment).count() == 7
    assert Report.objects.open().filter(comment=comment).count() == 4


def test_an_approval_does_not_cover_text_edited_after_it(published_article):
    author = UserFactory()
    comment = CommentFactory(article=published_article, author=author)
    moderation.approve(comment=comment, moderator=UserFactory(is_staff=True))
    moderation.edit_comment(comment=Comment.objects.get(pk=comment.pk), body="Now it's abuse")
    for reporter in UserFactory.create_batch(3):
        moderation.report_comment(reporter=reporter, comment=comment, reason="abuse")
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_comments_closed_article_can_still_be_reported(client, other_reader):
    from tests.factories import ArticleFactory

    article = ArticleFactory(comments_enabled=False)
    comment = CommentFactory(article=article)
    client.force_login(other_reader)
    html = client.get(article.get_absolute_url()).content.decode()
    assert reverse("comments:report", args=[comment.pk]) in html
    assert reverse("comments:reply", args=[comment.pk]) not in html
    assert report(client, comment).status_code == 302


def test_banned_reader_sees_no_report_or_reply_links(client, banned_reader, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(banned_reader)
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert reverse("comments:report", args=[comment.pk]) not in html
    assert reverse("comments:reply", args=[comment.pk]) not in html


def test_dismissed_reports_no_longer_count_towards_a_hold(
    client, moderator, published_article, settings
):
    settings.COMMENTS_REPORTS_TO_HOLD = 3
    comment = CommentFactory(article=published_article, body="Contested")
    for reporter in UserFactory.create_batch(2):
        moderation.report_comment(reporter=reporter, comment=comment, reason="spam")
    client.force_login(moderator)
    client.post(
        reverse("admin:comments_comment_decide", args=[comment.pk]), {"decision": "dismiss"}
    )
    newcomers = UserFactory.create_batch(3)
    for n, reporter in enumerate(newcomers, start=1):
        moderation.report_comment(reporter=reporter, comment=comment, reason="spam")
        comment.refresh_from_db()
        assert comment.status == ("pending" if n == 3 else "visible"), n
    assert ModerationAction.objects.get(kind="hold").rule == "reported by 3 readers"


def test_dismissing_the_reports_that_held_a_comment_makes_it_visible_again(
    client, moderator, other_reader, published_article, settings
):
    settings.COMMENTS_REPORTS_TO_HOLD = 3
    comment = CommentFactory(article=published_article, body="Unpopular but fair")
    for reporter in UserFactory.create_batch(3):
        moderation.report_comment(reporter=reporter, comment=comment, reason="abuse")
    comment.refresh_from_db()
    assert comment.status == "pending"
    client.force_login(moderator)
    client.post(
        reverse("admin:comments_comment_decide", args=[comment.pk]), {"decision": "dismiss"}
    )
    comment.refresh_from_db()
    assert comment.status == "visible" and not Report.objects.open().exists()
    dismissal = ModerationAction.objects.get(kind="dismiss")
    assert (dismissal.moderator, dismissal.reason) == (moderator, "visible again")
    assert dismissal.first_report_at is not None
    client.force_login(other_reader)
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "Unpopular but fair" in html and "Comments 1" in html


def test_dismissing_reports_leaves_a_comment_held_by_a_rule_pending(
    client, moderator, reader, published_article, settings
):
    from comments.models import BlockedTerm

    settings.COMMENTS_REPORTS_TO_HOLD = 3
    comment = CommentFactory(article=published_article, author=reader, body="First version")
    moderation.report_comment(reporter=UserFactory(), comment=comment, reason="spam")
    BlockedTerm.objects.create(phrase="buy now", action="hold")
    comment = moderation.edit_comment(comment=comment, body="Buy now!")
    assert comment.status == "pending"
    moderation.dismiss_reports(comment=comment, moderator=moderator)
    comment.refresh_from_db()
    assert comment.status == "pending" and not Report.objects.open().exists()


def test_report_form_has_no_blank_reason(client, other_reader, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(other_reader)
    page = client.get(reverse("comments:report", args=[comment.pk])).content.decode()
    assert "---------" not in page
    assert page.count('type="radio"') == len(Report.Reason.choices)
    response = report(client, comment, "")
    assert "Choose why moderators should look at this comment." in response.content.decode()


def test_reports_on_a_held_comment_are_recorded_and_counted(
    client, moderator, published_article, settings
):
    settings.COMMENTS_REPORTS_TO_HOLD = 3
    comment = CommentFactory(article=published_article, body="Held after three")
    first, second, third, fourth, fifth = UserFactory.create_batch(5)
    for reader in (first, second, third):
        moderation.report_comment(reporter=reader, comment=comment, reason="abuse")
    comment.refresh_from_db()
    assert comment.is_pending
    # Readers four and five had the page open before the hold; the form no longer
    # shows the held text.
    for reader, reason in ((fourth, "abuse"), (fifth, "spam")):
        client.force_login(reader)
        form = client.get(reverse("comments:report", args=[comment.pk])).content.decode()
        assert "already waiting for a moderator" in form and "Held after three" not in form
        response = report(client, comment, reason, "Still there for me")
        assert response.status_code == 302
        assert "Thank you" in client.get(response["Location"]).content.decode()
    assert comment.reports.open().count() == 5
    later = ModerationAction.objects.filter(kind="report", comment=comment)
    assert sorted(later.values_list("reason", flat=True)) == ["abuse", "spam"]
    assert ModerationAction.objects.filter(kind="hold").count() == 1  # held once

    client.force_login(moderator)
    queue = client.get(reverse("admin:comments_comment_changelist"), {"queue": "reported"})
    assert "5 open" in queue.content.decode()
    audit = client.get(reverse("admin:comments_moderationaction_changelist")).content.decode()
    assert "Reported while held" in audit and "Spam" in audit


def test_hidden_and_deleted_comments_still_cannot_be_reported(
    client, other_reader, published_article
):
    hidden = CommentFactory(article=published_article, status="hidden")
    deleted = CommentFactory(article=published_article, status="deleted")
    client.force_login(other_reader)
    assert report(client, hidden).status_code == 404
    assert report(client, deleted).status_code == 404
    assert not Report.objects.exists()
