"""What readers are told (replies to them, moderators' decisions on their comments)
and how they want to be told."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from comments.models import Comment


class NotificationQuerySet(models.QuerySet):
    def for_reader(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def replies(self):
        return self.filter(kind=Notification.Kind.REPLY)

    def shown(self):
        """What the reader is shown: not replies hidden (or deleted) since they were told."""
        return self.filter(
            ~Q(kind=Notification.Kind.REPLY) | Q(comment__status=Comment.Status.VISIBLE)
        )

    def awaiting_email(self):
        """Replies not yet e-mailed (nor read on the site: then there is nothing to tell)."""
        return self.replies().unread().filter(emailed_at__isnull=True)

    def in_thread(self, thread_id):
        return self.filter(thread_id=thread_id)


class Notification(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", "Reply to your comment"
        APPROVED = "approved", "Your comment was approved"
        HIDDEN = "hidden", "Your comment was hidden"
        FEATURED = "featured", "Your comment was featured"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    # The reply (REPLY), or the recipient's own comment (APPROVED, HIDDEN, FEATURED).
    comment = models.ForeignKey(
        "comments.Comment", on_delete=models.CASCADE, related_name="notifications"
    )
    # The conversation's top-level comment: what a reader mutes, and what e-mails group by.
    thread = models.ForeignKey("comments.Comment", on_delete=models.CASCADE, related_name="+")
    # For HIDDEN: the moderator's reason (Comment.HideReason), as it was when hidden.
    reason = models.CharField(max_length=24, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["reply", "approved", "hidden", "featured"]),
                name="notification_kind_valid",
            ),
            # A reply approved, held again after an edit and approved again is told once.
            models.UniqueConstraint(
                fields=["recipient", "comment"],
                condition=Q(kind="reply"),
                name="one_reply_notification",
            ),
        ]
        indexes = [
            # The header's unread count, on every page a logged-in reader views.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_list_idx"),
            models.Index(
                fields=["recipient", "thread"],
                condition=Q(kind="reply", emailed_at__isnull=True),
                name="notification_email_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient}"

    def get_absolute_url(self):
        """Where the notification leads: the comment, in its place on the article's page."""
        return reverse("comments:permalink", kwargs={"pk": self.comment_id})

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def reason_label(self) -> str:
        """The hide reason in readers' words."""
        if self.reason in Comment.HideReason.values:
            return Comment.HideReason(self.reason).label
        return Comment.HideReason.OTHER.label


class Preferences(models.Model):
    """How one reader wants to be told; a reader without a row has the defaults."""

    class ReplyEmail(models.TextChoices):
        IMMEDIATELY = "immediately", "Immediately (at most one e-mail per conversation at a time)"
        DAILY = "daily", "In a daily digest"
        NEVER = "never", "Never"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preferences",
    )
    reply_email = models.CharField(
        "e-mail me about replies", max_length=12, choices=ReplyEmail, default=ReplyEmail.IMMEDIATELY
    )
    moderation_email = models.BooleanField(
        "e-mail me when a moderator approves, hides or features my comment", default=True
    )
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(reply_email__in=["immediately", "daily", "never"]),
                name="preferences_reply_email_valid",
            ),
        ]

    def __str__(self):
        return f"Notification preferences of {self.user}"

    @classmethod
    def of(cls, user) -> "Preferences":
        """The reader's preferences (the defaults, unsaved, if they never chose); no query
        when the user was loaded with select_related("notification_preferences").

        An address not yet confirmed gets no e-mail by default: it may not be theirs."""
        try:
            return user.notification_preferences
        except cls.DoesNotExist:
            if user.email_confirmed:
                return cls(user=user)
            return cls(user=user, reply_email=cls.ReplyEmail.NEVER, moderation_email=False)


class MutedThread(models.Model):
    """A conversation a reader no longer wants to hear about."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_threads"
    )
    thread = models.ForeignKey("comments.Comment", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="one_mute_per_thread"),
        ]

    def __str__(self):
        return f"{self.user} muted thread {self.thread_id}"
