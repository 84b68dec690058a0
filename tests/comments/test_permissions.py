"""Every actor against every action, through the URLs a browser would use.

Each cell says whether the action takes effect; when it does not, the
response must be a refusal (403, 405 or a redirect to a login page) and
nothing may change.
"""

import pytest
from django.urls import reverse

from articles.models import Article
from comments import moderation
from comments.models import Comment, ModerationAction, Report
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

# "viewer": staff who may look at the moderation queue but not moderate.
ACTORS = ["anonymous", "reader", "banned", "editor", "viewer", "moderator", "superuser"]
MODERATORS = {"moderator", "superuser"}

ALLOWED = {
    "comment": {"reader", "editor", "viewer", "moderator", "superuser"},
    "reply": {"reader", "editor", "viewer", "moderator", "superuser"},
    "edit": {"reader", "editor", "viewer", "moderator", "superuser"},  # their own comment
    "edit_others": set(),
    # their own comment
    "delete": {"reader", "banned", "editor", "viewer", "moderator", "superuser"},
    "delete_others": set(),
    "report": {"reader", "editor", "viewer", "moderator", "superuser"},
    "hide": MODERATORS,
    "restore": MODERATORS,
    "approve": MODERATORS,
    "dismiss": MODERATORS,
    "ban": MODERATORS,
    "bulk_approve": MODERATORS,
    "bulk_hide": MODERATORS,
    "bulk_restore": MODERATORS,
    "bulk_dismiss": MODERATORS,
    "bulk_ban": MODERATORS,
    "publish": {"editor", "superuser"},
}
# Admin changelist actions: a user without the permission is simply not offered them.
ADMIN_ACTIONS = {"publish", "bulk_approve", "bulk_hide", "bulk_restore", "bulk_dismiss", "bulk_ban"}


@pytest.fixture
def viewer(db):
    from django.contrib.auth.models import Permission

    user = UserFactory(username="viewer", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename="view_comment"))
    return user


@pytest.fixture
def actors(reader, banned_reader, editor, viewer, moderator, superuser):
    return {
        "anonymous": None,
        "reader": reader,
        "banned": banned_reader,
        "editor": editor,
        "viewer": viewer,
        "moderator": moderator,
        "superuser": superuser,
    }


def _decide(client, comment, decision):
    url = reverse("admin:comments_comment_decide", args=[comment.pk])
    return client.post(url, {"decision": decision, f"hide_reason_{comment.pk}": "spam"})


def _bulk(client, action, comment, **extra):
    url = reverse("admin:comments_comment_changelist")
    return client.post(url, {"action": action, "_selected_action": [comment.pk], **extra})


def _open_report(comment):
    Report.objects.create(comment=comment, reporter=UserFactory(), reason="spam")


