from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from newsroom.models import User

from . import text


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(status=Comment.Status.VISIBLE)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def hidden(self):
        return self.filter(status=Comment.Status.HIDDEN)

    def for_article(self, article):
        return self.filter(article=article)

    def public(self):
        """Visible comments on public articles: what any reader may see."""
        from articles.models import Article

        return self.visible().filter(article__in=Article.objects.public())

    def shown_to(self, user):
        """Comments this reader sees in full: visible ones, plus their own held or removed ones."""
        if not user.is_authenticated:
            return self.visible()
        return self.filter(
            Q(status=Comment.Status.VISIBLE)
            | Q(author=user, status__in=[Comment.Status.PENDING, Comment.Status.HIDDEN])
        )

    def thread_roots(self, user):
        """Top-level comments starting a thread this reader sees (in full or as a placeholder)."""
        shown = Comment.objects.shown_to(user)
        return self.filter(parent=None).filter(
            Exists(shown.filter(pk=OuterRef("pk"))) | Exists(shown.filter(root=OuterRef("pk")))
        )

    def in_threads(self, root_ids):
        """Every comment of these threads, in the order they were written."""
        return self.filter(Q(pk__in=root_ids) | Q(root__in=root_ids)).order_by("created_at", "pk")


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        PENDING = "pending", "Pending review"
        HIDDEN = "hidden", "Hidden by a moderator"
        DELETED = "deleted", "Deleted by its author"

    class HideReason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Harassment or abuse"
        OFF_TOPIC = "off_topic", "Off-topic"
        PERSONAL_INFORMATION = "personal_information", "Personal information"
        OTHER = "other", "Breaks the community guidelines"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The top-level comment of the thread, so a page of threads is one query.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField()
    body_html = models.TextField(editable=False, default="")
    status = models.CharField(max_length=10, choices=Status, default=Status.VISIBLE)
    hidden_reason = models.CharField(max_length=24, choices=HideReason, blank=True)
    hidden_note = models.TextField(blank=True)
    # Once a moderator approves a comment, reports no longer hold it automatically.
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Any change to the row, including moderation: part of the rendered-fragment cache key.
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("moderate_comment", "Can moderate comments")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["visible", "pending", "hidden", "deleted"]),
                name="comment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, root__isnull=True)
                | Q(parent__isnull=False, root__isnull=False),
                name="comment_reply_has_root",
            ),
        ]
        indexes = [
            models.Index(
                fields=["article", "parent", "status", "created_at"], name="comment_roots_idx"
            ),
            models.Index(fields=["root", "status"], name="comment_thread_idx"),
            models.Index(fields=["author", "status", "-created_at"], name="comment_author_idx"),
            models.Index(fields=["status", "-created_at"], name="comment_status_idx"),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author} on {self.article}"

    def save(self, *args, **kwargs):
        self.body_html = text.render(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html", "updated_at"}
        elif update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.VISIBLE

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    def place_under(self, parent):
        """Attach as a reply; past the maximum depth a reply joins its parent's level."""
        self.parent = parent
        self.root_id = parent.root_id or parent.pk
        self.depth = min(parent.depth + 1, settings.COMMENTS_MAX_DEPTH - 1)

    def editable_until(self):
        return self.created_at + settings.COMMENTS_EDIT_WINDOW

    def can_edit(self, user) -> bool:
        return (
            user.is_authenticated
            and user.pk == self.author_id
            and self.status in (self.Status.VISIBLE, self.Status.PENDING)
            and timezone.now() < self.editable_until()
        )

    def can_delete(self, user) -> bool:
        return (
            user.is_authenticated
            and user.pk == self.author_id
            and self.status != self.Status.DELETED
        )


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class Report(models.Model):
    """A reader's flag on a comment; one per reader per comment."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Harassment or abuse"
        OFF_TOPIC = "off_topic", "Off-topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    reason = models.CharField(max_length=12, choices=Reason)
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_reader"),
            models.CheckConstraint(
                condition=Q(reason__in=["spam", "abuse", "off_topic", "other"]),
                name="report_reason_valid",
            ),
        ]
        indexes = [models.Index(fields=["comment", "resolved_at"], name="report_open_idx")]

    def __str__(self):
        return f"{self.get_reason_display()} report on comment {self.comment_id}"


class BanQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(lifted_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class Ban(models.Model):
    """A reader barred from commenting and reporting, for a time or for good."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bans"
    )
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bans_issued"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: permanent.")
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = BanQuerySet.as_manager()

    class Meta:
        permissions = [("ban_commenter", "Can ban commenters")]
        indexes = [models.Index(fields=["user", "lifted_at", "expires_at"], name="ban_active_idx")]

    def __str__(self):
        until = f"until {self.expires_at:%d %b %Y}" if self.expires_at else "permanently"
        return f"{self.user} banned {until}"

    @property
    def is_permanent(self) -> bool:
        return self.expires_at is None

    @property
    def is_active(self) -> bool:
        """The same rule as BanQuerySet.active(), for a ban already in hand."""
        return self.lifted_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class ReaderNote(models.Model):
    """Moderators' private notes on a reader; never shown on the site."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderator_notes"
    )
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Note on {self.user}"


class PremoderatedReader(models.Model):
    """A reader whose every new comment waits for a moderator."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="premoderation"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "pre-moderated reader"

    def __str__(self):
        return str(self.user)


