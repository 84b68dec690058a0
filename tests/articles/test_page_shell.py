"""The article page is kept as a shell (newsroom.shell) shared by every reader, with
each reader's own parts filled per request: the page must be the one its template renders."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template import Context, Template, TemplateSyntaxError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from articles import page_cache
from articles.views import ArticleDetailView
from comments import moderation
from newsroom import shell
from tests.factories import CommentFactory, UserFactory


def _template_page(client, article, user) -> str:
    """The page as the template renders it whole (as staff previews are)."""
    request = RequestFactory().get(article.get_absolute_url())
    request.user = user or AnonymousUser()
    request.session = client.session
    request._messages = FallbackStorage(request)
    view = ArticleDetailView()
    view.setup(request, slug=article.slug)
    view.versions = page_cache.page_versions(article.slug)
    view.object = view.get_object()
    return render_to_string(view.template_name, view.get_context_data(object=view.object), request)


def _same(html: str) -> str:
    """Without what differs between any two renders: CSRF tokens and the time of rendering."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'data-live-since="\d+"', "", html).replace("\n\n", "\n")


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_page_from_its_shell_is_the_page_its_template_renders(
    client, published_article, reader, logged_in
):
    parent = CommentFactory(article=published_article, body="First <b>thoughts</b>")
    CommentFactory(article=published_article, parent=parent, body="A reply", author=reader)
    if logged_in:
        client.force_login(reader)
    served = client.get(published_article.get_absolute_url()).content.decode()
    assert "First &lt;b&gt;thoughts&lt;/b&gt;" in served
    expected = _template_page(client, published_article, reader if logged_in else None)
    assert _same(served) == _same(expected)


def test_readers_sharing_a_shell_each_see_their_own_name_count_and_controls(
    client, published_article, reader
):
    other = UserFactory(first_name="Olu", last_name="Other")
    mine = moderation.post_comment(author=reader, article=published_article, body="Mine")
    moderation.post_comment(author=other, article=published_article, body="Yours", parent=mine)
    url = published_article.get_absolute_url()
    client.force_login(reader)
    page = client.get(url).content.decode()
    assert reader.display_name in page and "Olu Other" in page
    assert re.search(r"Replies <span[^>]*>1</span>", page)  # other's reply
    client.force_login(other)
    page = client.get(url).content.decode()
    assert reader.display_name not in re.search(r'<nav class="account-nav".*?</nav>', page, re.S)[0]
    assert "Olu Other" in re.search(r'<nav class="account-nav".*?</nav>', page, re.S)[0]
    assert not re.search(r"Replies <span", page)


def test_a_flash_message_is_shown_once_on_the_shared_shell(client, published_article, reader):
    published_article.premoderate_comments = True  # a held comment: the reader is told
    published_article.save()
    client.force_login(reader)
    url = published_article.get_absolute_url()
    client.get(url)  # the shell is kept
    posted = client.post(
        reverse("comments:post", args=[published_article.pk]), {"body": "Hi there"}, follow=True
    )
    assert posted.status_code == 200
    message = re.search(r'<div class="messages.*?</div>', posted.content.decode(), re.S)
    assert "will appear once a moderator has seen it" in message[0]
    assert '<div class="messages' not in client.get(url).content.decode()


def test_a_hole_is_its_content_in_a_normal_render_and_filled_from_a_shell():
    template = '{% load holes %}<p>{% hole "who" %}{{ name }}{% endhole %} and more</p>'
    assert Template(template).render(Context({"name": "Ada"})) == "<p>Ada and more</p>"
    pieces = shell.split(Template(template).render(Context({shell.RECORDING: True})))
    assert pieces == ("<p>", "who", " and more</p>")
    assert shell.fill(pieces, {"who": lambda: "Bo"}) == "<p>Bo and more</p>"


def test_a_hole_needs_a_quoted_name():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load holes %}{% hole who %}x{% endhole %}")
