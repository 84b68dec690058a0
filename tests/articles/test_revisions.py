import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from tests.factories import ArticleFactory, SectionFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def _form(section, **changes):
    data = {
        "title": "Budget passes",
        "slug": "budget-passes",
        "section": section.pk,
        "standfirst": "A close vote.",
        "body": "The budget passed by two votes.",
        "status": "published",
        "published_at_0": "01/03/2024",
        "published_at_1": "09:00:00",
        "comments_enabled": "on",
    }
    return {**data, **changes}


@pytest.fixture
def edited_article(client, editor):
    """An article created and then edited in the admin: two revisions."""
    section = SectionFactory()
    client.force_login(editor)
    response = client.post(reverse("admin:articles_article_add"), _form(section))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        _form(section, title="Budget passes narrowly", body="The budget passed by one vote."),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return article


def test_each_admin_save_keeps_a_revision_with_its_author(edited_article, editor):
    versions = Version.objects.get_for_object(edited_article)
    assert versions.count() == 2
    assert {v.revision.user for v in versions} == {editor}
    assert versions[0].field_dict["title"] == "Budget passes narrowly"
    assert versions[1].field_dict["title"] == "Budget passes"


def test_history_lists_who_when_and_what_changed(client, edited_article, editor):
    html = client.get(
        reverse("admin:articles_article_history", args=[edited_article.pk])
    ).content.decode()
    assert editor.username in html
    assert "Changed Title and Body." in html
    assert html.count("What changed</a>") == 2


def test_what_changed_view_shows_the_differences(client, edited_article):
    newest = Version.objects.get_for_object(edited_article)[0]
    url = reverse("admin:articles_article_history", args=[edited_article.pk])
    response = client.get(f"{url}{newest.pk}/changes/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "− Budget passes</span>" in html and "+ Budget passes narrowly</span>" in html
    assert "+ The budget passed by one vote.</span>" in html
    assert "Standfirst" not in html  # unchanged fields are left out
    # Styles from our stylesheet: the Content-Security-Policy blocks inline <style>.
    assert "<style" not in html and "css/articles-admin.css" in html


def test_restoring_a_revision_brings_back_the_old_text(client, edited_article, editor):
    oldest = Version.objects.get_for_object(edited_article).last()
    url = reverse("admin:articles_article_revision", args=[edited_article.pk, oldest.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="Budget passes"' in form.content.decode()
    edited_article.refresh_from_db()
    assert edited_article.title == "Budget passes narrowly"  # viewing changes nothing

    response = client.post(url, _form(edited_article.section))
    assert response.status_code == 302
    edited_article.refresh_from_db()
    assert edited_article.title == "Budget passes"
    assert edited_article.body_html == "<p>The budget passed by two votes.</p>"
    newest = Version.objects.get_for_object(edited_article)[0]
    assert newest.revision.user == editor
    assert "Reverted" in newest.revision.get_comment()


def test_revisions_keep_tags(client, editor):
    section, tag = SectionFactory(), TagFactory(name="Budget")
    client.force_login(editor)
    client.post(reverse("admin:articles_article_add"), _form(section, tags=[tag.pk]))
    article = Article.objects.get()
    assert Version.objects.get_for_object(article)[0].field_dict["tags"] == [tag.pk]


def test_publishing_from_the_list_is_recorded(client, editor):
    section = SectionFactory()
    client.force_login(editor)
    client.post(reverse("admin:articles_article_add"), _form(section, status="draft"))
    article = Article.objects.get()
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [article.pk]},
    )
    newest = Version.objects.get_for_object(article)[0]
    assert newest.revision.get_comment() == "Published." and newest.revision.user == editor


def test_history_needs_article_permissions(client, edited_article):
    staff = UserFactory(username="intern", is_staff=True)
    client.force_login(staff)
    newest = Version.objects.get_for_object(edited_article)[0]
    url = reverse("admin:articles_article_history", args=[edited_article.pk])
    assert client.get(url).status_code == 403
    assert client.get(f"{url}{newest.pk}/changes/").status_code == 403


def test_substantive_update_stamps_the_updated_line(client, editor):
    section = SectionFactory()
    client.force_login(editor)
    client.post(reverse("admin:articles_article_add"), _form(section))
    article = Article.objects.get()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Updated" not in html
    client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        _form(section, body="Corrected figures.", substantive_update="on"),
    )
    article.refresh_from_db()
    assert article.revised_at is not None and article.is_revised
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<p class="article__updated">Updated <time' in html


def test_restoring_a_revision_drops_the_address_it_leaves(client, editor):
    section = SectionFactory()
    client.force_login(editor)
    client.post(reverse("admin:articles_article_add"), _form(section))
    article = Article.objects.get()
    client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        _form(section, slug="budget-passes-narrowly"),
    )
    reader = Client()
    assert reader.get("/articles/budget-passes-narrowly/").status_code == 200  # cached
    oldest = Version.objects.get_for_object(article).last()
    url = reverse("admin:articles_article_revision", args=[article.pk, oldest.pk])
    assert client.post(url, _form(section, status="draft")).status_code == 302
    assert reader.get("/articles/budget-passes-narrowly/").status_code == 404
    assert reader.get("/articles/budget-passes/").status_code == 404


def test_a_recovered_article_is_back_in_related_lists_at_once(client, editor):
    section = SectionFactory()
    shown = ArticleFactory(section=section)
    client.force_login(editor)
    client.post(reverse("admin:articles_article_add"), _form(section))
    article = Article.objects.get(slug="budget-passes")
    reader = Client()
    assert "Budget passes" in reader.get(shown.get_absolute_url()).content.decode()
    client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    assert "Budget passes" not in reader.get(shown.get_absolute_url()).content.decode()
    deleted = Version.objects.get_deleted(Article).get()
    url = reverse("admin:articles_article_recover", args=[deleted.pk])
    assert client.post(url, _form(section)).status_code == 302
    assert "Budget passes" in reader.get(shown.get_absolute_url()).content.decode()
