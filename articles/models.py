from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat, JSONObject
from django.db.models.query import ModelIterable
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from newsroom import freshness

from . import page_cache
from .images import make_renditions
from .markdown import render_markdown

SEARCH_CONFIG = "english"
# Private-use characters mark highlighted words in search snippets: they never occur
# in article text, so the snippet can be escaped first and only our <mark> added after.
HIGHLIGHT_START, HIGHLIGHT_STOP = "\ue000", "\ue001"


class SectionQuerySet(models.QuerySet):
    def with_last_published(self):
        """Annotate `last_published`: when the section's newest public article appeared."""
        newest = Article.objects.public().filter(section=OuterRef("pk")).order_by("-published_at")
        return self.annotate(last_published=Subquery(newest.values("published_at")[:1]))


class Section(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})

    @classmethod
    def navigation(cls, site: freshness.Stamp | None = None) -> list["Section"]:
        """The sections in every page's header; cached under the site's version, which
        changing any section replaces (publishing.sections_changed). `site`: its token,
        when the request has read it already."""
        return freshness.cached(
            "articles:navigation",
            site or [freshness.SITE],
            lambda: list(cls.objects.only("name", "slug")),
            timeout=3600,
            local=True,
        )


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:60]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


# What an article's page shows of its byline authors and tags (see with_byline_and_tags).
_BYLINE_FIELDS = ("id", "username", "first_name", "last_name", "is_staff", "avatar", "deleted_at")
_TAG_FIELDS = ("id", "name", "slug")


def _rows(through, field: str, fields: tuple, order: str) -> ArraySubquery:
    """The objects `field` points to from the article's `through` rows, as JSON."""
    rows = through.objects.filter(article=OuterRef("pk")).order_by(order)
    return ArraySubquery(rows.values(json=JSONObject(**{f: f"{field}__{f}" for f in fields})))


class _WithBylineAndTags(ModelIterable):
    """Articles whose `authors.all()` and `tags.all()` answer from rows read with them."""

    def __iter__(self):
        for article in super().__iter__():
            article._prefetched_objects_cache = {
                "authors": _evaluated(
                    article.authors,
                    get_user_model(),
                    _BYLINE_FIELDS,
                    article.__dict__.pop("byline_rows"),
                ),
                "tags": _evaluated(
                    article.tags, Tag, _TAG_FIELDS, article.__dict__.pop("tag_rows")
                ),
            }
            yield article


def _evaluated(manager, model, fields: tuple, rows: list[dict]):
    """The manager's queryset, already holding these rows (as prefetch_related leaves it);
    fields not read stay deferred, so using one costs a query rather than a wrong value."""
    queryset = manager.get_queryset()
    queryset._result_cache = [
        model.from_db(queryset.db, fields, [r[f] for f in fields]) for r in rows
    ]
    queryset._prefetch_done = True
    return queryset


