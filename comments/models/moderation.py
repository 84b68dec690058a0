"""What moderation keeps: reports, bans, notes, rules and the audit log."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from newsroom import freshness

from .comment import Comment, Report


class BanQuerySet(models.QuerySet):
    def active(self, *, at=None):
        now = at or timezone.now()
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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        freshness.changed([freshness.RULES])

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        freshness.changed([freshness.RULES])
        return deleted


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
    hold_abusive = models.BooleanField(
        "hold by abuse score",
        default=False,
        help_text="Hold comments whose abuse score is at or above the threshold below.",
    )
    abuse_threshold = models.DecimalField(
        max_digits=3, decimal_places=2, default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text="From 0.01 (hold almost everything) to 1.00 (only the very worst). "
        "At 0.80 the pre-screen holds most abuse and few civil comments.",
    )  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "automatic moderation rules"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="moderationpolicy_singleton"),
            models.CheckConstraint(
                condition=Q(abuse_threshold__gt=0, abuse_threshold__lte=1),
                name="moderationpolicy_abuse_threshold_range",
            ),
        ]

    def __str__(self):
        return "Automatic moderation rules"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        freshness.changed([freshness.RULES])

    @classmethod
    def current(cls) -> "ModerationPolicy":
        return cls.objects.get_or_create(pk=1)[0]


class Median(models.Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = models.DurationField()


class ModerationActionQuerySet(models.QuerySet):
    MANUAL = ["approve", "hide", "restore", "dismiss", "ban"]

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for action in objs:
            action.keep_references()
        return super().bulk_create(objs, *args, **kwargs)

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
        FEATURE = "feature", "Featured"
        UNFEATURE = "unfeature", "No longer featured"
        REPORT = "report", "Reported while held"

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
    # Copies kept with the record, so it stays readable once the comment (with its
    # article) or the reader's account is deleted and the links above are emptied.
    comment_number = models.BigIntegerField(
        null=True, blank=True, editable=False, help_text="The comment's id."
    )
    subject_username = models.CharField(
        max_length=150, blank=True, editable=False, help_text="The reader's username."
    )
    reason = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # For "time from report to decision": when the oldest open report was made.
    first_report_at = models.DateTimeField(null=True, blank=True)
    # The comment's abuse score when a moderator decided: with the decision, the label
    # a later step can retrain or recalibrate the pre-screen on.
    abuse_score = models.FloatField(null=True, blank=True)

    objects = ModerationActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "moderation decision"
        indexes = [models.Index(fields=["kind", "created_at"], name="action_kind_idx")]

    def __str__(self):
        who = self.moderator or f"rule: {self.rule}"
        return f"{self.get_kind_display()} by {who}"

    def save(self, *args, **kwargs):
        self.keep_references()
        super().save(*args, **kwargs)

    @property
    def reason_label(self) -> str:
        """The reason in words: a hide's or a report's label, or as recorded."""
        labels = {
            self.Kind.HIDE: Comment.HideReason,
            self.Kind.REPORT: Report.Reason,
        }.get(self.kind)
        if labels is not None and self.reason in labels.values:
            return labels(self.reason).label
        return self.reason

    def keep_references(self) -> None:
        if self.comment_id is not None:
            self.comment_number = self.comment_id
        if self.subject_id is not None:
            self.subject_username = self.subject.get_username()


class ReviewClaimQuerySet(models.QuerySet):
    def current(self):
        """Claims made recently enough to still say "being reviewed"."""
        return self.filter(claimed_at__gt=timezone.now() - ReviewClaim.LASTS)


class ReviewClaim(models.Model):
    """A moderator has a comment open: a soft, expiring claim that others see in the
    queue. Nothing is locked; deciding anyway works and is audited as usual."""

    LASTS = timedelta(minutes=5)

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="claims")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    claimed_at = models.DateTimeField(default=timezone.now)

    objects = ReviewClaimQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "moderator"], name="one_claim_per_moderator")
        ]

    def __str__(self):
        return f"{self.moderator} reviewing comment {self.comment_id}"

    @classmethod
    def renew(cls, *, comment, moderator) -> None:
        """This moderator has the comment open now: claim it, or renew their claim."""
        cls.objects.update_or_create(
            comment=comment, moderator=moderator, defaults={"claimed_at": timezone.now()}
        )


class Commenter(User):
    """Readers as moderators see them: history, notes, bans, pre-moderation."""

    class Meta:
        proxy = True
        verbose_name = "reader"
