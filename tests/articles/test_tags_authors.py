import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, SectionFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_tag_page_lists_public_articles_with_the_tag(client):
    tag, other = TagFactory(name="Rivers"), TagFactory(name="Roads")
    ArticleFactory(title="River levels", tags=[tag])
    ArticleFactory(title="New bypass", tags=[other])
    ArticleFactory(title="River draft", tags=[tag], draft=True)
    response = client.get(tag.get_absolute_url())
    assert response.status_code == 200
    assert [a.title for a in response.context["articles"]] == ["River levels"]
    assert "<h1>Rivers</h1>" in response.content.decode()


def test_unknown_tag_is_404(client):
    assert client.get(reverse("articles:tag", args=["nope"])).status_code == 404


def test_article_page_links_its_tags(client):
    tag = TagFactory(name="Rivers")
    article = ArticleFactory(tags=[tag])
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<a href="{tag.get_absolute_url()}" rel="tag">Rivers</a>' in html


def test_tags_are_chosen_with_autocomplete_in_the_admin(client, editor):
    TagFactory(name="Rivers")
    TagFactory(name="Roads")
    client.force_login(editor)
    form = client.get(reverse("admin:articles_article_add")).content.decode()
    assert 'class="admin-autocomplete' in form and 'name="tags"' in form
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "riv", "app_label": "articles", "model_name": "article", "field_name": "tags"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Rivers"]


def test_tag_slug_is_generated_from_its_name():
    from articles.models import Tag

    assert Tag.objects.create(name="Climate and environment").slug == "climate-and-environment"


def test_byline_links_to_the_author_page(client, editor, published_article):
    url = reverse("articles:author", args=[editor.username])
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert f'href="{url}">{editor.display_name}</a>' in html
    response = client.get(url)
    assert response.status_code == 200
    assert f"<h1>{editor.display_name}</h1>" in response.content.decode()
    assert list(response.context["articles"]) == [published_article]


def test_author_page_lists_only_their_public_articles(client, editor):
    other = UserFactory(is_staff=True)
    mine = ArticleFactory(title="Mine", authors=[editor])
    ArticleFactory(title="Theirs", authors=[other])
    ArticleFactory(title="My draft", authors=[editor], draft=True)
    ArticleFactory(title="Both of us", authors=[editor, other])
    response = client.get(reverse("articles:author", args=[editor.username]))
    assert [a.title for a in response.context["articles"]] == ["Both of us", mine.title]


def test_people_without_a_public_byline_have_no_author_page(client, reader, editor):
    ArticleFactory(authors=[editor], draft=True)
    for username in (reader.username, editor.username, "nobody"):
        assert client.get(reverse("articles:author", args=[username])).status_code == 404


def test_author_pages_are_paginated(client, editor, settings):
    for _ in range(settings.ARTICLES_PER_PAGE + 2):
        ArticleFactory(authors=[editor])
    url = reverse("articles:author", args=[editor.username])
    assert len(client.get(url, {"page": 2}).context["articles"]) == 2


@pytest.mark.parametrize("articles", [2, 30])
def test_tag_page_query_count_is_fixed(client, django_assert_max_num_queries, articles):
    tag, section = TagFactory(), SectionFactory()
    authors = UserFactory.create_batch(2, is_staff=True)
    for _ in range(articles):
        ArticleFactory(section=section, tags=[tag], authors=authors)
    # tag + count + articles with sections + authors + section navigation
    with django_assert_max_num_queries(5):
        assert client.get(tag.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("articles", [2, 30])
def test_author_page_query_count_is_fixed(client, django_assert_max_num_queries, articles):
    author = UserFactory(is_staff=True)
    section = SectionFactory()
    for _ in range(articles):
        ArticleFactory(section=section, authors=[author, UserFactory(is_staff=True)])
    # author + count + articles with sections + authors + section navigation
    with django_assert_max_num_queries(5):
        assert client.get(reverse("articles:author", args=[author.username])).status_code == 200


def test_article_page_shows_byline_in_order_added_and_tags_by_name(client):
    first = UserFactory(is_staff=True, first_name="Zoe", last_name="Adams")
    second = UserFactory(is_staff=True, first_name="Amir", last_name="Zed")
    article = ArticleFactory(authors=[], tags=[])
    article.authors.add(first)  # one at a time: set() and add(a, b) insert in any order
    article.authors.add(second)
    article.tags.set([TagFactory(name="Weather"), TagFactory(name="Floods")])
    html = client.get(article.get_absolute_url()).content.decode()
    byline = html.split('class="byline"')[1].split("</p>")[0]
    assert byline.index("Zoe Adams") < byline.index("Amir Zed") and " and " in byline
    tag_list = html.split('class="tag-list"')[1].split("</ul>")[0]
    assert tag_list.index("Floods") < tag_list.index("Weather")
    assert '<meta property="article:tag" content="Floods">' in html
