"""Moderators' decisions on a reader's comment are told to its author."""

import pytest
from django.urls import reverse

from comments import moderation
from notifications.models import Notification, Preferences

pytestmark = pytest.mark.django_db


def test_a_hidden_comment_tells_its_author_the_rule_and_links_the_guidelines(
    client, author, comment, moderator, mailoutbox, settings
):
    settings.COMMUNITY_GUIDELINES_URL = "/guidelines/"
    moderation.hide(comment=comment, moderator=moderator, reason="off_topic")
    [notice] = Notification.objects.for_reader(author)
    assert (notice.kind, notice.reason) == ("hidden", "off_topic")
    [email] = mailoutbox
    assert "was hidden" in email.subject
    assert "The reason: Off-topic." in email.body
    assert f"{settings.SITE_URL}/guidelines/" in email.body
    client.force_login(author)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "The reason: Off-topic." in page and 'href="/guidelines/"' in page


def test_an_approved_held_comment_tells_its_author(
    author, published_article, moderator, mailoutbox
):
    published_article.premoderate_comments = True
    published_article.save()
    held = moderation.post_comment(author=author, article=published_article, body="Wait for it")
    assert held.is_pending and mailoutbox == []
    moderation.approve(comment=held, moderator=moderator)
    assert [n.kind for n in Notification.objects.for_reader(author)] == ["approved"]
    assert "is published" in mailoutbox[0].subject


def test_approving_a_visible_reported_comment_tells_nobody(author, comment, moderator, mailoutbox):
    moderation.approve(comment=comment, moderator=moderator)
    assert not Notification.objects.exists() and mailoutbox == []


def test_moderation_emails_can_be_turned_off(author, comment, moderator, mailoutbox):
    Preferences.objects.create(user=author, moderation_email=False)
    moderation.hide(comment=comment, moderator=moderator, reason="spam")
    assert Notification.objects.for_reader(author).count() == 1 and mailoutbox == []


def test_a_ban_that_hides_comments_sends_no_notices(author, comment, moderator, mailoutbox):
    moderation.ban(user=author, moderator=moderator, reason="Abuse", days=3, hide_comments=True)
    assert not Notification.objects.exists() and mailoutbox == []


def test_a_featured_comment_tells_its_author_once(client, author, comment, moderator, mailoutbox):
    moderation.feature(comment=comment, moderator=moderator)
    moderation.feature(comment=comment, moderator=moderator)  # already featured: nothing new

    [notice] = Notification.objects.for_reader(author)
    assert notice.kind == "featured"
    [email] = mailoutbox
    assert "is featured" in email.subject and comment.get_absolute_url() in email.body
    client.force_login(author)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "was featured by our editors" in page
    assert f'href="{comment.get_absolute_url()}"' in page


def test_unfeaturing_tells_nobody(author, comment, moderator, mailoutbox):
    moderation.feature(comment=comment, moderator=moderator)
    moderation.unfeature(comment=comment, moderator=moderator)
    assert Notification.objects.for_reader(author).count() == 1 and len(mailoutbox) == 1


def test_the_setting_that_stops_featured_emails_says_so(
    client, author, comment, moderator, mailoutbox
):
    """Featuring is e-mailed under the moderators'-decisions choice: its label says so."""
    client.force_login(author)
    settings_page = client.get(reverse("accounts:settings")).content.decode()
    assert "when a moderator approves, hides or features my comment" in settings_page
    client.post(reverse("notifications:preferences"), {"reply_email": "never"})  # box unticked
    moderation.feature(comment=comment, moderator=moderator)
    assert Notification.objects.for_reader(author).get().kind == "featured"
    assert mailoutbox == []
