import datetime as dt
from email.utils import parsedate_to_datetime

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.urls import reverse

from tests.factories import ArticleFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _get_xml(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, ElementTree.fromstring(response.content)


def test_site_rss_feed_lists_public_articles_with_absolute_links_and_dates(client, editor):
    published = dt.datetime(2024, 3, 5, 9, 30, tzinfo=dt.UTC)
    article = ArticleFactory(
        title="Comet seen", published_at=published, authors=[editor], tags=[TagFactory(name="Sky")]
    )
    ArticleFactory(title="Hidden draft", draft=True)
    ArticleFactory(title="Tomorrow", scheduled=True)
    response, rss = _get_xml(client, reverse("articles:feed_rss"))
    assert response["Content-Type"].startswith("application/rss+xml")
    items = rss.findall("./channel/item")
    assert [item.findtext("title") for item in items] == ["Comet seen"]
    item = items[0]
    assert item.findtext("link") == f"{settings.SITE_URL}{article.get_absolute_url()}"
    assert parsedate_to_datetime(item.findtext("pubDate")) == published
    assert item.findtext("description") == article.standfirst
    assert {c.text for c in item.findall("category")} == {article.section.name, "Sky"}
    assert rss.findtext("./channel/link") == f"{settings.SITE_URL}/"


def test_site_atom_feed(client):
    published = dt.datetime(2024, 3, 5, 9, 30, tzinfo=dt.UTC)
    article = ArticleFactory(title="Comet seen", published_at=published)
    response, atom = _get_xml(client, reverse("articles:feed_atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    entries = atom.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.findtext(f"{ATOM}title") == "Comet seen"
    link = entry.find(f"{ATOM}link").get("href")
    assert link == f"{settings.SITE_URL}{article.get_absolute_url()}"
    assert dt.datetime.fromisoformat(entry.findtext(f"{ATOM}published")) == published


def test_section_feeds_hold_only_that_section(client):
    science, sport = SectionFactory(name="Science"), SectionFactory(name="Sport")
    ArticleFactory(section=science, title="Comet seen")
    ArticleFactory(section=sport, title="Cup final")
    ArticleFactory(section=science, title="Science draft", draft=True)
    _, rss = _get_xml(client, reverse("articles:section_feed_rss", args=[science.slug]))
    assert [i.findtext("title") for i in rss.findall("./channel/item")] == ["Comet seen"]
    assert rss.findtext("./channel/title").endswith("Science")
    _, atom = _get_xml(client, reverse("articles:section_feed_atom", args=[science.slug]))
    assert [e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")] == ["Comet seen"]


def test_unknown_section_feed_is_404(client):
    assert client.get(reverse("articles:section_feed_rss", args=["nope"])).status_code == 404


def test_feeds_are_advertised_in_page_heads(client):
    section = SectionFactory()
    html = client.get(section.get_absolute_url()).content.decode()
    assert (
        f'type="application/rss+xml" title="Newsroom (RSS)" href="{reverse("articles:feed_rss")}"'
        in html
    )
    assert f'href="{reverse("articles:feed_atom")}"' in html
    assert f'href="{reverse("articles:section_feed_rss", args=[section.slug])}"' in html


@pytest.mark.parametrize("articles", [2, 30])
def test_feed_query_count_is_fixed(client, django_assert_max_num_queries, articles):
    section = SectionFactory()
    tags = TagFactory.create_batch(2)
    for _ in range(articles):
        ArticleFactory(section=section, tags=tags)
    # articles with sections + authors + tags
    with django_assert_max_num_queries(3):
        client.get(reverse("articles:feed_rss"))
