"""The moderation desk: decisions by script, soft claims, what each row offers, the
filters and sort arrows, and the audit log in words."""

from datetime import timedelta

import pytest
from django.urls import reverse

from comments import moderation
from comments.models import ModerationAction, ReviewClaim
from tests.comments.moderating import QUEUE, decide, reported
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def decide_by_script(client, comment, decision, **extra):
    url = reverse("admin:comments_comment_decide", args=[comment.pk])
    return client.post(url, {"decision": decision, **extra}, **JSON)


def test_a_shortcut_posts_what_the_button_posts_and_gets_json(client, moderator, published_article):
    comment = reported(CommentFactory(article=published_article, body="Off the point"), 1)
    client.force_login(moderator)
    answer = decide_by_script(client, comment, "hide", **{f"hide_reason_{comment.pk}": "off_topic"})
    assert answer.status_code == 200
    assert answer.json() == {
        "ok": True,
        "message": "Hidden as off-topic.",
        "status": "Hidden by a moderator",
        "state": "hidden",
        "decisions": ["approve", "restore"],
    }
    comment.refresh_from_db()
    assert comment.is_hidden and not comment.reports.open().exists()
    action = ModerationAction.objects.get(kind="hide")
    assert (action.moderator, action.reason) == (moderator, "off_topic")


def test_a_refused_shortcut_answers_400_with_the_reason(client, moderator, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(moderator)
    answer = decide_by_script(client, comment, "hide")
    assert answer.status_code == 400
    assert answer.json() == {"ok": False, "message": "Choose a reason to hide a comment."}
    answer = decide_by_script(client, comment, "restore")
    assert answer.json()["message"] == "Only hidden comments can be restored."
    assert not ModerationAction.objects.exists()


def test_shortcuts_need_the_moderate_permission(client, editor, reader, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(editor)
    assert decide_by_script(client, comment, "approve").status_code == 403
    url = reverse("admin:comments_comment_claim", args=[comment.pk])
    assert client.post(url).status_code == 403
    client.force_login(reader)
    assert decide_by_script(client, comment, "approve").status_code == 302  # to the login
    assert not ModerationAction.objects.exists() and not ReviewClaim.objects.exists()


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ("approve", "Approved Ana Lopez’s comment."),
        ("dismiss", "Dismissed the reports on Ana Lopez’s comment."),
    ],
)
def test_messages_read_as_a_person_would_write_them(
    client, moderator, published_article, decision, message
):
    ana = UserFactory(username="ana", first_name="Ana", last_name="Lopez")
    comment = reported(CommentFactory(article=published_article, author=ana), 1)
    client.force_login(moderator)
    page = decide(client, comment, decision, follow=True).content.decode()
    assert message in page and "recorded" not in page


