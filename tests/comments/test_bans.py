"""Banning readers and keeping notes on them."""

import pytest
from django.urls import reverse

from comments import moderation
from comments.models import Comment, ModerationAction
from tests.comments.moderating import QUEUE
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


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


def test_readers_list_shows_each_standing_in_fixed_queries(
    client, moderator, django_assert_max_num_queries
):
    temporary, permanent, watched = UserFactory.create_batch(3)
    moderation.ban(user=temporary, moderator=moderator, reason="rude", days=7)
    moderation.ban(user=permanent, moderator=moderator, reason="spam", days=None)
    moderation.set_premoderation(user=watched, moderator=moderator, on=True)
    UserFactory.create_batch(10)
    client.force_login(moderator)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("admin:comments_commenter_changelist")).content.decode()
    assert html.count("Banned until") == 1 and html.count("Banned permanently") == 1
    assert "Pre-moderated" in html and "Good" in html