class ArticleQuerySet(models.QuerySet):
    def with_byline_and_tags(self):
        """Each article with its byline authors (in the order they were added) and its tags,
        read as JSON in the article's own query rather than two more: an article's page
        needs both, and a page with nothing cached costs two queries fewer."""
        queryset = self.prefetch_related(None).annotate(
            byline_rows=_rows(Article.authors.through, "user", _BYLINE_FIELDS, "pk"),
            tag_rows=_rows(Article.tags.through, "tag", _TAG_FIELDS, "tag__name"),
        )
        queryset._iterable_class = _WithBylineAndTags
        return queryset

    def public(self):
        """Articles readers may see: published, and not scheduled for later."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def visible_to(self, user):
        """Public articles, plus drafts and scheduled ones for staff previewing them."""
        if user.is_authenticated and user.is_staff and user.has_perm("articles.view_article"):
            return self.all()
        return self.public()

    def for_listing(self):
        # The stored search vector is only ever read by the database.
        return self.select_related("section").prefetch_related("authors").defer("search_vector")

    def by_author(self, user):
        return self.filter(authors=user)

    def tagged(self, tag):
        return self.filter(tags=tag)

    def authors(self):
        """The users on the bylines of these articles."""
        return get_user_model().objects.filter(pk__in=self.values("authors"))

    def search(self, text: str):
        """Articles matching `text`, best first, with highlighted `headline` and `snippet`.

        websearch_to_tsquery accepts any input (quotes, operators, stray
        punctuation) without raising, unlike to_tsquery.
        """
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        highlight = {"start_sel": HIGHLIGHT_START, "stop_sel": HIGHLIGHT_STOP}
        return (
            self.filter(search_vector=query)
            .annotate(
                rank=SearchRank(F("search_vector"), query),
                headline=SearchHeadline(
                    "title", query, config=SEARCH_CONFIG, highlight_all=True, **highlight
                ),
                snippet=SearchHeadline(
                    Concat("standfirst", Value("\n\n"), "body", output_field=models.TextField()),
                    query,
                    config=SEARCH_CONFIG,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                    **highlight,
                ),
            )
            .order_by("-rank", "-published_at", "-id")
        )

    def related_to(self, article):
        """Other articles sharing the section or tags, those sharing most tags first."""
        through = Article.tags.through
        shared = (
            through.objects.filter(
                article=OuterRef("pk"),
                tag__in=through.objects.filter(article=article.pk).values("tag"),
            )
            .values("article")
            .annotate(n=Count("*"))
            .values("n")
        )
        return (
            self.exclude(pk=article.pk)
            .annotate(shared_tags=Coalesce(Subquery(shared), 0))
            .filter(Q(section=article.section_id) | Q(shared_tags__gt=0))
            .order_by("-shared_tags", "-published_at")
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, blank=True,
        help_text="Part of the article's address. Generated from the title when left empty.",
    )  # fmt: skip
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="articles",
        blank=True,
        limit_choices_to={"is_staff": True},
        help_text="The byline: staff who wrote the article.",
    )
    standfirst = models.TextField(
        blank=True, help_text="The summary shown under the headline and in lists."
    )
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(editable=False, default="")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Publication time. A time in the future schedules the article.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    comments_enabled = models.BooleanField(default=True)
    premoderate_comments = models.BooleanField(
        default=False,
        help_text="Hold every new comment for a moderator (for sensitive stories).",
    )
    # Kept exact by the comments workflows (comments/moderation/), never edited by hand:
    # the number of comments readers can see.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    revised_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Time of the last substantive update, shown to readers as “Updated …”.",
    )
    lead_image = models.ImageField(upload_to="articles/lead/%Y/%m/", blank=True)
    lead_image_alt = models.CharField(
        "alt text",
        max_length=250,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it.",
    )
    lead_image_caption = models.CharField("caption", max_length=300, blank=True)
    lead_image_credit = models.CharField("credit", max_length=120, blank=True)
    # {"source": <name of lead_image>, "original": {"name", "width", "height"},
    #  "sizes": [{"name", "width", "height"}, ...]}; "sizes" is empty until the task
    # render_lead_image has made them.
    lead_image_renditions = models.JSONField(default=dict, blank=True, editable=False)
    search_vector = models.GeneratedField(
        expression=(
            SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("standfirst", weight="B", config=SEARCH_CONFIG)
            + SearchVector("body", weight="C", config=SEARCH_CONFIG)
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published"]),
                name="article_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_idx"),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        self.body_html = render_markdown(self.body)
        new_picture = self._render_lead_image()
        super().save(*args, **kwargs)
        if new_picture:
            # Resizing takes seconds: a worker does it. Queued in this save's transaction,
            # so it runs only if the save commits, and sees the saved row.
            result = render_lead_image.enqueue(article_id=self.pk, source=self.lead_image.name)
            if result.is_finished and result.return_value:  # an immediate backend: done
                self.lead_image_renditions = result.return_value

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def _unique_slug(self) -> str:
        base = slugify(self.title)[:190] or "article"
        slug, n = base, 2
        while Article.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def _render_lead_image(self) -> bool:
        """Whether the picture is new, so renditions are to be made (render_lead_image).

        Renditions are derived from this row's own image, as body_html is from body,
        so every way of saving (admin, revert, seeding) keeps them in step. Until they
        exist, pages show the original at its own size.
        """
        if not self.lead_image:
            self.lead_image_renditions = {}
            return False
        if not self.lead_image._committed:
            self.lead_image.save(self.lead_image.name, self.lead_image.file, save=False)
        if self.lead_image_renditions.get("source") == self.lead_image.name:
            return False
        original = {
            "name": self.lead_image.name,
            "width": self.lead_image.width,
            "height": self.lead_image.height,
        }
        self.lead_image_renditions = {
            "source": self.lead_image.name, "original": original, "sizes": []
        }  # fmt: skip
        return True

    @property
    def lead_image_sizes(self) -> list[dict]:
        """Renditions, narrowest first, each with its `url`, `width` and `height`; only
        the original while they are being made."""
        storage = self.lead_image.storage
        sizes = self.lead_image_renditions.get("sizes") or [
            size for size in [self.lead_image_renditions.get("original")] if size
        ]
        return [{**size, "url": storage.url(size["name"])} for size in sizes]

    @property
    def is_revised(self) -> bool:
        """Whether an editor marked a substantive update after publication."""
        return bool(self.revised_at and self.published_at and self.revised_at > self.published_at)

    @property
    def modified_at(self):
        """When the story last changed for readers: its update or its publication."""
        return self.revised_at if self.is_revised else self.published_at

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def comments_close_at(self) -> float | None:
        """When comments close by age (Unix time), if they are open and ever will."""
        days = settings.COMMENTS_CLOSE_AFTER_DAYS
        if days is None or not self.comments_open:
            return None
        return (self.published_at + timedelta(days=days)).timestamp()

    @property
    def comments_open(self) -> bool:
        """Readers may comment on public articles unless an editor or age has closed them."""
        if not self.is_public or not self.comments_enabled:
            return False
        days = settings.COMMENTS_CLOSE_AFTER_DAYS
        return days is None or self.published_at > timezone.now() - timedelta(days=days)

    def publish(self, *, at=None):
        """Publish now, or at `at`; keeps an earlier publication time if there is one.

        This row only: publishing.publish() also drops the caches that showed it.
        """
        self.status = self.Status.PUBLISHED
        self.published_at = at or self.published_at or timezone.now()
        self.save(update_fields=["status", "published_at", "updated_at"])

    def mark_revised(self, *, at=None):
        """Record a substantive update; the caller saves."""
        self.revised_at = at or timezone.now()

    def unpublish(self):
        """Back to draft. This row only: publishing.unpublish() also drops the caches."""
        self.status = self.Status.DRAFT
        self.save(update_fields=["status", "updated_at"])


@task()
def render_lead_image(*, article_id: int, source: str) -> dict:
    """Make the renditions of the article's lead image `source` (queued by Article.save),
    store them and refresh the pages that show it. Nothing is done if the article has
    another picture by now; returns the stored renditions."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.lead_image.name != source:
        return {}
    renditions = {**article.lead_image_renditions, "sizes": make_renditions(article.lead_image)}
    with transaction.atomic():
        updated = Article.objects.filter(pk=article_id, lead_image=source).update(
            lead_image_renditions=renditions
        )
        if updated:
            page_cache.articles_changed([article.slug])
            page_cache.public_articles_changed()  # lists show the picture too
    return renditions if updated else {}
