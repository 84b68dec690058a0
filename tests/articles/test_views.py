import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_shows_lead_and_latest_public_articles(client):
    older = ArticleFactory(title="Older story")
    ArticleFactory(draft=True, title="Secret draft")
    ArticleFactory(scheduled=True, title="Tomorrow's news")
    lead = ArticleFactory(title="Newest story")
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Newest story" in html and "Older story" in html
    assert "Secret draft" not in html and "Tomorrow&#x27;s news" not in html
    assert list(response.context["articles"]) == [lead, older]


def test_home_is_paginated(client, settings):
    ArticleFactory.create_batch(15)
    response = client.get(reverse("articles:home"), {"page": 2})
    assert response.status_code == 200
    assert len(response.context["articles"]) == 3
    assert client.get(reverse("articles:home"), {"page": 9}).status_code == 404


def _count_page_queries(client, django_assert_max_num_queries, url, n):
    # The cost of a page must not grow with the number of articles.
    with django_assert_max_num_queries(n):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("articles", [2, 40])
def test_home_query_count_is_fixed(client, django_assert_max_num_queries, articles):
    section = SectionFactory()
    authors = UserFactory.create_batch(3, is_staff=True)
    for _ in range(articles):
        ArticleFactory(section=section, authors=authors)
    # count + articles with sections + authors + most discussed + section navigation
    with django_assert_max_num_queries(5):
        client.get(reverse("articles:home"))


@pytest.mark.parametrize("articles", [2, 40])
def test_section_page_query_count_is_fixed(client, django_assert_max_num_queries, articles):
    section = SectionFactory()
    authors = UserFactory.create_batch(2, is_staff=True)
    for _ in range(articles):
        ArticleFactory(section=section, authors=authors)
    with django_assert_max_num_queries(5):
        response = client.get(section.get_absolute_url())
    assert response.status_code == 200


def test_section_page_lists_only_its_public_articles(client):
    world, sport = SectionFactory(name="World"), SectionFactory(name="Sport")
    ArticleFactory(section=world, title="World story")
    ArticleFactory(section=sport, title="Sport story")
    ArticleFactory(section=world, draft=True, title="World draft")
    html = client.get(world.get_absolute_url()).content.decode()
    assert "World story" in html
    assert "Sport story" not in html and "World draft" not in html


def test_unknown_section_is_404(client):
    assert client.get(reverse("articles:section", args=["nope"])).status_code == 404


def test_article_page_shows_title_byline_section_and_body(client, published_article, editor):
    with_queries = client.get(published_article.get_absolute_url())
    html = with_queries.content.decode()
    assert with_queries.status_code == 200
    assert published_article.title in html
    assert editor.display_name in html
    assert published_article.section.name in html
    assert "<strong>bold</strong>" in html
    assert "Preview" not in html


def test_article_date_shown_in_site_time_zone(client, settings):
    import datetime as dt

    settings.TIME_ZONE = "Europe/London"
    article = ArticleFactory(published_at=dt.datetime(2020, 7, 10, 8, 53, tzinfo=dt.UTC))
    assert "10 July 2020, 09:53" in client.get(article.get_absolute_url()).content.decode()


def test_draft_and_scheduled_articles_are_404_for_readers(client, reader):
    draft = ArticleFactory(draft=True)
    scheduled = ArticleFactory(scheduled=True)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(reader)
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_staff_preview_draft_with_banner(client, editor):
    draft = ArticleFactory(draft=True, title="Work in progress")
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Preview — not published" in response.content.decode()


def test_unknown_article_gets_friendly_404(client):
    response = client.get("/articles/does-not-exist/")
    assert response.status_code == 404
    assert "can’t find that page" in response.content.decode()


def test_article_body_script_never_reaches_page(client):
    article = ArticleFactory(body="Hello <script>alert('x')</script>")
    assert "<script>alert" not in client.get(article.get_absolute_url()).content.decode()


def test_reader_text_fields_are_escaped(client):
    article = ArticleFactory(title="<b>Bold</b> claims", standfirst="<i>odd</i>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html and "<i>odd</i>" not in html
