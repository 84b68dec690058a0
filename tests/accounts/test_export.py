"""A reader downloads everything the site keeps about them as JSON (GDPR articles 15 and 20)."""

import json

import pytest
from django.urls import reverse

from comments import moderation
from notifications.models import MutedThread, Preferences
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("accounts:export")


def test_the_export_holds_profile_comments_and_reports(
    client, reader, other_reader, published_article, settings
):
    reader.terms_version = "2026-12-01"
    reader.save()
    mine = CommentFactory(article=published_article, author=reader, body="My view on it.")
    theirs = CommentFactory(article=published_article, author=other_reader, body="Theirs.")
    CommentFactory(author=other_reader)  # another reader's data never appears
    moderation.report_comment(reporter=reader, comment=theirs, reason="spam", note="Looks paid.")
    client.force_login(reader)

    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    profile = data["profile"]
    assert profile["username"] == "reader" and profile["email"] == "reader@example.com"
    assert profile["first_name"] == reader.first_name
    assert profile["signed_up_at"] == reader.date_joined.isoformat()
    assert profile["last_login_at"] is not None  # force_login logs a login
    assert profile["terms_version_accepted"] == "2026-12-01"
    assert data["comments"] == [
        {
            "id": mine.pk,
            "article": published_article.title,
            "article_url": settings.SITE_URL + published_article.get_absolute_url(),
            "in_reply_to": None,
            "status": "Visible",
            "text": "My view on it.",
            "written_at": mine.created_at.isoformat(),
            "edited_at": None,
        }
    ]
    assert [(r["comment"], r["reason"], r["note"]) for r in data["reports"]] == [
        (theirs.pk, "Spam", "Looks paid.")
    ]
    assert "Theirs." not in response.content.decode()


def test_the_export_lists_the_comments_the_reader_recommended(
    client, reader, other_reader, published_article, settings
):
    theirs = CommentFactory(article=published_article, author=other_reader)
    moderation.recommend(reader=reader, comment=theirs)
    client.force_login(reader)

    (recommended,) = client.get(EXPORT).json()["recommendations"]

    assert recommended["comment"] == theirs.pk
    assert recommended["article"] == published_article.title
    assert recommended["comment_url"] == settings.SITE_URL + theirs.get_absolute_url()


def test_the_export_costs_the_same_few_queries_however_much_there_is(
    client, reader, django_assert_max_num_queries
):
    for article in ArticleFactory.create_batch(3):
        CommentFactory.create_batch(4, article=article, author=reader)
    client.force_login(reader)
    # Session and user, then one query per section.
    with django_assert_max_num_queries(8):
        data = client.get(EXPORT).json()
    assert len(data["comments"]) == 12


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(EXPORT)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_settings_page_links_to_the_export(client, reader):
    client.force_login(reader)
    assert f'href="{EXPORT}"' in client.get(reverse("accounts:settings")).content.decode()


def test_the_export_holds_the_notification_settings(client, reader, published_article, settings):
    thread = CommentFactory(article=published_article)
    Preferences.objects.create(user=reader, reply_email="daily", moderation_email=False)
    MutedThread.objects.create(user=reader, thread=thread)
    client.force_login(reader)

    assert client.get(EXPORT).json()["notification_settings"] == {
        "reply_emails": "In a daily digest",
        "moderation_emails": False,
        "muted_conversations": [settings.SITE_URL + thread.get_absolute_url()],
    }
