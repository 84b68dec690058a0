import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


def _titles(response):
    return [article.title for article in response.context["articles"]]


def test_title_match_ranks_above_standfirst_and_body_matches(client):
    ArticleFactory(title="Harbour news", body="The glacier is retreating.")
    ArticleFactory(title="Coastal report", standfirst="A glacier story.", body="Nothing.")
    ArticleFactory(title="Glacier breaks apart", body="Ice fell into the sea.")
    response = client.get(SEARCH, {"q": "glacier"})
    assert response.status_code == 200
    assert _titles(response) == ["Glacier breaks apart", "Coastal report", "Harbour news"]


def test_stemming_finds_other_forms_of_a_word(client):
    ArticleFactory(title="Flooding in the valley")
    assert _titles(client.get(SEARCH, {"q": "floods"})) == ["Flooding in the valley"]


def test_only_public_articles_are_found(client, editor):
    ArticleFactory(title="Glacier published")
    ArticleFactory(title="Glacier draft", draft=True)
    ArticleFactory(title="Glacier scheduled", scheduled=True)
    assert _titles(client.get(SEARCH, {"q": "glacier"})) == ["Glacier published"]
    client.force_login(editor)  # staff preview drafts, but search stays public-only
    assert _titles(client.get(SEARCH, {"q": "glacier"})) == ["Glacier published"]


def test_snippet_highlights_matches_and_escapes_article_text(client):
    ArticleFactory(
        title="Council <b>vote</b>",
        standfirst="",
        body="Before the meeting <script>alert(1)</script> the budget vote was close.",
    )
    html = client.get(SEARCH, {"q": "vote"}).content.decode()
    assert "<mark>vote</mark>" in html
    assert "&lt;b&gt;" in html and "<b>vote</b>" not in html
    assert "<script>alert(1)</script>" not in html


def test_phrase_and_exclusion_syntax(client):
    ArticleFactory(title="Night buses return", body="Buses run at night again.")
    ArticleFactory(title="Return of the night market", body="Stalls and lights.")
    assert _titles(client.get(SEARCH, {"q": '"night buses"'})) == ["Night buses return"]
    assert _titles(client.get(SEARCH, {"q": "night -buses"})) == ["Return of the night market"]


@pytest.mark.parametrize(
    "query",
    [
        '"', "'", "&", "|", "!", "(", ")", ":", "*", "& | ! ( ) : *", "a:* & !b | (c",
        '"unclosed phrase', "\\", "<->", "-", "--", "OR", "and or not", "%", "_", "'; DROP TABLE",
        "x" * 5000, "glacier " * 400, "😀 émigré", "\t\n ",
    ],
)  # fmt: skip
def test_any_query_text_is_safe(client, query):
    ArticleFactory(title="Glacier breaks apart")
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No results" in html or "Type a few words" in html or response.context["articles"]


def test_null_character_gives_a_friendly_page(client):
    response = client.get(SEARCH, {"q": "glacier\x00"})
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()


def test_empty_query_invites_a_search(client):
    ArticleFactory(title="Glacier breaks apart")
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get(SEARCH, params)
        assert response.status_code == 200
        assert "Type a few words" in response.content.decode()
        assert not response.context["articles"]


def test_stop_words_only_give_no_results(client):
    ArticleFactory(title="The and of")
    response = client.get(SEARCH, {"q": "the and of"})
    assert response.status_code == 200
    assert "No results for" in response.content.decode()


def test_results_are_paginated_keeping_the_query(client, settings):
    for n in range(settings.SEARCH_RESULTS_PER_PAGE + 3):
        ArticleFactory(title=f"Glacier report {n}")
    first = client.get(SEARCH, {"q": "glacier"})
    assert len(first.context["articles"]) == settings.SEARCH_RESULTS_PER_PAGE
    assert 'href="?q=glacier&amp;page=2"' in first.content.decode()
    second = client.get(SEARCH, {"q": "glacier", "page": 2})
    assert len(second.context["articles"]) == 3
    assert client.get(SEARCH, {"q": "glacier", "page": 9}).status_code == 404


def test_search_box_is_on_every_page(client, published_article):
    for url in (reverse("articles:home"), published_article.get_absolute_url()):
        html = client.get(url).content.decode()
        assert f'action="{SEARCH}"' in html and 'name="q"' in html


@pytest.mark.parametrize("matches", [2, 30])
def test_search_query_count_is_fixed(client, django_assert_max_num_queries, matches):
    authors = UserFactory.create_batch(2, is_staff=True)
    for n in range(matches):
        ArticleFactory(title=f"Glacier {n}", authors=authors)
    # count + ranked page of articles with sections + authors + section navigation
    with django_assert_max_num_queries(4):
        assert client.get(SEARCH, {"q": "glacier"}).status_code == 200
