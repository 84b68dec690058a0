import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from comments import threads
from comments.models import Comment
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def comment_ids(html):
    return [int(pk) for pk in re.findall(r'<article class="comment[^"]*" id="comment-(\d+)"', html)]


def test_replies_nest_under_their_parent(client, published_article):
    top = CommentFactory(article=published_article)
    reply = CommentFactory(parent=top)
    second = CommentFactory(article=published_article)
    page = threads.thread_page(published_article, AnonymousUser(), sort="oldest")
    assert [n.comment for n in page.nodes] == [top, second]
    assert [n.comment for n in page.nodes[0].children] == [reply]
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert comment_ids(html) == [top.pk, reply.pk, second.pk]
    assert html.index(f'id="comment-{reply.pk}"') > html.index('class="comment-replies"')


def test_reply_at_maximum_depth_joins_parents_level(settings, published_article):
    settings.COMMENTS_MAX_DEPTH = 3
    level0 = CommentFactory(article=published_article)
    level1 = CommentFactory(parent=level0)
    level2 = CommentFactory(parent=level1)
    deeper = CommentFactory(parent=level2)
    deepest = CommentFactory(parent=deeper)
    assert [c.depth for c in (level0, level1, level2, deeper, deepest)] == [0, 1, 2, 2, 2]
    assert deeper.parent == level2  # who it answers is kept
    node = threads.thread_page(published_article, AnonymousUser()).nodes[0]
    level1_node = node.children[0]
    assert [n.comment for n in level1_node.children] == [level2, deeper, deepest]
    assert level1_node.children[1].reply_to == level2
    assert level1_node.children[2].reply_to == deeper


def test_default_depth_is_five(published_article):
    comment = CommentFactory(article=published_article)
    for _ in range(7):
        comment = CommentFactory(parent=comment)
    assert comment.depth == 4


def test_top_level_threads_sort_oldest_or_newest_replies_stay_chronological(
    client, published_article
):
    first = CommentFactory(article=published_article)
    first_reply_a = CommentFactory(parent=first)
    second = CommentFactory(article=published_article)
    first_reply_b = CommentFactory(parent=first)
    url = published_article.get_absolute_url()
    oldest = comment_ids(client.get(url).content.decode())
    newest = comment_ids(client.get(url, {"sort": "newest"}).content.decode())
    assert oldest == [first.pk, first_reply_a.pk, first_reply_b.pk, second.pk]
    assert newest == [second.pk, first.pk, first_reply_a.pk, first_reply_b.pk]


def test_unknown_sort_and_page_values_fall_back_safely(client, published_article):
    CommentFactory(article=published_article)
    url = published_article.get_absolute_url()
    for params in (
        {"sort": "<script>"},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999999999"},
        {"page": str(2**63)},
        {"page": "9" * 5000},
        {"sort": "newest", "page": "1e9"},
    ):
        response = client.get(url, params)
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().split('id="comments"')[1]


def test_pages_past_the_end_show_the_last_page_without_a_cache_entry_each(
    client, settings, published_article
):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    tops = [CommentFactory(article=published_article) for _ in range(3)]
    url = published_article.get_absolute_url()
    last_page = comment_ids(client.get(url, {"page": 2}).content.decode())
    assert last_page == [tops[2].pk]
    cached_before = len(cache._cache)
    for number in range(3, 40):
        assert comment_ids(client.get(url, {"page": number}).content.decode()) == last_page
    assert len(cache._cache) == cached_before


def test_conversation_is_paginated_by_top_level_threads(client, settings, published_article):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    tops = [CommentFactory(article=published_article) for _ in range(5)]
    replies = [CommentFactory(parent=tops[0]) for _ in range(3)]
    url = published_article.get_absolute_url()
    page1 = comment_ids(client.get(url).content.decode())
    page3 = comment_ids(client.get(url, {"page": 3}).content.decode())
    assert page1 == [tops[0].pk, *[r.pk for r in replies], tops[1].pk]
    assert page3 == [tops[4].pk]
    html = client.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 3" in html


