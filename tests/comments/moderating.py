"""What the moderation tests share: the queue's address, a one-click decision, reports."""

from django.urls import reverse

from comments import moderation
from tests.factories import UserFactory

QUEUE = reverse("admin:comments_comment_changelist")


def decide(client, comment, decision, follow=False, **extra):
    data = {"decision": decision, **extra}
    url = reverse("admin:comments_comment_decide", args=[comment.pk])
    return client.post(url, data, follow=follow)


def reported(comment, n=3, reason="abuse"):
    for reporter in UserFactory.create_batch(n):
        moderation.report_comment(reporter=reporter, comment=comment, reason=reason)
    comment.refresh_from_db()
    return comment
