"""The notifications admin: muted conversations and notifications, as an administrator
finds them. A muted conversation points at a comment, and the comment's choices in its
form are ordered the way the comments admin says (which the moderation queue shapes)."""

import pytest
from django.urls import reverse

from notifications import workflows
from notifications.models import MutedThread

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_muted_conversation(client, superuser, author, comment):
    client.force_login(superuser)
    add = reverse("admin:notifications_mutedthread_add")
    assert client.get(add).status_code == 200
    response = client.post(add, {"user": author.pk, "thread": comment.pk})
    assert response.status_code == 302
    assert MutedThread.objects.filter(user=author, thread=comment).exists()


def test_an_administrator_opens_a_muted_conversation(client, superuser, author, comment):
    workflows.mute_thread(user=author, thread_id=comment.pk)
    client.force_login(superuser)
    muted = MutedThread.objects.get()
    for url in (
        reverse("admin:notifications_mutedthread_changelist"),
        reverse("admin:notifications_mutedthread_change", args=[muted.pk]),
    ):
        assert client.get(url).status_code == 200
