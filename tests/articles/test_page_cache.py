"""The anonymous article page is cached whole, and dropped whenever what it shows changes."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import page_cache, publishing
from articles.models import Article
from comments import moderation
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    SectionFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_editing_the_article_shows_at_once(client, published_article):
    url = published_article.get_absolute_url()
    client.get(url)
    publishing.save_article(article=published_article, standfirst="A corrected standfirst")
    assert "A corrected standfirst" in client.get(url).content.decode()


def test_unpublishing_is_a_404_at_once(client, published_article):
    url = published_article.get_absolute_url()
    assert client.get(url).status_code == 200
    publishing.unpublish(article=published_article)
    assert client.get(url).status_code == 404


def test_byline_and_tag_changes_show_at_once(client, published_article, editor):
    url = published_article.get_absolute_url()
    client.get(url)
    writer = UserFactory(first_name="Zadie", last_name="Quill", is_staff=True)
    publishing.save_article(article=published_article, authors=[editor, writer])
    assert "Zadie Quill" in client.get(url).content.decode()
    publishing.save_article(article=published_article, tags=[TagFactory(name="Floods")])
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
    client, published_article, reader, editor
):
    url = published_article.get_absolute_url()
    client.force_login(reader)
    client.get(url)
    publishing.save_article(article=published_article, tags=[TagFactory(name="Estuary")])
    assert "Estuary" in client.get(url).content.decode()
    writer = UserFactory(first_name="Ines", last_name="Okoro", is_staff=True)
    publishing.save_article(article=published_article, authors=[editor, writer])
    assert "Ines Okoro" in client.get(url).content.decode()
    published_article.refresh_from_db()
    publishing.save_article(article=published_article, title="Barrier approved after all")
    assert "Barrier approved after all" in client.get(url).content.decode()


def test_changing_the_slug_and_unpublishing_in_one_save_drops_the_old_address(
    client, published_article
):
    old_url = published_article.get_absolute_url()
    assert client.get(old_url).status_code == 200  # now cached under the old slug
    publishing.save_article(
        article=published_article, slug="renamed-story", status=Article.Status.DRAFT
    )
    assert client.get(old_url).status_code == 404
    assert client.get(published_article.get_absolute_url()).status_code == 404


def test_renaming_a_public_article_drops_the_old_address(client, published_article):
    old_url = published_article.get_absolute_url()
    client.get(old_url)
    publishing.save_article(article=published_article, slug="renamed-story")
    assert client.get(old_url).status_code == 404
    assert client.get(published_article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("logged_in", [False, True])
def test_an_unpublished_article_leaves_related_lists_at_once(client, reader, logged_in):
    section = SectionFactory()
    article = ArticleFactory(section=section, title="The story on screen")
    other = ArticleFactory(section=section, title="A story about to be pulled")
    if logged_in:
        client.force_login(reader)
    url = article.get_absolute_url()
    assert "A story about to be pulled" in client.get(url).content.decode()
    publishing.unpublish(article=other)
    assert "A story about to be pulled" not in client.get(url).content.decode()


def test_a_deleted_article_leaves_related_lists_at_once(client):
    section = SectionFactory()
    article = ArticleFactory(section=section)
    other = ArticleFactory(section=section, title="A story about to be deleted")
    url = article.get_absolute_url()
    assert "A story about to be deleted" in client.get(url).content.decode()
    publishing.delete_article(article=other)
    assert "A story about to be deleted" not in client.get(url).content.decode()


def test_editing_a_draft_leaves_cached_pages_alone(client, published_article):
    draft = ArticleFactory(draft=True)
    version = page_cache.public_version()
    publishing.save_article(article=draft, title="Still a draft")
    assert page_cache.public_version() == version


def test_editing_a_public_articles_text_leaves_other_pages_cached(published_article):
    version = page_cache.public_version()
    publishing.save_article(article=published_article, body="A corrected paragraph.")
    assert page_cache.public_version() == version


@pytest.mark.parametrize("change", ["title", "section name"])
def test_what_related_lists_show_changes_at_once(client, change):
    section = SectionFactory(name="Weather")
    article = ArticleFactory(section=section)
    other = ArticleFactory(section=section, title="Storm due tonight")
    url = article.get_absolute_url()
    assert "Storm due tonight" in client.get(url).content.decode()
    if change == "title":
        publishing.save_article(article=other, title="Storm passes by")
        expected = "Storm passes by"
    else:
        section.name = "Climate"
        section.save()
        publishing.sections_changed()
        expected = "Climate"
    assert expected in client.get(url).content.decode().split('id="related-heading"')[1]


def test_one_admin_save_renaming_and_unpublishing_drops_the_old_address(
    client, editor, published_article
):
    old_url = published_article.get_absolute_url()
    assert client.get(old_url).status_code == 200  # cached for anonymous readers
    editor_client = Client()
    editor_client.force_login(editor)
    published = timezone.localtime(published_article.published_at)
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[published_article.pk]),
        {
            "title": published_article.title,
            "slug": "renamed-story",
            "section": published_article.section_id,
            "authors": [editor.pk],
            "standfirst": published_article.standfirst,
            "body": published_article.body,
            "status": "draft",
            "published_at_0": published.strftime("%Y-%m-%d"),
            "published_at_1": published.strftime("%H:%M:%S"),
            "comments_enabled": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert client.get(old_url).status_code == 404
    assert client.get("/articles/renamed-story/").status_code == 404


@pytest.fixture
def editor_client(editor):
    staff = Client()
    staff.force_login(editor)
    return staff


def _related(client, article) -> str:
    """The related-articles part of the article's page ("" when it has none)."""
    html = client.get(article.get_absolute_url()).content.decode()
    return html.partition('id="related-heading"')[2]


