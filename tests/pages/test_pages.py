"""Community guidelines, privacy notice and terms: edited by editors, linked everywhere."""

import pytest
from django.urls import reverse

from accounts.models import User
from pages.models import Page

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(privacy_page, terms_page):
    guidelines = Page.objects.create(
        kind=Page.Kind.GUIDELINES, title="Community guidelines", body="**Be civil.**", version="1"
    )
    return {"guidelines": guidelines, "privacy": privacy_page, "terms": terms_page}


@pytest.mark.parametrize("kind", ["guidelines", "privacy", "terms"])
def test_each_page_is_served_at_its_address(client, pages, kind):
    response = client.get(f"/{kind}/")
    assert response.status_code == 200
    assert pages[kind].title in response.content.decode()


def test_page_text_is_markdown_made_safe(client, pages):
    pages["guidelines"].body = "**Be civil.** <script>alert(1)</script>"
    pages["guidelines"].save()
    html = client.get("/guidelines/").content.decode()
    assert "<strong>Be civil.</strong>" in html
    assert "<script>alert(1)</script>" not in html


def test_a_missing_page_is_a_404_not_an_error(client):
    assert client.get("/terms/").status_code == 404


def test_the_footer_links_to_every_page(client, published_article):
    html = client.get(published_article.get_absolute_url()).content.decode()
    for path in ("/guidelines/", "/privacy/", "/terms/"):
        assert f'href="{path}"' in html


def test_the_sign_up_form_links_to_the_terms_and_guidelines(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert 'href="/terms/"' in html and 'href="/guidelines/"' in html and 'href="/privacy/"' in html


def sign_up(client, **extra):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": "newcomer",
            "email": "new@example.com",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
            **extra,
        },
    )


def test_sign_up_records_the_accepted_terms_version_and_time(client, terms_page):
    assert sign_up(client, accept_terms="on").status_code == 302
    user = User.objects.get(username="newcomer")
    assert user.terms_version == "2026-12-01"
    assert user.terms_accepted_at is not None
    assert abs((user.terms_accepted_at - user.date_joined).total_seconds()) < 5


def test_sign_up_needs_the_terms_accepted(client, terms_page):
    response = sign_up(client)
    assert "Please accept the terms of use" in response.content.decode()
    assert not User.objects.exists()


def test_editors_edit_the_pages_in_the_admin(client, editor, pages):
    client.force_login(editor)
    url = reverse("admin:pages_page_change", args=[pages["terms"].pk])
    response = client.post(
        url, {"kind": "terms", "title": "Terms of use", "body": "New terms.", "version": "2"}
    )
    assert response.status_code == 302
    assert "New terms." in client.get("/terms/").content.decode()


def test_readers_cannot_edit_the_pages(client, reader, pages):
    client.force_login(reader)
    url = reverse("admin:pages_page_change", args=[pages["terms"].pk])
    assert client.get(url).status_code == 302  # to the admin's log-in
    refused = client.post(url, {"kind": "terms", "title": "x", "body": "x", "version": "9"})
    assert refused.status_code == 302
    pages["terms"].refresh_from_db()
    assert pages["terms"].version == "2026-12-01"


def test_the_demo_seeds_all_three_pages(db):
    from newsroom.demo import pages as demo_pages

    demo_pages.seed()
    demo_pages.seed()  # idempotent
    assert sorted(Page.objects.values_list("kind", flat=True)) == ["guidelines", "privacy", "terms"]
