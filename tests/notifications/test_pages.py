"""The header's "Replies N" and the notifications page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_header_counts_unread_and_the_page_marks_them_read(client, author, comment, reply):
    answer = reply("Look here")
    reply("And here")
    client.force_login(author)
    home = client.get(reverse("articles:home")).content.decode()
    assert 'Replies <span class="badge badge--count" title="unread">2</span>' in home
    page = client.get(reverse("notifications:list")).content.decode()
    assert f'href="/comments/{answer.pk}/"' in page
    assert page.count("notification--unread") == 2  # shown as new this once
    assert ">Replies</a>" in page and "badge--count" not in page  # ...and no longer counted
    assert not Notification.objects.unread().exists()
    home = client.get(reverse("articles:home")).content.decode()
    assert ">Replies</a>" in home and "badge--count" not in home


def test_the_link_lands_on_the_reply(client, author, reply):
    answer = reply("Land on me")
    client.force_login(author)
    response = client.get(reverse("comments:permalink", args=[answer.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{answer.pk}")


def test_the_page_needs_a_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_readers_have_no_replies_link(client, published_article):
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert reverse("notifications:list") not in html


def test_muting_a_thread_that_does_not_exist_is_a_message_not_an_error(client, author):
    client.force_login(author)
    response = client.post(reverse("notifications:mute", args=[999999]), follow=True)
    assert response.status_code == 200
    assert "That conversation no longer exists." in response.content.decode()


def test_mute_is_post_only(client, author, comment):
    client.force_login(author)
    assert client.get(reverse("notifications:mute", args=[comment.pk])).status_code == 405


def test_a_reply_hidden_after_it_was_told_disappears_from_the_page_and_count(
    client, author, reply, moderator
):
    answer = reply("Rude words")
    reply("Kind words")
    from comments import moderation

    moderation.hide(comment=answer, moderator=moderator, reason="abuse")
    client.force_login(author)
    home = client.get(reverse("articles:home")).content.decode()
    assert 'title="unread">1</span>' in home
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Kind words" in page and "Rude words" not in page


def test_when_says_how_long_ago_in_words(client, author, reply):
    """A reply of a moment ago is not "0 minutes ago"; an older one counts its hours."""
    reply("Just now")
    earlier = reply("This morning")
    Notification.objects.filter(comment=earlier).update(
        created_at=timezone.now() - timedelta(hours=3, minutes=5)
    )
    client.force_login(author)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "0 minutes" not in page
    assert re.search(r">(now|\d+\s+seconds? ago)</time>", page)
    assert re.search(r">3\s+hours ago</time>", page)  # with a non-breaking space