def test_articles_deleted_in_the_admin_leave_related_lists_at_once(client, editor_client):
    section = SectionFactory()
    article = ArticleFactory(section=section)
    one = ArticleFactory(section=section, title="Deleted from its own page")
    others = [ArticleFactory(section=section, title=f"Deleted from the list {n}") for n in (1, 2)]
    assert "Deleted from the list 2" in _related(client, article)
    editor_client.post(reverse("admin:articles_article_delete", args=[one.pk]), {"post": "yes"})
    editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [o.pk for o in others], "post": "yes"},
    )
    assert "Deleted from" not in _related(client, article)
    assert client.get(one.get_absolute_url()).status_code == 404


def test_a_section_renamed_in_the_admin_shows_at_once(client, editor_client):
    section = SectionFactory(name="Weather")
    article = ArticleFactory(section=section)
    ArticleFactory(section=section, title="Storm due tonight")
    assert "Weather" in _related(client, article)
    assert "Weather" in client.get(reverse("articles:home")).content.decode()  # navigation
    response = editor_client.post(
        reverse("admin:articles_section_change", args=[section.pk]),
        {"name": "Climate", "slug": section.slug, "description": "", "order": 0},
    )
    assert response.status_code == 302
    assert "Climate" in _related(client, article)
    assert "Climate" in client.get(reverse("articles:home")).content.decode()


def _admin_form(article, **changes):
    published = timezone.localtime(article.published_at)
    return {
        "title": article.title,
        "slug": article.slug,
        "section": article.section_id,
        "authors": [a.pk for a in article.authors.all()],
        "tags": [t.pk for t in article.tags.all()],
        "standfirst": article.standfirst,
        "body": article.body,
        "status": article.status,
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "comments_enabled": "on",
        **changes,
    }


def test_tags_changed_in_the_admin_change_related_lists_at_once(client, editor_client):
    rivers = TagFactory(name="Rivers")
    article = ArticleFactory(tags=[rivers])
    other = ArticleFactory(title="Canal reopens")
    assert "Canal reopens" not in _related(client, article)
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[other.pk]),
        _admin_form(other, tags=[rivers.pk]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "Canal reopens" in _related(client, article)


def test_an_admin_save_of_a_public_articles_text_leaves_other_pages_cached(editor_client):
    # Whole seconds, as the admin's form shows the time: saving it changes nothing.
    article = ArticleFactory(published_at=timezone.now().replace(microsecond=0))
    version = page_cache.public_version()
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        _admin_form(article, body="A corrected paragraph."),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert page_cache.public_version() == version


def test_anonymous_pages_carry_validators_and_answer_304_without_a_query(
    client, published_article, django_assert_num_queries
):
    url = published_article.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    control = first["Cache-Control"]
    assert "public" in control and "s-maxage=" in control and "stale-while-revalidate=" in control
    assert "Cookie" in first["Vary"]
    with django_assert_num_queries(0):
        again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and not again.content
    assert again["ETag"] == first["ETag"]
    since = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304


def test_a_change_makes_the_old_etag_get_the_new_page(client, published_article, reader):
    url = published_article.get_absolute_url()
    etag = client.get(url)["ETag"]
    moderation.post_comment(author=reader, article=published_article, body="Fresh remark")
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200 and "Fresh remark" in response.content.decode()
    assert response["ETag"] != etag


def test_logged_in_and_personal_pages_are_never_shared(client, published_article, reader):
    url = published_article.get_absolute_url()
    etag = client.get(url)["ETag"]
    client.force_login(reader)
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "public" not in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "ETag" not in response
    client.logout()
    with_page = client.get(url, {"page": 1})
    assert "public" not in with_page.get("Cache-Control", "")


def test_a_response_setting_a_cookie_is_never_public(client, published_article, monkeypatch):
    from articles import views

    render = views.ArticleDetailView.render_from_shell

    def setting_a_cookie(self, request):
        response = render(self, request)
        response.set_cookie("seen", "1")
        return response

    monkeypatch.setattr(views.ArticleDetailView, "render_from_shell", setting_a_cookie)
    response = client.get(published_article.get_absolute_url())
    assert "public" not in response["Cache-Control"] and "ETag" not in response


def test_with_the_cache_down_pages_are_correct_and_carry_no_validators(
    client, published_article, reader, monkeypatch
):
    from django.core.cache import cache

    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)
    monkeypatch.setattr(cache, "get_many", lambda *args, **kwargs: {})
    url = published_article.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200 and "ETag" not in first
    moderation.post_comment(author=reader, article=published_article, body="Shown anyway")
    response = client.get(url, headers={"if-modified-since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert response.status_code == 200 and "Shown anyway" in response.content.decode()


def test_the_anonymous_page_says_whether_it_came_from_the_cache(client, published_article):
    url = published_article.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    moderation.post_comment(
        author=UserFactory(), article=published_article, body="A change to the conversation"
    )
    assert client.get(url)["X-Page-Cache"] == "miss"