def test_hide_without_a_reason_says_so_in_place(client, moderator, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(moderator)
    page = decide(client, comment, "hide", follow=True).content.decode()
    assert "Choose a reason to hide a comment." in page
    queue = client.get(QUEUE).content.decode()
    assert f'id="hide_error_{comment.pk}"' in queue  # where the script says it, beside the button


def test_another_moderators_claim_shows_and_expires(client, moderator, published_article):
    comment = CommentFactory(article=published_article)
    other = UserFactory(username="mo", first_name="Mo", last_name="Reyes", is_staff=True)
    other.groups.add(moderator.groups.get())
    client.force_login(other)
    assert (
        client.get(reverse("admin:comments_comment_change", args=[comment.pk])).status_code == 200
    )
    client.post(reverse("admin:comments_comment_claim", args=[comment.pk]))
    assert ReviewClaim.objects.get().moderator == other

    client.force_login(moderator)
    assert "Being reviewed by Mo Reyes" in client.get(QUEUE).content.decode()
    # Deciding anyway works, and is audited as usual.
    decide(client, comment, "hide", **{f"hide_reason_{comment.pk}": "spam"})
    assert ModerationAction.objects.get().moderator == moderator

    ReviewClaim.objects.update(claimed_at=ReviewClaim.objects.get().claimed_at - ReviewClaim.LASTS)
    assert "Being reviewed" not in client.get(QUEUE).content.decode()
    client.force_login(other)
    assert "Being reviewed" not in client.get(QUEUE).content.decode()  # never one's own


def test_claims_are_renewed_not_multiplied(client, moderator, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(moderator)
    url = reverse("admin:comments_comment_claim", args=[comment.pk])
    client.post(url)
    ReviewClaim.objects.update(claimed_at=ReviewClaim.objects.get().claimed_at - timedelta(hours=1))
    client.post(url)
    assert ReviewClaim.objects.current().count() == 1 == ReviewClaim.objects.count()
    assert client.post(reverse("admin:comments_comment_claim", args=[10**9])).status_code == 404


def test_a_banned_author_is_not_offered_a_ban_again(client, moderator, published_article):
    troll = UserFactory(username="troll")
    comment = CommentFactory(article=published_article, author=troll)
    ban_url = reverse("admin:comments_commenter_ban", args=[troll.pk])
    client.force_login(moderator)
    assert ban_url in client.get(QUEUE).content.decode()
    moderation.ban(user=troll, moderator=moderator, reason="Abuse", days=7)
    queue = client.get(QUEUE).content.decode()
    assert ban_url not in queue and "Author banned until" in queue
    change = client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert ban_url not in change.content.decode()
    reader_page = client.get(reverse("admin:comments_commenter_change", args=[troll.pk]))
    assert ban_url not in reader_page.content.decode()
    assert "Banned until" in reader_page.content.decode()


def test_article_filter_offers_only_articles_in_the_queue(
    client, moderator, published_article, editor
):
    quiet = ArticleFactory(title="Quiet piece", authors=[editor])
    ArticleFactory(title="Never commented", authors=[editor])
    reported(CommentFactory(article=published_article, body="reported"), 1)
    CommentFactory(article=quiet, body="fine")
    client.force_login(moderator)
    changelist = client.get(QUEUE, {"queue": "reported"}).context["cl"]
    offered = {
        choice["display"]
        for spec in changelist.filter_specs
        if getattr(spec, "parameter_name", "") == "article"
        for choice in spec.choices(changelist)
        if choice["display"] != "All"
    }
    assert offered == {f"{published_article.title} (1)"}
    response = client.get(QUEUE, {"article": quiet.pk})
    assert [c.body for c in response.context["cl"].result_list] == ["fine"]
    assert client.get(QUEUE, {"article": "x"}).status_code == 200


def test_sort_arrows_match_the_order(client, moderator, published_article):
    reported(CommentFactory(article=published_article), 1)
    client.force_login(moderator)

    def arrows(params):
        changelist = client.get(QUEUE, params).context["cl"]
        names = [getattr(c, "__name__", c) for c in changelist.list_display]
        return {
            names[index]: order for index, order in changelist.get_ordering_field_columns().items()
        }

    # The reported queue: most reports, then longest waiting (oldest report first).
    assert arrows({"queue": "reported"}) == {"report_summary": "desc", "waiting": "desc"}
    # Elsewhere newest first: the smallest age at the top, an ascending Age column.
    assert arrows({}) == {"age": "asc"}


def test_audit_log_speaks_in_labels_dates_and_names(client, moderator, published_article):
    moderator.first_name, moderator.last_name = "Maya", "Moderator"
    moderator.save()
    ana = UserFactory(username="ana", first_name="Ana", last_name="Lopez")
    comment = CommentFactory(article=published_article, author=ana)
    moderation.hide(comment=comment, moderator=moderator, reason="off_topic")
    client.force_login(moderator)
    page = client.get(reverse("admin:comments_moderationaction_changelist")).content.decode()
    assert "Off-topic" in page and "off_topic</td>" not in page
    assert "Maya Moderator" in page and "Ana Lopez" in page
    action = ModerationAction.objects.get()
    from django.utils import dateformat, timezone

    assert dateformat.format(timezone.localtime(action.created_at), "j F Y, H:i") in page
