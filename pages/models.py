"""The site's standing pages: community guidelines, privacy notice and terms of use."""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from articles.markdown import render_markdown


class PageQuerySet(models.QuerySet):
    def terms(self):
        return self.filter(kind=Page.Kind.TERMS)


class Page(models.Model):
    """One of the site's standing pages, written by editors in the admin."""

    class Kind(models.TextChoices):
        GUIDELINES = "guidelines", "Community guidelines"
        PRIVACY = "privacy", "Privacy notice"
        TERMS = "terms", "Terms of use"

    kind = models.CharField(max_length=12, choices=Kind, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown, as in articles.")
    body_html = models.TextField(editable=False, default="")
    version = models.CharField(
        max_length=40,
        help_text=(
            "Change it (for example to today's date) when the text changes in substance: "
            "each reader's account records the version of the terms they accepted."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["guidelines", "privacy", "terms"]), name="page_kind_valid"
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(f"pages:{self.kind}")
