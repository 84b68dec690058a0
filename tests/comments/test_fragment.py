"""A comment's HTML (comments/fragment.py): what readers wrote is text, and the pieces
it shares with the rest of the site look the same."""

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _page(client, article) -> str:
    return client.get(article.get_absolute_url()).content.decode()


def test_names_readers_choose_are_never_markup(client, published_article, reader):
    author = UserFactory(first_name="<script>alert(1)</script>", last_name="\"O'Neil & co")
    parent = CommentFactory(article=published_article, author=author)
    CommentFactory(article=published_article, parent=parent)
    client.force_login(reader)  # gets Reply, which carries the name in an attribute
    html = _page(client, published_article)
    assert "<script>alert(1)" not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &quot;O&#x27;Neil &amp; co"
    assert f'class="comment__author" href="{author.get_absolute_url()}">{escaped}</a>' in html
    assert f'data-reply-name="{escaped}"' in html


def test_a_comment_shows_the_sites_avatar_and_date(client, published_article):
    pictured = UserFactory()
    pictured.avatar.name = "avatars/pictured.png"
    pictured.save()
    comments = [
        CommentFactory(article=published_article, author=author)
        for author in (UserFactory(), pictured)
    ]
    html = _page(client, published_article)
    for comment in comments:
        avatar = render_to_string("includes/_avatar.html", {"person": comment.author, "size": 40})
        assert f'<header class="comment__header">\n{avatar.strip()}\n' in html
        when = date_format(timezone.localtime(comment.created_at), "j F Y, H:i")
        assert f">{when}</time>" in html