class BlockedTerm(models.Model):
    """A word or phrase matched case-insensitively on whole words in new comments."""

    class Action(models.TextChoices):
        REFUSE = "refuse", "Refuse the comment"
        HOLD = "hold", "Hold for review"

    phrase = models.CharField(max_length=100, unique=True)
    action = models.CharField(max_length=6, choices=Action, default=Action.HOLD)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phrase"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["refuse", "hold"]), name="blockedterm_action_valid"
            )
        ]

    def __str__(self):
        return self.phrase


class ModerationPolicy(models.Model):
    """The automatic hold rules, edited by moderators in the admin (one row)."""

    max_links = models.PositiveSmallIntegerField(
        default=2, help_text="Hold comments with more links than this."
    )
    min_account_age_hours = models.PositiveIntegerField(
        default=0, help_text="Hold comments by accounts younger than this many hours (0: off)."
    )
    hold_until_first_approval = models.BooleanField(
        default=False,
        help_text="Hold every comment by a reader until a moderator has approved one of theirs.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "automatic moderation rules"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="moderationpolicy_singleton")]

    def __str__(self):
        return "Automatic moderation rules"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "ModerationPolicy":
        return cls.objects.get_or_create(pk=1)[0]


class Median(models.Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = models.DurationField()


class ModerationActionQuerySet(models.QuerySet):
    MANUAL = ["approve", "hide", "restore", "dismiss", "ban"]

    def decisions(self):
        """Moderators' decisions (not automatic holds or refusals)."""
        return self.filter(kind__in=self.MANUAL, moderator__isnull=False)

    def since(self, when):
        return self.filter(created_at__gte=when)

    def per_day(self):
        from django.db.models.functions import TruncDate

        return (
            self.annotate(day=TruncDate("created_at"))
            .values("day")
            .annotate(
                n=models.Count("pk"),
                median=Median(models.F("created_at") - models.F("first_report_at")),
            )
            .order_by("day")
        )

    def median_response(self):
        """Median time from a report to the decision that resolved it."""
        return self.filter(first_report_at__isnull=False).aggregate(
            m=Median(models.F("created_at") - models.F("first_report_at"))
        )["m"]


class ModerationAction(models.Model):
    """The audit log: every decision, by a moderator or by a rule. Never edited."""

    class Kind(models.TextChoices):
        APPROVE = "approve", "Approved"
        HIDE = "hide", "Hidden"
        RESTORE = "restore", "Restored"
        DISMISS = "dismiss", "Reports dismissed"
        HOLD = "hold", "Held for review"
        REFUSE = "refuse", "Refused"
        BAN = "ban", "Banned"
        UNBAN = "unban", "Ban lifted"
        PREMODERATE = "premoderate", "Put on pre-moderation"
        UNPREMODERATE = "unpremoderate", "Taken off pre-moderation"

    kind = models.CharField(max_length=16, choices=Kind)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="moderation_actions", help_text="Empty when an automatic rule decided.",
    )  # fmt: skip
    rule = models.CharField(
        max_length=200, blank=True, help_text="The automatic rule that decided."
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="moderation_history", help_text="The reader the decision concerns.",
    )  # fmt: skip
    reason = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # For "time from report to decision": when the oldest open report was made.
    first_report_at = models.DateTimeField(null=True, blank=True)

    objects = ModerationActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "moderation decision"
        indexes = [models.Index(fields=["kind", "created_at"], name="action_kind_idx")]

    def __str__(self):
        who = self.moderator or f"rule: {self.rule}"
        return f"{self.get_kind_display()} by {who}"


class Commenter(User):
    """Readers as moderators see them: history, notes, bans, pre-moderation."""

    class Meta:
        proxy = True
        verbose_name = "reader"
