"""Comments and the rules about which of them readers see."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import models
from django.db.models import Count, Exists, Func, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

from .. import text


class Decision(models.TextChoices):
    """What a moderator can decide about a comment."""

    APPROVE = "approve", "Approve"
    HIDE = "hide", "Hide"
    RESTORE = "restore", "Restore"
    DISMISS = "dismiss", "Dismiss reports"


def count_of(queryset):
    """A correlated COUNT(*) subquery of `queryset` (a plain function, so no GROUP BY is added)."""
    counted = queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return Coalesce(Subquery(counted), 0)


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(status=Comment.Status.VISIBLE)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def hidden(self):
        return self.filter(status=Comment.Status.HIDDEN)

    def withheld(self):
        """Pending review or hidden by a moderator: shown only to their author."""
        return self.filter(status__in=Comment.WITHHELD)

    def live(self):
        """Every comment its author has not deleted."""
        return self.exclude(status=Comment.Status.DELETED)

    def approved(self):
        """Comments a moderator has approved (or restored) at some point."""
        return self.filter(approved_at__isnull=False)

    def reported(self):
        """Comments with open reports."""
        return self.filter(Exists(Report.objects.open().filter(comment=OuterRef("pk"))))

    def for_article(self, article):
        return self.filter(article=article)

    def by(self, author):
        return self.filter(author=author)

    def public(self):
        """Visible comments on public articles: what any reader may see."""
        return self.visible().filter(article__in=Article.objects.public())

    def featured(self):
        """Visible comments an editor or moderator featured, latest first: hiding or
        deleting one takes it out of the Featured block as well as the thread."""
        return self.visible().filter(featured_at__isnull=False).order_by("-featured_at", "-pk")

    def reportable(self):
        """Comments on public articles a reader may report: visible ones, and held ones,
        since a page loaded before the hold still shows them (and the report counts)."""
        return self.filter(
            status__in=[Comment.Status.VISIBLE, Comment.Status.PENDING],
            article__in=Article.objects.public(),
        )

    def shown_to(self, user):
        """Comments this reader sees in full: visible ones, plus their own held or removed ones."""
        return self.filter(Comment.shown_to_q(user))

    def thread_roots(self, article, user):
        """An article's top-level comments that start a thread this reader sees
        (in full, or as a placeholder for the replies they see)."""
        return self.shown_roots(article, user) | self.placeholder_roots(article, user)

    def shown_roots(self, article, user):
        """An article's top-level comments this reader sees in full: most threads, in
        the order of comment_root_order_idx, so a page of them reads no more rows."""
        return self.for_article(article).filter(Comment.shown_to_q(user), parent=None)

    def placeholder_roots(self, article, user):
        """An article's top-level comments this reader does not see, kept as placeholders
        for the replies they do see under them: a few rows at most."""
        # Replies matter only under the few first comments the reader does not see: look
        # for them from those (comment_thread_idx), never by reading every reply the
        # article has.
        # Every status but visible, said as a range of comment_root_order_idx.
        unseen = (
            self.for_article(article)
            .filter(parent=None, status__in=Comment.NOT_VISIBLE)
            .exclude(Comment.shown_to_q(user))
        )
        seen_below = Comment.objects.shown_to(user).filter(root__in=unseen.values("pk"))
        return unseen.filter(pk__in=seen_below.values("root_id"))

    def in_threads(self, root_ids):
        """Every comment of these threads, in the order they were written."""
        return self.filter(Q(pk__in=root_ids) | Q(root__in=root_ids)).order_by("created_at", "pk")

    def status_counts(self) -> dict[str, int]:
        """How many of these comments are visible, pending, hidden, and were ever approved."""
        return self.aggregate(
            visible=Count("pk", filter=Q(status=Comment.Status.VISIBLE)),
            pending=Count("pk", filter=Q(status=Comment.Status.PENDING)),
            hidden=Count("pk", filter=Q(status=Comment.Status.HIDDEN)),
            approved=Count("pk", filter=Q(approved_at__isnull=False)),
        )

    def queue_sizes(self) -> dict[str, int]:
        """The moderation queue's tabs: comments reported, pending and hidden."""
        sizes = self.status_counts()
        return {
            "reported": Report.objects.open().values("comment").distinct().count(),
            "pending": sizes["pending"],
            "hidden": sizes["hidden"],
        }

    def visible_count_of_article(self):
        """For Article annotations and updates: the article's visible comments, counted."""
        return count_of(self.visible().filter(article=OuterRef("pk")))

    def with_report_stats(self):
        """Annotate each comment with its reports: open ones, their reasons, the total, and
        when the oldest open one was made."""
        is_open = ReportQuerySet.open_q("reports__")
        return self.annotate(
            open_reports=Count("reports", filter=is_open),
            open_reasons=ArrayAgg("reports__reason", filter=is_open, default=Value([])),
            report_total=Count("reports"),
            first_open_report=Min("reports__created_at", filter=is_open),
        )

    def most_discussed(self, articles, *, days: int, limit: int = 5):
        """Of `articles`, those with the most visible comments posted in the last `days`,
        busiest first, each annotated with `recent_comments`."""
        since = timezone.now() - timedelta(days=days)
        recent = self.visible().filter(article=OuterRef("pk"), created_at__gte=since)
        return (
            articles.annotate(recent_comments=count_of(recent))
            .filter(recent_comments__gt=0)
            .select_related("section")
            .defer("search_vector", "body", "body_html")
            .order_by("-recent_comments", "-published_at")[:limit]
        )


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        PENDING = "pending", "Pending review"
        HIDDEN = "hidden", "Hidden by a moderator"
        DELETED = "deleted", "Deleted by its author"

    # Kept from readers but not from their author (who sees them with a note).
    WITHHELD = (Status.PENDING, Status.HIDDEN)
    NOT_VISIBLE = (Status.PENDING, Status.HIDDEN, Status.DELETED)

    class HideReason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Harassment or abuse"
        OFF_TOPIC = "off_topic", "Off-topic"
        PERSONAL_INFORMATION = "personal_information", "Personal information"
        OTHER = "other", "Breaks the community guidelines"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments"
    )
    # Other readers' replies never go with a comment, only with the whole article.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="replies"
    )
    # The top-level comment of the thread, so a page of threads is one query.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # A reader who has commented is deactivated or banned, never deleted with their comments.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
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
    # Kept by comments.moderation.recommendations, so a page's counts cost no query.
    recommendation_count = models.PositiveIntegerField(default=0, editable=False)
    # Set by comments.moderation.featuring; shown while the comment is visible.
    featured_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The abuse pre-screen's score of the text as it now reads (moderation/prescreen.py);
    # empty for comments stored before the pre-screen existed.
    abuse_score = models.FloatField(null=True, blank=True, editable=False)
    # Any change to the row, including moderation: part of the rendered-fragment cache key.
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [
            ("moderate_comment", "Can moderate comments"),
            ("feature_comment", "Can feature comments"),
        ]
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
            # A page of an article's threads, oldest or newest first: the first rows of one
            # range of this index (threads.thread_index), however many threads there are.
            models.Index(
                fields=["article", "status", "created_at", "id"],
                condition=Q(parent__isnull=True),
                name="comment_root_order_idx",
            ),
            models.Index(fields=["root", "status"], name="comment_thread_idx"),
            models.Index(fields=["author", "status", "-created_at"], name="comment_author_idx"),
            models.Index(fields=["status", "-created_at"], name="comment_status_idx"),
            # The Featured block: a handful of rows per article at most.
            models.Index(
                fields=["article", "-featured_at"],
                condition=Q(featured_at__isnull=False),
                name="comment_featured_idx",
            ),
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

    # States --------------------------------------------------------------------

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.VISIBLE

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_hidden(self) -> bool:
        return self.status == self.Status.HIDDEN

    @property
    def is_deleted(self) -> bool:
        return self.status == self.Status.DELETED

    @staticmethod
    def shown_to_q(user) -> Q:
        """Which comments a reader sees in full: visible ones, and their own withheld ones.
        The one definition, as a condition; is_shown_to() applies it to a row in hand."""
        visible = Q(status=Comment.Status.VISIBLE)
        if not user.is_authenticated:
            return visible
        return visible | Q(author=user, status__in=Comment.WITHHELD)

    def is_shown_to(self, user) -> bool:
        if self.is_visible:
            return True
        return user.is_authenticated and self.author_id == user.pk and self.status in self.WITHHELD

    # Changes of state: the caller (a workflow in comments/moderation/) records why.

    def make_visible(self, *, approved_at=None) -> None:
        """Publish the comment; with `approved_at`, as approved by a moderator then."""
        self.status = self.Status.VISIBLE
        fields = ["status", "hidden_reason", "hidden_note"]
        if approved_at is not None:
            self.approved_at = approved_at
            fields.append("approved_at")
        self.hidden_reason = self.hidden_note = ""
        self.save(update_fields=fields)

    def make_hidden(self, *, reason: str, note: str = "", save: bool = True) -> None:
        self.status = self.Status.HIDDEN
        self.hidden_reason, self.hidden_note = reason, note
        if save:
            self.save(update_fields=["status", "hidden_reason", "hidden_note"])

    def hold(self) -> None:
        """Keep the comment from readers until a moderator has seen it."""
        self.status = self.Status.PENDING
        self.save(update_fields=["status"])

    def mark_deleted(self) -> None:
        """Deleted by its author: the row stays so that replies keep their place."""
        self.status = self.Status.DELETED
        self.save(update_fields=["status"])

    # Moderation ----------------------------------------------------------------

    def allowed_decisions(self, *, open_reports: int) -> frozenset[Decision]:
        """The decisions a moderator can take on the comment as it stands: the queue
        offers exactly these, and the workflows refuse the others (decision_refusal)."""
        allowed = {Decision.DISMISS} if open_reports else set()
        if self.is_deleted:
            return frozenset(allowed)  # the author's deletion stands
        allowed.add(Decision.RESTORE if self.is_hidden else Decision.HIDE)
        if not self.is_visible or open_reports or not self.approved_as_written:
            allowed.add(Decision.APPROVE)
        return frozenset(allowed)

    def decision_refusal(self, decision: Decision, *, open_reports: int) -> str | None:
        """Why `decision` is not possible now, in words for the moderator; None if it is."""
        if decision in self.allowed_decisions(open_reports=open_reports):
            return None
        if self.is_deleted and decision != Decision.DISMISS:
            verb = {Decision.APPROVE: "approved", Decision.HIDE: "hidden"}.get(decision, "restored")
            return f"A comment deleted by its author cannot be {verb}."
        return {
            Decision.APPROVE: "This comment is already approved as it reads.",
            Decision.HIDE: "This comment is already hidden.",
            Decision.RESTORE: "Only hidden comments can be restored.",
            Decision.DISMISS: "This comment has no open reports to dismiss.",
        }[decision]

    @property
    def is_featured(self) -> bool:
        return self.featured_at is not None and self.is_visible

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    @property
    def text_version(self) -> str:
        """Names the text as it now reads: changes whenever its author edits it."""
        return self.edited_at.isoformat() if self.edited_at else "original"

    @property
    def approved_as_written(self) -> bool:
        """A moderator approved this text; an edit since then is not covered by it."""
        return self.approved_at is not None and (
            self.edited_at is None or self.approved_at >= self.edited_at
        )

    # Threads and authorship --------------------------------------------------

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
            and (self.is_visible or self.is_pending)
            and timezone.now() < self.editable_until()
        )

    def can_delete(self, user) -> bool:
        return user.is_authenticated and user.pk == self.author_id and not self.is_deleted


class ReportQuerySet(models.QuerySet):
    @staticmethod
    def open_q(prefix: str = "") -> Q:
        """Reports no moderator has resolved; `prefix` reaches them across a relation."""
        return Q(**{f"{prefix}resolved_at__isnull": True})

    def open(self):
        return self.filter(self.open_q())

    def against(self, author):
        """Reports on this reader's comments."""
        return self.filter(comment__author=author)


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
