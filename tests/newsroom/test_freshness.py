"""One freshness mechanism: a value read before a change commits is never served after it.

Each race test lets a request read the database, then commits a change before the
request writes what it read to the cache, as a busy site does; the next request
must see the change.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import profiles
from articles import publishing
from comments import moderation
from newsroom import freshness
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def change_before_first_write(monkeypatch, django_capture_on_commit_callbacks):
    """change_before_first_write(change): `change` commits just before the next request
    writes its first value to the cache (with `named`, its first value of that name's
    prefix), after it read the data for it."""

    def arrange(change, *, named=""):
        put = freshness.put
        pending = [change]

        def put_after_the_change(name, *args, **kwargs):
            if pending and name.startswith(named):
                with django_capture_on_commit_callbacks(execute=True):
                    pending.pop()()
            return put(name, *args, **kwargs)

        monkeypatch.setattr(freshness, "put", put_after_the_change)

    return arrange


@pytest.mark.real_commits
@pytest.mark.parametrize(
    ("query", "written_first"),
    [
        ("", "articles:anonymous-page"),  # the page everyone gets, kept whole
        ("?sort=oldest", "cskel"),  # a variant: its page of threads (skeleton) is kept
    ],
)
def test_a_page_read_before_a_comment_commits_is_not_served_after(
    client, published_article, reader, change_before_first_write, query, written_first
):
    url = published_article.get_absolute_url() + query
    change_before_first_write(
        lambda: moderation.post_comment(
            author=reader, article=published_article, body="Arrived while the page rendered"
        ),
        named=written_first,
    )
    # The conversation (its count) was read before the comment committed.
    assert "Comments 0" in client.get(url).content.decode()
    html = client.get(url).content.decode()
    assert "Arrived while the page rendered" in html and "Comments 1" in html


@pytest.mark.real_commits
def test_an_article_row_read_before_an_edit_commits_is_not_served_after(
    client, published_article, change_before_first_write
):
    url = published_article.get_absolute_url()
    change_before_first_write(
        lambda: publishing.save_article(article=published_article, title="Barrier delayed")
    )
    client.get(url)
    assert "Barrier delayed" in client.get(url).content.decode()


@pytest.mark.real_commits
def test_no_ban_read_before_a_ban_commits_is_not_cached(
    reader, moderator, change_before_first_write
):
    change_before_first_write(
        lambda: moderation.ban(user=reader, moderator=moderator, reason="Abuse", days=3)
    )
    assert moderation.active_ban(reader) is None  # read before the ban committed
    assert moderation.active_ban(reader) is not None


@pytest.mark.real_commits
def test_nothing_is_replaced_before_the_commit(published_article, reader):
    version = freshness.current(freshness.article(published_article.slug))
    moderation.post_comment(author=reader, article=published_article, body="Not committed")
    assert freshness.current(freshness.article(published_article.slug)) == version


def test_a_byline_author_renamed_shows_at_once(client, published_article, editor):
    url = published_article.get_absolute_url()
    assert editor.display_name in client.get(url).content.decode()
    editor.first_name, editor.last_name = "Marguerite", "Okafor"
    editor.save()
    profiles.shown_details_changed(user=editor, changed={"first_name", "last_name"})
    html = client.get(url).content.decode()
    byline = html.split('class="byline"')[1].split("</p>")[0]
    assert "Marguerite Okafor" in byline
    assert html.count("Marguerite Okafor") >= 2  # the byline and the head's structured data


def test_a_commenter_renamed_shows_at_once_in_cached_threads(client, published_article):
    comment = CommentFactory(article=published_article)
    url = published_article.get_absolute_url()
    assert comment.author.display_name in client.get(url).content.decode()
    author = comment.author
    author.first_name, author.last_name = "Renamed", "Reader"
    author.save()
    profiles.shown_details_changed(user=author, changed={"first_name"})
    assert "Renamed Reader" in client.get(url).content.decode()


def test_with_the_cache_unable_to_keep_versions_nothing_is_served_from_it(
    client, published_article, reader, monkeypatch
):
    from django.core.cache import cache

    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)
    monkeypatch.setattr(cache, "get_many", lambda *args, **kwargs: {})
    stamp = freshness.current(freshness.article(published_article.slug))
    assert not stamp.stored
    url = published_article.get_absolute_url()
    client.get(url)
    moderation.post_comment(author=reader, article=published_article, body="Seen without Redis")
    assert "Seen without Redis" in client.get(url).content.decode()
    assert moderation.active_ban(AnonymousUser()) is None
