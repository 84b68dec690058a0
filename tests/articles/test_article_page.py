"""The article page's discovery parts: metadata, structured data, related articles."""

import datetime as dt
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from articles import publishing
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    SectionFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _json_ld(html):
    """The article's own NewsArticle block (the comments app adds a second, for comments)."""
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    articles = [data for data in map(json.loads, scripts) if "headline" in data]
    assert len(articles) == 1
    return articles[0]


def test_news_article_structured_data(client, editor):
    published = dt.datetime(2024, 3, 5, 9, 30, tzinfo=dt.UTC)
    article = ArticleFactory(
        title="Comet seen", published_at=published, authors=[editor], tags=[TagFactory(name="Sky")]
    )
    data = _json_ld(client.get(article.get_absolute_url()).content.decode())
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Comet seen"
    assert data["url"] == f"{settings.SITE_URL}{article.get_absolute_url()}"
    assert dt.datetime.fromisoformat(data["datePublished"]) == published
    assert data["author"] == [
        {
            "@type": "Person",
            "name": editor.display_name,
            "url": f"{settings.SITE_URL}/authors/{editor.username}/",
        }
    ]
    assert data["keywords"] == ["Sky"]
    assert data["articleSection"] == article.section.name


def test_structured_data_cannot_break_out_of_its_script(client):
    nasty = "</script><script>alert(1)</script> & <!--"
    article = ArticleFactory(title=nasty, standfirst=nasty)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert _json_ld(html)["headline"] == nasty


def test_open_graph_and_twitter_metadata(client):
    article = ArticleFactory(title="Comet seen", standfirst="Look up tonight.")
    html = client.get(article.get_absolute_url()).content.decode()
    url = f"{settings.SITE_URL}{article.get_absolute_url()}"
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Comet seen">' in html
    assert '<meta property="og:description" content="Look up tonight.">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_updated_line_only_after_a_substantive_update(client):
    published = dt.datetime(2020, 7, 10, 8, 0, tzinfo=dt.UTC)
    article = ArticleFactory(published_at=published)
    assert "Updated" not in client.get(article.get_absolute_url()).content.decode()
    article.mark_revised(at=dt.datetime(2020, 7, 10, 8, 53, tzinfo=dt.UTC))
    publishing.save_article(article=article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Updated <time" in html and "10 July 2020, 09:53" in html


def test_related_articles_share_section_or_tags_public_only(client):
    science, sport = SectionFactory(name="Science"), SectionFactory(name="Sport")
    sky, ice = TagFactory(name="Sky"), TagFactory(name="Ice")
    article = ArticleFactory(section=science, tags=[sky, ice], title="Main")
    both_tags = ArticleFactory(section=sport, tags=[sky, ice], title="Both tags")
    one_tag = ArticleFactory(section=sport, tags=[ice], title="One tag")
    same_section = ArticleFactory(section=science, title="Same section")
    ArticleFactory(section=sport, title="Unrelated")
    ArticleFactory(section=science, tags=[sky], draft=True, title="Draft")
    response = client.get(article.get_absolute_url())
    assert list(response.context["related_articles"]) == [both_tags, one_tag, same_section]


@pytest.mark.parametrize("others", [2, 30])
def test_article_page_query_count_is_fixed(client, django_assert_max_num_queries, others):
    section = SectionFactory()
    tags = TagFactory.create_batch(3)
    authors = UserFactory.create_batch(2, is_staff=True)
    for _ in range(others):
        ArticleFactory(section=section, tags=tags, authors=authors)
    article = ArticleFactory(section=section, tags=tags, authors=authors)
    # article with its section, byline and tags + related articles + section navigation
    # + the conversation's thread roots (none, so no comment query) + readers with held comments
    with django_assert_max_num_queries(5):
        assert client.get(article.get_absolute_url()).status_code == 200
    # After that an anonymous reader gets the whole page from the cache.
    with django_assert_max_num_queries(0):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_public_addresses_come_from_site_url_never_the_requested_host(client, settings):
    settings.SITE_URL = "https://news.example.com"
    article = ArticleFactory(title="Comet seen")
    CommentFactory(article=article, body="Saw it last night.")
    path = article.get_absolute_url()
    url = f"https://news.example.com{path}"
    for host in ("localhost", "127.0.0.1"):  # the second is served from the page cache
        html = client.get(path, HTTP_HOST=host).content.decode()
        assert f'<link rel="canonical" href="{url}">' in html
        assert f'<meta property="og:url" content="{url}">' in html
        assert _json_ld(html)["url"] == url
        assert f'"@id": "{url}#comment-' in html  # the comments' block, for the same article
        assert host not in html
    feed = client.get(reverse("articles:feed_atom"), HTTP_HOST="localhost").content.decode()
    assert f'href="{url}"' in feed and "localhost" not in feed
