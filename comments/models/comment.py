"""Comments and the rules about which of them readers see."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from .. import text


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

    @staticmethod
    def _shown_to(user) -> Q:
        visible = Q(status=Comment.Status.VISIBLE)
        if not user.is_authenticated:
            return visible
        return visible | Q(author=user, status__in=[Comment.Status.PENDING, Comment.Status.HIDDEN])

    def shown_to(self, user):
        """Comments this reader sees in full: visible ones, plus their own held or removed ones."""
        return self.filter(self._shown_to(user))

    def thread_roots(self, article, user):
        """An article's top-level comments that start a thread this reader sees
        (in full, or as a placeholder for the replies they see)."""
        # The root's own state is a condition on its row; only its replies need a
        # subquery, kept to this article's comments so its cost never depends on
        # the size of the whole table.
        shown_replies = Comment.objects.for_article(article).shown_to(user)
        return self.for_article(article).filter(
            Q(parent=None),
            self._shown_to(user) | Exists(shown_replies.filter(root=OuterRef("pk"))),
        )

    def delete(self):
        """Rows go only with their article or from the shell (readers' and moderators'
        deletions keep the row); keep the articles' counts exact all the same."""
        from ..moderation.posting import refresh_article_stats

        article_ids = set(self.values_list("article_id", flat=True))
        deleted = super().delete()
        refresh_article_stats(article_ids)
        return deleted

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

    def delete(self, *args, **kwargs):
        from ..moderation.posting import refresh_article_stats

        deleted = super().delete(*args, **kwargs)
        refresh_article_stats([self.article_id])
        return deleted

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.VISIBLE

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