def test_permalink_lands_on_the_right_page(client, settings, published_article):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    tops = [CommentFactory(article=published_article) for _ in range(5)]
    reply = CommentFactory(parent=tops[4])
    response = client.get(reverse("comments:permalink", args=[reply.pk]))
    assert response.status_code == 302
    assert (
        response["Location"] == f"{published_article.get_absolute_url()}?page=3#comment-{reply.pk}"
    )
    first = client.get(reverse("comments:permalink", args=[tops[0].pk]))
    assert first["Location"] == f"{published_article.get_absolute_url()}#comment-{tops[0].pk}"
    followed = client.get(response["Location"])
    assert reply.pk in comment_ids(followed.content.decode())


@pytest.mark.parametrize("as_author", [False, True])
def test_every_permalink_lands_on_the_page_that_shows_it(
    client, settings, published_article, reader, as_author
):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    same_time = timezone.now() - timedelta(hours=1)
    roots = [
        CommentFactory(article=published_article, created_at=same_time),
        CommentFactory(article=published_article, created_at=same_time),  # a tie, by id
        CommentFactory(article=published_article, status="hidden"),  # a placeholder below
        CommentFactory(article=published_article, status="hidden"),  # nothing shown
        CommentFactory(article=published_article, author=reader, status="pending"),
        CommentFactory(article=published_article),
        CommentFactory(article=published_article),
    ]
    replies = [CommentFactory(parent=roots[2]), CommentFactory(parent=roots[6])]
    if as_author:
        client.force_login(reader)
    for comment in [*roots, *replies]:
        response = client.get(reverse("comments:permalink", args=[comment.pk]))
        if response.status_code == 404:
            assert comment.pk == roots[3].pk or (comment.pk == roots[4].pk and not as_author)
            continue
        page = client.get(response["Location"]).content.decode()
        assert f'id="comment-{comment.pk}"' in page, (comment.pk, response["Location"])


