"""Long threads show their first replies; the rest are one link (or script) away."""

import pytest
from django.urls import reverse

from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _two_replies_shown(settings):
    settings.COMMENTS_REPLIES_SHOWN = 2


@pytest.fixture
def long_thread(published_article):
    root = CommentFactory(article=published_article, body="Opening remark")
    first = CommentFactory(article=published_article, parent=root, body="Reply one")
    CommentFactory(article=published_article, parent=first, body="Reply one-a")
    later = [
        CommentFactory(article=published_article, parent=root, body=f"Later reply {n}")
        for n in range(3)
    ]
    return root, later


def test_a_thread_shows_its_first_replies_and_a_link_to_the_rest(client, long_thread):
    root, later = long_thread
    url = root.article.get_absolute_url()
    html = client.get(url).content.decode()
    assert "Reply one" in html and "Reply one-a" in html
    assert "Later reply" not in html
    assert "Show 3 more replies" in html
    assert f'href="?sort=oldest&amp;page=1&amp;expand={root.pk}#thread-{root.pk}"' in html
    expanded = client.get(url, {"sort": "oldest", "page": 1, "expand": root.pk})
    assert all(f"Later reply {n}" in expanded.content.decode() for n in range(3))
    assert "more replies" not in expanded.content.decode()


def test_a_permalink_to_a_collapsed_reply_lands_on_it_expanded(client, long_thread):
    root, later = long_thread
    response = client.get(reverse("comments:permalink", args=[later[-1].pk]))
    location = response["Location"]
    assert location.endswith(f"?expand={root.pk}#comment-{later[-1].pk}")
    assert f'id="comment-{later[-1].pk}"' in client.get(location).content.decode()
    shown = client.get(reverse("comments:permalink", args=[root.pk]))
    assert "expand" not in shown["Location"]


def test_structured_data_describes_only_what_the_page_shows(client, long_thread):
    root, _ = long_thread
    html = client.get(root.article.get_absolute_url()).content.decode()
    assert html.count("Later reply") == 0
