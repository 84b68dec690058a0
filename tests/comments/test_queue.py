"""The moderation queue and dashboard: what moderators see and where links lead."""

import pytest
from django.urls import reverse

from comments import moderation
from tests.comments.moderating import QUEUE, reported
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


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
