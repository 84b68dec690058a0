"""What readers do with comments besides writing them: recommend them, and come back."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .comment import Comment


class Recommendation(models.Model):
    """A reader's recommendation of a comment; one per reader per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="recommendations")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendations"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reader"], name="one_recommendation_per_reader"
            )
        ]
        # The article page asks which of its comments one reader recommended.
        indexes = [models.Index(fields=["reader", "comment"], name="recommendation_reader_idx")]

    def __str__(self):
        return f"{self.reader} recommends comment {self.comment_id}"


class ArticleVisit(models.Model):
    """When a reader last looked at an article's conversation: what "new" means to them.

    Written at most once per reader per article per VISIT_WRITE_INTERVAL, not on every
    page view (comments/visits.py)."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_visits"
    )
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="visits")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reader", "article"], name="one_visit_per_article")
        ]

    def __str__(self):
        return f"{self.reader} saw {self.article_id} at {self.seen_at:%Y-%m-%d %H:%M}"