def perform(action, client, actor, article, bystander):
    """Attempt `action`; return (response, took_effect)."""
    other = CommentFactory(article=article, author=bystander, body="bystander's")
    own = CommentFactory(article=article, author=actor or bystander, body="own")
    post_url = reverse("comments:post", args=[article.pk])
    before = Comment.objects.count()
    match action:
        case "comment":
            response = client.post(post_url, {"body": "new comment"})
            return response, Comment.objects.count() == before + 1
        case "reply":
            response = client.post(post_url, {"body": "new reply", "parent": other.pk})
            return response, Comment.objects.filter(parent=other).exists()
        case "edit" | "edit_others":
            target = own if action == "edit" else other
            response = client.post(reverse("comments:edit", args=[target.pk]), {"body": "changed"})
            target.refresh_from_db()
            return response, target.body == "changed"
        case "delete" | "delete_others":
            target = own if action == "delete" else other
            response = client.post(reverse("comments:delete", args=[target.pk]))
            target.refresh_from_db()
            return response, target.status == "deleted"
        case "report":
            response = client.post(reverse("comments:report", args=[other.pk]), {"reason": "spam"})
            return response, Report.objects.filter(comment=other).exists()
        case "hide":
            response = _decide(client, other, "hide")
            other.refresh_from_db()
            return response, other.status == "hidden"
        case "restore":
            Comment.objects.filter(pk=other.pk).update(status="hidden", hidden_reason="spam")
            response = _decide(client, other, "restore")
            other.refresh_from_db()
            return response, other.status == "visible"
        case "approve":
            Comment.objects.filter(pk=other.pk).update(status="pending")
            response = _decide(client, other, "approve")
            other.refresh_from_db()
            return response, other.status == "visible"
        case "dismiss" | "bulk_dismiss":
            _open_report(other)
            if action == "dismiss":
                response = _decide(client, other, "dismiss")
            else:
                response = _bulk(client, "dismiss_selected", other)
            return response, not Report.objects.open().filter(comment=other).exists()
        case "bulk_approve":
            Comment.objects.filter(pk=other.pk).update(status="pending")
            response = _bulk(client, "approve_selected", other)
            other.refresh_from_db()
            return response, other.status == "visible"
        case "bulk_hide":
            response = _bulk(client, "hide_selected", other, apply="1", reason="spam")
            other.refresh_from_db()
            return response, other.status == "hidden"
        case "bulk_restore":
            Comment.objects.filter(pk=other.pk).update(status="hidden", hidden_reason="spam")
            response = _bulk(client, "restore_selected", other)
            other.refresh_from_db()
            return response, other.status == "visible"
        case "bulk_ban":
            response = _bulk(client, "ban_authors", other, apply="1", duration="7", reason="abuse")
            return response, moderation.active_ban(bystander) is not None
        case "ban":
            url = reverse("admin:comments_commenter_ban", args=[bystander.pk])
            response = client.post(url, {"duration": "7", "reason": "abuse"})
            return response, moderation.active_ban(bystander) is not None
        case "publish":
            draft = ArticleFactory(draft=True)
            response = client.post(
                reverse("admin:articles_article_changelist"),
                {"action": "publish_selected", "_selected_action": [draft.pk]},
            )
            return response, Article.objects.public().filter(pk=draft.pk).exists()
    raise AssertionError(action)


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("actor_name", ACTORS)
def test_permission_matrix(client, actors, published_article, action, actor_name):
    actor = actors[actor_name]
    bystander = UserFactory(username="bystander")
    if actor is not None:
        client.force_login(actor)
    decisions_before = ModerationAction.objects.filter(moderator__isnull=False).count()
    response, took_effect = perform(action, client, actor, published_article, bystander)
    expected = actor_name in ALLOWED[action]
    assert took_effect == expected, (actor_name, action, response.status_code)
    if not expected:
        refused = response.status_code in (403, 405) or (
            response.status_code == 302 and "login" in response["Location"]
        )
        # Admin actions a user lacks permission for are simply not offered.
        offered_nothing = action in ADMIN_ACTIONS and response.status_code in (200, 302)
        assert refused or offered_nothing, (actor_name, action, response.status_code)
        manual = ModerationAction.objects.filter(moderator__isnull=False).count()
        assert manual == decisions_before


def test_moderator_cannot_edit_articles_in_admin(client, moderator, published_article):
    client.force_login(moderator)
    url = reverse("admin:articles_article_change", args=[published_article.pk])
    response = client.post(url, {"title": "Defaced"})
    assert response.status_code == 403
    assert client.get(reverse("admin:articles_article_add")).status_code == 403
    published_article.refresh_from_db()
    assert published_article.title != "Defaced"


def test_editor_cannot_open_the_moderation_queue(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:comments_comment_changelist")).status_code == 403
    assert client.get(reverse("admin:comments_dashboard")).status_code == 403


def test_moderators_group_cannot_change_articles():
    from django.contrib.auth.models import Group

    codenames = set(
        Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)
    )
    assert "moderate_comment" in codenames and "ban_commenter" in codenames
    assert not codenames & {"add_article", "change_article", "delete_article"}
