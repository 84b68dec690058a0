"""Saving, publishing and deleting articles and sections, with the caches that show them.

Every path that changes an article or a section (the admin, its revision
history, its bulk actions, demo seeding) goes through these functions, so the
versions each change replaces (newsroom/freshness.py) are named here once, next
to the change. What an article's page depends on is described in page_cache.py.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet

from . import page_cache
from .models import Article, Tag

# What lists of other articles (related articles) show or are ordered by.
LISTED_FIELDS = ("slug", "title", "section", "published_at")


@dataclass(frozen=True)
class ArticleState:
    """What readers see of an article until a change is saved: its address,
    whether it is public, and what lists of other articles show of it."""

    slug: str
    is_public: bool
    listed: tuple

    @classmethod
    def of(cls, article: Article) -> "ArticleState":
        listed = tuple(
            Article._meta.get_field(name).value_from_object(article) for name in LISTED_FIELDS
        )
        return cls(slug=article.slug, is_public=article.is_public, listed=listed)

    @classmethod
    def from_initial(cls, initial: dict) -> "ArticleState":
        """The article as a ModelForm loaded it (`form.initial`), before the form changed it."""
        fields = [Article._meta.get_field(name) for name in ("status", *LISTED_FIELDS)]
        return cls.of(Article(**{field.attname: initial[field.name] for field in fields}))

    @classmethod
    def stored(cls, pk) -> "ArticleState | None":
        """The article as stored now; None if there is no such article."""
        article = Article.objects.only("status", *LISTED_FIELDS).filter(pk=pk).first()
        return None if article is None else cls.of(article)


def article_saved(
    *, article: Article, before: ArticleState | None, tags_changed: bool = False
) -> None:
    """Drop what caches showed of `article`, just saved (with its byline and tags).

    `before` is what readers saw until this save (None for a new article), and
    `tags_changed` whether its tags changed: related articles follow shared tags.
    Its page goes, at its old address too; lists of other articles are rebuilt
    only when it enters or leaves them, or changes what they show of it.
    """
    page_cache.articles_changed({article.slug, *([before.slug] if before else [])})
    if before is None:
        listed_change = article.is_public
    elif article.is_public != before.is_public:
        listed_change = True
    else:
        # A public article's text or byline can change without touching other pages.
        after = ArticleState.of(article)
        listed_change = article.is_public and (tags_changed or after.listed != before.listed)
    if listed_change:
        page_cache.public_articles_changed()


@transaction.atomic
def save_article(
    *,
    article: Article,
    authors: Iterable[AbstractBaseUser] | None = None,
    tags: Iterable[Tag] | None = None,
    **changes: object,
) -> Article:
    """Apply `changes` to the article's fields, save it (and its byline or tags when
    given), and drop what caches showed of it.

    The article as passed is taken to be what readers see until this save: pass
    changes to its address, state, title, section or time as `changes`, not set
    beforehand. A new (unsaved) article is created.
    """
    before = ArticleState.of(article) if article.pk else None
    for name, value in changes.items():
        setattr(article, name, value)
    article.save()  # updated_at names the new revision, which the byline and tags are part of
    if authors is not None:
        article.authors.set(authors)
    if tags is not None:
        article.tags.set(tags)
    article_saved(article=article, before=before, tags_changed=tags is not None)
    return article


def publish(*, article: Article, at: datetime | None = None) -> None:
    """Publish now, or at `at` (see Article.publish), and drop what caches showed."""
    before = ArticleState.of(article)
    article.publish(at=at)
    article_saved(article=article, before=before)


def unpublish(*, article: Article) -> None:
    """Take the article back to draft, off every page that showed it."""
    before = ArticleState.of(article)
    article.unpublish()
    article_saved(article=article, before=before)


def delete_article(*, article: Article) -> None:
    article.delete()
    _forget_deleted([article])


def delete_articles(*, articles: QuerySet[Article]) -> None:
    """Delete these articles. The admin's delete confirmation has loaded them already."""
    deleted = list(articles)
    articles.delete()
    _forget_deleted(deleted)


def _forget_deleted(articles: list[Article]) -> None:
    page_cache.articles_changed(article.slug for article in articles)
    if any(article.is_public for article in articles):
        page_cache.public_articles_changed()


def sections_changed() -> None:
    """After sections are added, changed or deleted: every page's navigation, and
    related articles (which show their section's name), are rebuilt."""
    page_cache.public_articles_changed()
