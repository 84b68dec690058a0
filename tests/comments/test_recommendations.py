"""Readers recommend comments: one per reader, never their own, not when banned."""

import pytest
from django.urls import reverse

from comments import moderation
from comments.models import Comment, Recommendation
from comments.moderation import CommentRefused
from newsroom import ratelimit
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(published_article, other_reader):
    return CommentFactory(article=published_article, author=other_reader, body="Worth reading")


def recommend_url(comment):
    return reverse("comments:recommend", args=[comment.pk])


def count(comment):
    return Comment.objects.get(pk=comment.pk).recommendation_count


def test_one_recommendation_per_reader_and_pressing_again_takes_it_back(client, reader, comment):
    client.force_login(reader)
    client.post(recommend_url(comment), {"recommend": "on"})
    client.post(recommend_url(comment), {"recommend": "on"})  # a resent form
    assert count(comment) == 1
    assert Recommendation.objects.filter(comment=comment, reader=reader).count() == 1
    client.post(recommend_url(comment), {"recommend": "off"})
    assert count(comment) == 0
    assert not Recommendation.objects.exists()


def test_without_javascript_it_comes_back_to_the_comment(client, reader, comment):
    client.force_login(reader)
    response = client.post(recommend_url(comment), {"recommend": "on"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = client.get(response["Location"]).content.decode()
    button = f'value="off" class="recommend" aria-pressed="true" data-recommend="{comment.pk}"'
    assert button in page
    assert '<span class="recommend__count">1</span>' in page


def test_with_javascript_it_answers_the_new_state(client, reader, comment):
    client.force_login(reader)
    response = client.post(
        recommend_url(comment), {"recommend": "on"}, headers={"accept": "application/json"}
    )
    assert response.json() == {"pressed": True, "count": 1}


def test_counts_from_many_readers_are_exact(client, comment):
    for reader in UserFactory.create_batch(4):
        moderation.recommend(reader=reader, comment=comment)
    assert count(comment) == 4


def test_not_ones_own_comment(client, other_reader, comment):
    client.force_login(other_reader)
    response = client.post(recommend_url(comment), {"recommend": "on"})
    assert response.status_code == 403
    assert count(comment) == 0
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert f'data-recommend="{comment.pk}"' not in page  # no button on one's own comment


def test_banned_readers_cannot_recommend(client, banned_reader, comment):
    client.force_login(banned_reader)
    assert client.post(recommend_url(comment), {"recommend": "on"}).status_code == 403
    assert count(comment) == 0
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert f'data-recommend="{comment.pk}"' not in page


def test_anonymous_readers_are_sent_to_log_in(client, comment):
    response = client.post(recommend_url(comment), {"recommend": "on"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert count(comment) == 0


def test_only_post(client, reader, comment):
    client.force_login(reader)
    assert client.get(recommend_url(comment)).status_code == 405
    assert count(comment) == 0


@pytest.mark.parametrize("status", ["hidden", "pending", "deleted"])
def test_comments_readers_cannot_see_cannot_be_recommended(client, reader, comment, status):
    Comment.objects.filter(pk=comment.pk).update(status=status)
    client.force_login(reader)
    assert client.post(recommend_url(comment), {"recommend": "on"}).status_code == 404
    with pytest.raises(CommentRefused):
        moderation.recommend(reader=reader, comment=comment)
    assert not Recommendation.objects.exists()


def test_counts_are_exact_after_hide_and_restore(client, comment, moderator):
    readers = UserFactory.create_batch(3)
    for reader in readers:
        moderation.recommend(reader=reader, comment=comment)
    moderation.hide(comment=comment, moderator=moderator, reason="off_topic")
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert "recommend" not in page.split(f'id="comment-{comment.pk}"')[-1].split("</article>")[0]
    moderation.restore(comment=comment, moderator=moderator)
    moderation.recommend(reader=readers[0], comment=comment, on=False)
    assert count(comment) == 2
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert '<span class="recommend-count">2 recommendations</span>' in page


def test_recommending_is_rate_limited_like_other_writes(
    client, reader, settings, published_article
):
    settings.COMMENTS_RATE_LIMIT = 2
    comments = CommentFactory.create_batch(3, article=published_article)
    client.force_login(reader)
    for comment in comments[:2]:
        assert client.post(recommend_url(comment), {"recommend": "on"}).status_code == 302
    response = client.post(recommend_url(comments[2]), {"recommend": "on"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert count(comments[2]) == 0
    with pytest.raises(ratelimit.RateLimited):
        moderation.recommend(reader=reader, comment=comments[2])


def test_most_recommended_sort(client, published_article):
    CommentFactory(article=published_article, body="Quiet one")
    popular = CommentFactory(article=published_article, body="Popular one")
    for reader in UserFactory.create_batch(2):
        moderation.recommend(reader=reader, comment=popular)
    page = client.get(published_article.get_absolute_url(), {"sort": "recommended"})
    html = page.content.decode()
    assert html.index("Popular one") < html.index("Quiet one")
    assert 'href="?sort=recommended#comments" aria-current="true"' in html
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert html.index("Quiet one") < html.index("Popular one")  # oldest first, as before


def test_a_recommendation_rebuilds_only_that_comments_fragment(
    client, published_article, reader, django_assert_max_num_queries
):
    comments = CommentFactory.create_batch(5, article=published_article)
    url = published_article.get_absolute_url()
    client.get(url)
    moderation.recommend(reader=reader, comment=comments[2])
    # thread roots (with the count and the Featured block), the one changed thread's
    # comments, readers with held comments: the other threads come from the cache.
    with django_assert_max_num_queries(3):
        html = client.get(url).content.decode()
    assert '<span class="recommend-count">1 recommendation</span>' in html


def test_pressed_state_costs_no_query_once_cached(
    client, published_article, reader, django_assert_max_num_queries
):
    comments = CommentFactory.create_batch(3, article=published_article)
    moderation.recommend(reader=reader, comment=comments[1])
    client.force_login(reader)
    client.get(published_article.get_absolute_url())
    with django_assert_max_num_queries(1):  # the user
        html = client.get(published_article.get_absolute_url()).content.decode()
    assert html.count('aria-pressed="true"') == 1
    assert f'aria-pressed="true" data-recommend="{comments[1].pk}"' in html


def test_a_first_visit_with_recommendations_keeps_the_logged_in_budget(
    client, published_article, reader, django_assert_max_num_queries
):
    comments = CommentFactory.create_batch(3, article=published_article)
    for comment in comments[:2]:
        moderation.recommend(reader=reader, comment=comment)
    client.force_login(reader)
    # The page's budget (tests/comments/test_performance.py), with the reader's visit
    # stored and their recommendations on the page read.
    with django_assert_max_num_queries(11):
        html = client.get(published_article.get_absolute_url()).content.decode()
    assert html.count('aria-pressed="true"') == 2
