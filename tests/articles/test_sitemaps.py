import datetime as dt

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.urls import reverse

from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _sitemap(client):
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    return {url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod") for url in root}


def test_sitemap_lists_home_sections_and_public_articles_with_lastmod(client):
    science = SectionFactory(name="Science")
    empty = SectionFactory(name="Empty")
    published = dt.datetime(2024, 3, 5, 9, 30, tzinfo=dt.UTC)
    article = ArticleFactory(section=science, published_at=published)
    draft = ArticleFactory(section=science, draft=True)
    scheduled = ArticleFactory(section=science, scheduled=True)
    urls = _sitemap(client)
    base = "http://testserver"
    assert f"{base}/" in urls
    assert urls[f"{base}{science.get_absolute_url()}"] == "2024-03-05"
    assert urls[f"{base}{empty.get_absolute_url()}"] is None
    assert urls[f"{base}{article.get_absolute_url()}"] == article.updated_at.date().isoformat()
    assert f"{base}{draft.get_absolute_url()}" not in urls
    assert f"{base}{scheduled.get_absolute_url()}" not in urls


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_pages_declare_their_canonical_url(client, published_article):
    html = client.get(published_article.get_absolute_url(), {"utm_source": "x"}).content.decode()
    canonical = f"{settings.SITE_URL}{published_article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in html


def test_paginated_pages_keep_their_page_in_the_canonical_url(client):
    ArticleFactory.create_batch(15)
    html = client.get(reverse("articles:home"), {"page": 2}).content.decode()
    assert f'<link rel="canonical" href="{settings.SITE_URL}/?page=2">' in html
