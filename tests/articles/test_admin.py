import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Article
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_editors_group_has_exactly_article_section_tag_page_and_featuring_permissions():
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )
    assert codenames == {
        f"{action}_{model}"
        for model in ("article", "section", "tag")
        for action in ("add", "change", "delete", "view")
    } | {"add_page", "change_page", "view_page"} | {"feature_comment"}  # pages are never deleted


def test_editor_creates_and_publishes_article_through_admin(client, editor):
    section = SectionFactory(name="Politics")
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Budget passes narrowly",
            "slug": "",
            "section": section.pk,
            "authors": [editor.pk],
            "standfirst": "A close vote.",
            "body": "The **budget** passed.",
            "status": "draft",
            "published_at_0": "",
            "published_at_1": "",
            "comments_enabled": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(title="Budget passes narrowly")
    assert article.slug == "budget-passes-narrowly"
    assert client.get(article.get_absolute_url()).status_code == 200  # staff preview
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404

    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [article.pk]},
    )
    assert response.status_code == 302
    client.logout()
    response = client.get(reverse("articles:home"))
    assert "Budget passes narrowly" in response.content.decode()


def test_unpublish_action_hides_article(client, editor, published_article):
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish_selected", "_selected_action": [published_article.pk]},
    )
    client.logout()
    assert client.get(published_article.get_absolute_url()).status_code == 404


def test_admin_changelist_marks_scheduled_articles(client, editor):
    ArticleFactory(scheduled=True, title="Future piece")
    client.force_login(editor)
    html = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Scheduled for" in html


def test_reader_cannot_reach_article_admin(client, reader, published_article):
    client.force_login(reader)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish_selected", "_selected_action": [published_article.pk]},
    )
    assert response.status_code == 302 and "/login/" in response["Location"]
    published_article.refresh_from_db()
    assert published_article.is_public
