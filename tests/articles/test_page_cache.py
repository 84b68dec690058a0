"""The anonymous article page is cached whole, and dropped whenever what it shows changes."""

import pytest

from comments import moderation
from tests.factories import CommentFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_editing_the_article_shows_at_once(client, published_article):
    url = published_article.get_absolute_url()
    client.get(url)
    published_article.standfirst = "A corrected standfirst"
    published_article.save()
    assert "A corrected standfirst" in client.get(url).content.decode()


def test_unpublishing_is_a_404_at_once(client, published_article):
    url = published_article.get_absolute_url()
    assert client.get(url).status_code == 200
    published_article.unpublish()
    assert client.get(url).status_code == 404


def test_byline_and_tag_changes_show_at_once(client, published_article):
    url = published_article.get_absolute_url()
    client.get(url)
    writer = UserFactory(first_name="Zadie", last_name="Quill", is_staff=True)
    published_article.authors.add(writer)
    assert "Zadie Quill" in client.get(url).content.decode()
    published_article.tags.add(TagFactory(name="Floods"))
    assert "Floods" in client.get(url).content.decode()


def test_moderation_shows_at_once(client, published_article, moderator):
    url = published_article.get_absolute_url()
    comment = CommentFactory(article=published_article, body="Borderline remark")
    assert "Borderline remark" in client.get(url).content.decode()
    moderation.hide(comment=comment, moderator=moderator, reason="abuse")
    html = client.get(url).content.decode()
    assert "Borderline remark" not in html and "Comments 0" in html


def test_logged_in_readers_never_get_the_anonymous_page(client, published_article, reader):
    url = published_article.get_absolute_url()
    client.get(url)
    client.force_login(reader)
    html = client.get(url).content.decode()
    assert "Post comment" in html and "Log in to comment" not in html


def test_logged_in_readers_see_byline_tag_and_text_changes_at_once(
    client, published_article, reader
):
    url = published_article.get_absolute_url()
    client.force_login(reader)
    client.get(url)
    published_article.tags.add(TagFactory(name="Estuary"))
    assert "Estuary" in client.get(url).content.decode()
    writer = UserFactory(first_name="Ines", last_name="Okoro", is_staff=True)
    published_article.authors.add(writer)
    assert "Ines Okoro" in client.get(url).content.decode()
    published_article.refresh_from_db()
    published_article.title = "Barrier approved after all"
    published_article.save()
    assert "Barrier approved after all" in client.get(url).content.decode()
