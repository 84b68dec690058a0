import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from comments import moderation
from comments.models import Comment
from notifications.models import Preferences
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_reply_reaches_its_reader_in_the_header_and_by_email(
    new_page, screenshot, log_in, published_article, mailoutbox
):
    UserFactory(username="ann", first_name="Ann", last_name="Smith")
    bea = UserFactory(username="bea", first_name="Bea", last_name="Jones")
    first = moderation.post_comment(
        author=bea, article=published_article, body="The barrier is overdue."
    )
    url = published_article.get_absolute_url()

    # Reader A replies to reader B's comment.
    ann = new_page()
    log_in(ann, "ann", next_path=url)
    ann.locator(f"#comment-{first.pk}").get_by_role("link", name="Reply").click()
    ann.fill("#id_body", "Overdue and over budget.")
    ann.get_by_role("button", name="Post comment").click()
    reply = Comment.objects.get(author__username="ann")
    expect(ann.locator(f"#comment-{reply.pk}")).to_contain_text("over budget")
    expect(ann.locator(".account-nav__replies")).to_have_text("Replies")  # nothing for Ann

    # B logs in and sees "Replies 1"; it leads to A's reply, and then counts nothing new.
    page = new_page()
    log_in(page, "bea", next_path=url)
    expect(page.locator(".account-nav__replies")).to_have_text("Replies 1")
    screenshot(page, "notifications-header")
    page.locator(".account-nav__replies").click()
    expect(page.locator("h1")).to_have_text("Your notifications")
    screenshot(page, "notifications-page")
    page.get_by_role("link", name="Ann Smith replied to your comment").click()
    page.wait_for_url(f"**{url}*#comment-{reply.pk}")
    expect(page.locator(f"#comment-{reply.pk}")).to_be_in_viewport()
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("Overdue and over budget.")
    expect(page.locator(".account-nav__replies")).to_have_text("Replies")

    # The e-mail B got has a working unsubscribe link, no login needed.
    [email] = [m for m in mailoutbox if m.to == [bea.email]]
    assert "Overdue and over budget." in email.body
    link = re.search(r"Unsubscribe from all notification e-mails: (\S+)", email.body).group(1)
    assert email.extra_headers["List-Unsubscribe"] == f"<{link}>"
    stranger = new_page()
    stranger.goto(link.removeprefix(settings.SITE_URL))
    stranger.get_by_role("button", name="Unsubscribe").click()
    expect(stranger.locator("h1")).to_have_text("You are unsubscribed")
    screenshot(stranger, "notifications-unsubscribed")
    assert Preferences.objects.get(user=bea).reply_email == "never"