def test_permalink_to_hidden_comment_is_404(client, published_article):
    hidden = CommentFactory(article=published_article, status="hidden")
    assert client.get(reverse("comments:permalink", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("comments:permalink", args=[987654])).status_code == 404


def test_comment_shows_avatar_name_timestamp_and_permalink(client, settings, published_article):
    import datetime as dt

    settings.TIME_ZONE = "Europe/London"
    author = UserFactory(first_name="Ada", last_name="Byron")
    comment = CommentFactory(
        article=published_article, author=author,
        created_at=dt.datetime(2020, 7, 10, 8, 53, tzinfo=dt.UTC),
    )  # fmt: skip
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "Ada Byron" in html
    assert "10 July 2020, 09:53" in html
    assert f'href="{reverse("comments:permalink", args=[comment.pk])}"' in html
    assert 'class="avatar' in html
    assert "edited" not in html.split('id="comments"')[1]


def test_byline_author_and_staff_badges(client, published_article, editor):
    CommentFactory(article=published_article, author=editor, body="From the author")
    staff = UserFactory(username="deskstaff", is_staff=True)
    CommentFactory(article=published_article, author=staff, body="From staff")
    CommentFactory(article=published_article, body="From a reader")
    html = client.get(published_article.get_absolute_url()).content.decode()
    section = html.split('id="comments"')[1]
    assert section.count("badge--author") == 1
    assert section.count("badge--staff") == 1


def test_comment_count_counts_only_visible(client, published_article):
    top = CommentFactory(article=published_article)
    CommentFactory(parent=top)
    CommentFactory(article=published_article, status="pending")
    CommentFactory(article=published_article, status="hidden")
    CommentFactory(article=published_article, status="deleted")
    assert "Comments 2" in client.get(published_article.get_absolute_url()).content.decode()


def test_permalink_is_404_for_a_pruned_reply_but_redirects_to_a_shown_placeholder(
    client, reader, published_article
):
    root = CommentFactory(article=published_article, body="Root")
    pruned = CommentFactory(parent=root, body="Pruned", status="deleted")
    hidden_leaf = CommentFactory(parent=root, body="Hidden leaf", status="hidden")
    placeholder = CommentFactory(parent=root, body="Placeholder", status="hidden")
    CommentFactory(parent=placeholder, body="Visible reply")
    for user in (None, reader):
        if user:
            client.force_login(user)
        for comment in (pruned, hidden_leaf):
            assert client.get(reverse("comments:permalink", args=[comment.pk])).status_code == 404
        response = client.get(reverse("comments:permalink", args=[placeholder.pk]))
        assert response.status_code == 302
        assert response["Location"].endswith(f"#comment-{placeholder.pk}")
        html = client.get(response["Location"]).content.decode()
        assert f'id="comment-{placeholder.pk}"' in html
        assert f'id="comment-{hidden_leaf.pk}"' not in html


def test_permalink_to_own_pending_comment_lands_on_it(client, reader, published_article):
    mine = CommentFactory(article=published_article, author=reader, status="pending")
    client.force_login(reader)
    response = client.get(reverse("comments:permalink", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{mine.pk}")


def test_each_reader_sees_their_own_held_threads_and_nobody_elses(client, published_article):
    # The index's SQL is compiled once per process: each request must still be its own
    # reader's and article's.
    readers = UserFactory.create_batch(2)
    held = [CommentFactory(article=published_article, author=r, status="pending") for r in readers]
    visible = CommentFactory(article=published_article)
    for reader, mine, theirs in zip(readers, held, reversed(held), strict=True):
        client.force_login(reader)
        shown = comment_ids(client.get(published_article.get_absolute_url()).content.decode())
        assert mine.pk in shown and visible.pk in shown and theirs.pk not in shown
    client.logout()
    shown = comment_ids(client.get(published_article.get_absolute_url()).content.decode())
    assert shown == [visible.pk]


@pytest.mark.parametrize("sort", sorted(threads.SORTS))
def test_every_page_of_threads_is_the_readers_threads_in_order_with_their_state(
    settings, published_article, reader, sort
):
    # The index reads a page of shown threads and the few placeholder ones apart: together
    # they must be exactly Comment.objects.thread_roots, paged in the sort's order.
    settings.COMMENTS_THREADS_PER_PAGE = 2
    article = published_article
    plain = CommentFactory.create_batch(3, article=article)
    CommentFactory(parent=plain[0])
    CommentFactory(parent=CommentFactory(parent=plain[0]), status="hidden")
    placeholder = CommentFactory(article=article, status="hidden")
    CommentFactory(parent=placeholder)
    CommentFactory(article=article, status="deleted")  # nothing left to show: no thread
    CommentFactory(parent=CommentFactory(article=article, status="deleted"), status="pending")
    CommentFactory(article=article, author=reader, status="pending")  # only its author's
    recommended = CommentFactory(article=article)
    Comment.objects.filter(pk=recommended.pk).update(recommendation_count=4)
    CommentFactory(article=CommentFactory().article)  # another article's
    for user in (AnonymousUser(), reader):
        roots = list(Comment.objects.thread_roots(article, user).order_by(*threads.SORTS[sort]))
        assert len(roots) == (6 if user.is_authenticated else 5)
        for number in range(1, 4):
            index = threads.thread_index(article, user, sort=sort, page=number)
            expected = roots[(number - 1) * 2 : number * 2]
            assert index.root_ids == [root.pk for root in expected]
            assert index.num_pages == 3
            for (_, changed, size), root in zip(index.roots, expected, strict=True):
                replies = Comment.objects.filter(root=root)
                assert size == replies.count()
                assert changed == max([root.updated_at, *(r.updated_at for r in replies)])
        past_the_end = threads.thread_index(article, user, sort=sort, page=9)
        assert past_the_end.number == index.num_pages
