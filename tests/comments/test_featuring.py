"""Editors and moderators feature comments above the thread."""

import pytest
from django.urls import reverse

from comments import moderation
from comments.models import Comment, ModerationAction
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(published_article, reader):
    return CommentFactory(
        article=published_article, author=reader, body="A remarkably insightful point"
    )


def feature_url(comment):
    return reverse("comments:feature", args=[comment.pk])


def featured_block(html):
    if 'class="featured-comments"' not in html:
        return ""
    return html.split('class="featured-comments"')[1].split("</aside>")[0]


@pytest.mark.parametrize("who", ["editor", "moderator"])
def test_staff_feature_from_the_article_page(client, comment, who, request):
    staff = request.getfixturevalue(who)
    client.force_login(staff)
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert f'formaction="{feature_url(comment)}"' in page  # the staff-only button
    response = client.post(feature_url(comment), {"featured": "on"})
    assert response.status_code == 302
    client.logout()
    html = client.get(comment.article.get_absolute_url()).content.decode()
    block = featured_block(html)
    assert "A remarkably insightful point" in block
    assert reverse("comments:permalink", args=[comment.pk]) in block
    assert reader_name(comment) in block
    assert '<span class="badge badge--featured">Featured</span>' in html
    action = ModerationAction.objects.get(kind="feature")
    assert action.moderator == staff and action.comment == comment


def reader_name(comment):
    return comment.author.display_name


def test_readers_cannot_feature(client, comment, other_reader):
    client.force_login(other_reader)
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert "comments:feature" not in page and feature_url(comment) not in page
    assert client.post(feature_url(comment), {"featured": "on"}).status_code == 403
    assert Comment.objects.get(pk=comment.pk).featured_at is None


def test_anonymous_readers_cannot_feature(client, comment):
    response = client.post(feature_url(comment), {"featured": "on"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert Comment.objects.get(pk=comment.pk).featured_at is None


def test_unfeaturing_removes_it(client, comment, editor):
    moderation.feature(comment=comment, moderator=editor)
    client.force_login(editor)
    client.post(feature_url(comment), {"featured": "off"})
    client.logout()
    html = client.get(comment.article.get_absolute_url()).content.decode()
    assert featured_block(html) == ""
    assert "badge--featured" not in html
    assert ModerationAction.objects.filter(kind="unfeature", moderator=editor).exists()


def test_hiding_removes_it(client, comment, editor, moderator):
    moderation.feature(comment=comment, moderator=editor)
    assert "insightful" in featured_block(
        client.get(comment.article.get_absolute_url()).content.decode()
    )
    moderation.hide(comment=comment, moderator=moderator, reason="other")
    html = client.get(comment.article.get_absolute_url()).content.decode()
    assert featured_block(html) == "" and "insightful" not in html


def test_only_visible_comments_can_be_featured(client, comment, moderator):
    moderation.hide(comment=comment, moderator=moderator, reason="spam")
    with pytest.raises(ValueError, match="visible"):
        moderation.feature(comment=comment, moderator=moderator)
    client.force_login(moderator)
    response = client.post(feature_url(comment), {"featured": "on"}, follow=True)
    assert "Only a visible comment can be featured." in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).featured_at is None


def test_featuring_twice_is_recorded_once(comment, editor):
    moderation.feature(comment=comment, moderator=editor)
    moderation.feature(comment=comment, moderator=editor)
    assert ModerationAction.objects.filter(kind="feature").count() == 1


def test_admin_action_features_selected_comments(client, comment, moderator):
    client.force_login(moderator)
    response = client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "feature_selected", "_selected_action": [comment.pk]},
        follow=True,
    )
    assert "Featured 1 comment(s)." in response.content.decode()
    assert Comment.objects.featured().get() == comment


def test_featured_block_costs_no_query_of_its_own(
    client, comment, editor, django_assert_max_num_queries
):
    moderation.feature(comment=comment, moderator=editor)
    with django_assert_max_num_queries(8):  # the anonymous page's budget, unchanged
        html = client.get(comment.article.get_absolute_url()).content.decode()
    assert "insightful" in featured_block(html)


def test_stopping_featuring_in_bulk_counts_only_featured_comments(
    client, comment, moderator, published_article
):
    plain = CommentFactory(article=published_article, body="Never featured")
    moderation.feature(comment=comment, moderator=moderator)
    client.force_login(moderator)
    response = client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "unfeature_selected", "_selected_action": [comment.pk, plain.pk]},
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    assert said == [
        "Stopped featuring 1 comment(s).",
        "Skipped 1 comment(s): This comment is not featured.",
    ]
    assert ModerationAction.objects.filter(kind="unfeature").count() == 1


def test_unfeaturing_twice_from_the_page_says_it_is_not_featured(client, comment, editor):
    client.force_login(editor)
    response = client.post(feature_url(comment), {"featured": "off"}, follow=True)
    assert "This comment is not featured." in response.content.decode()
    assert not ModerationAction.objects.filter(kind="unfeature").exists()
