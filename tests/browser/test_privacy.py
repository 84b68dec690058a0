"""A reader's whole life on the site: sign up, confirm, comment, export, delete."""

import json

import pytest
from playwright.sync_api import expect

from accounts.models import User
from comments import moderation
from comments.models import Comment
from newsroom.demo import pages as demo_pages
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-unusual-passphrase"


def test_a_reader_signs_up_confirms_comments_exports_and_deletes_their_account(
    new_page, screenshot, confirm_email, published_article
):
    demo_pages.seed()
    url = published_article.get_absolute_url()
    page = new_page()
    page.goto(url)

    # Sign up, reading the terms on the way.
    page.get_by_role("link", name="Sign up", exact=True).click()
    expect(page.get_by_role("link", name="terms of use", exact=True)).to_have_attribute(
        "href", "/terms/"
    )
    page.fill("#id_username", "nia")
    page.fill("#id_email", "nia@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_accept_terms")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".messages")).to_contain_text("please follow it to confirm your address")
    assert User.objects.get(username="nia").terms_version == demo_pages.VERSION

    # Confirm the address through the link in the captured e-mail.
    page.goto("/accounts/settings/")
    expect(page.get_by_text("Not confirmed yet")).to_be_visible()
    # Opening the link (as a mail scanner would) only shows its page; the button confirms.
    confirm_email(page, "nia@example.com", press=False)
    expect(page.get_by_role("heading", name="Confirm your e-mail address")).to_be_visible()
    assert not User.objects.get(username="nia").email_confirmed
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("nia@example.com is confirmed")
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()

    # Comment (published at once, now the address is confirmed); another reader replies.
    page.goto(url)
    page.fill("#id_body", "The council should publish the full costs.")
    page.get_by_role("button", name="Post comment").click()
    mine = Comment.objects.get(author__username="nia")
    assert mine.is_visible
    bea = UserFactory(username="bea", first_name="Bea", last_name="Quinn")
    reply = moderation.post_comment(
        author=bea, article=published_article, body="Agreed, all of them.", parent=mine
    )

    # Export: a JSON file with the comment and a link to its article.
    page.goto("/accounts/settings/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your data").click()
    data = json.loads(download_info.value.path().read_text())
    assert data["profile"]["username"] == "nia"
    assert data["profile"]["email_confirmed_at"]
    assert [c["text"] for c in data["comments"]] == ["The council should publish the full costs."]
    assert data["comments"][0]["article_url"].endswith(url)
    screenshot(page, "privacy-settings")

    # Delete the account, with the password.
    page.get_by_role("link", name="Delete your account").click()
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".messages")).to_contain_text("Your account is deleted")
    account_nav = page.get_by_role("navigation", name="Account")
    expect(account_nav.get_by_role("link", name="Log in")).to_be_visible()

    # The thread: the reader is gone, the reply stays where it was.
    page.goto(url)
    expect(page.locator(f"#comment-{mine.pk}")).to_contain_text("Deleted reader")
    expect(page.locator(f"#comment-{mine.pk}")).not_to_contain_text("full costs")
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("Agreed, all of them.")
    expect(page.locator("#comments-heading")).to_have_text("Comments 1")
    screenshot(page, "privacy-deleted-reader-thread")
    assert not User.objects.filter(username="nia").exists()
