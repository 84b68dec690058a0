"""What an article's page depends on, in the terms of newsroom.freshness.

An article's page shows the article (row, byline, tags: `freshness.article(slug)`),
its conversation (`freshness.conversation(slug)`) and lists of other articles and
the sections (the site's version, `freshness.SITE`). All three are read once per
request before any data (`page_versions`); each part of the page is keyed on those
it shows, so a new comment rebuilds the conversation, not the article above it.
The workflows that change what a page shows call `articles_changed` (the article:
both of its versions), `conversations_changed` (comments only) or
`public_articles_changed`; an article whose scheduled time arrives (no save
happens) shows up in lists of other articles within their cache lifetime.

An anonymous reader's page is the same for everyone, so it is kept whole.
"""

import time
import zlib
from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from newsroom import freshness

ANONYMOUS_PAGE_SECONDS = 300


class Page(NamedTuple):
    """An anonymous article page as every anonymous reader gets it, with its validators."""

    body: bytes
    etag: str
    last_modified: int
    expires_at: float  # served until then; past it, rendered again

    @classmethod
    def of(cls, body: bytes, versions: freshness.Stamp, *, open_until: float | None) -> "Page":
        now = time.time()
        # Tells apart two renders under the same versions (comments closing on time): a
        # checksum does, at a fifth of a cryptographic hash's cost on every page write.
        digest = format(zlib.crc32(body), "08x")
        expires_at = now + ANONYMOUS_PAGE_SECONDS
        if open_until is not None and open_until > now:  # the form goes when comments close
            expires_at = min(expires_at, open_until)
        return cls(
            body,
            etag=f'"{versions.tag}-{digest}"',
            # When these bytes were made: not earlier than the change they show.
            last_modified=int(now),
            expires_at=expires_at,
        )

    @property
    def is_current(self) -> bool:
        return time.time() < self.expires_at

    def response(self, request) -> HttpResponse:
        """The page, or 304 Not Modified for a reader (or CDN) that has these bytes."""
        response = get_conditional_response(
            request, etag=self.etag, last_modified=self.last_modified
        ) or HttpResponse(self.body)
        response.headers["ETag"] = self.etag
        response.headers["Last-Modified"] = http_date(self.last_modified)
        shared(response)
        return response


def marked(response, *, hit: bool):
    """Say whether the anonymous page came whole from the cache ("hit") or was built
    ("miss"), as a CDN's X-Cache does: how a benchmark or an operator tells them apart."""
    response.headers["X-Page-Cache"] = "hit" if hit else "miss"
    return response


def shared(response) -> None:
    """Let browsers and a shared cache or CDN in front keep the page, briefly. Only
    anonymous pages the view made whole get here: the headers are set, not patched
    (every cache hit sets them)."""
    response.headers["Cache-Control"] = (
        # max-age=0: a browser asks again each time (a 304 when nothing changed).
        f"public, max-age=0, s-maxage={settings.PAGE_SHARED_CACHE_SECONDS}, "
        f"stale-while-revalidate={settings.PAGE_STALE_WHILE_REVALIDATE_SECONDS}"
    )
    response.headers["Vary"] = "Cookie"


def private(response) -> None:
    """A page for one reader (logged in, a flash message, a cookie set): never shared."""
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])


class PageVersions(NamedTuple):
    """The versions of an article's page, read together before any of its data."""

    page: freshness.Stamp  # everything on it: the anonymous page, whole
    content: freshness.Stamp  # the article and lists of others (not its comments)
    conversation: freshness.Stamp  # the comments, and the article they are under
    article: freshness.Stamp  # the article alone (its byline, the people in its comments)


def page_versions(slug: str) -> PageVersions:
    """The versions of everything on the article's page, read before its data."""
    article, conversation = freshness.article(slug), freshness.conversation(slug)
    page = freshness.current(article, conversation, freshness.SITE)
    return PageVersions(
        page,
        page.part(article, freshness.SITE),
        page.part(article, conversation),
        page.part(article),
    )


def is_shared(request) -> bool:
    """Whether this request would get the page everyone else gets."""
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES  # a flash message is for this reader only
    )


def articles_changed(slugs: Iterable[str]) -> None:
    """The articles at these addresses (or the people in their conversations) change
    once this transaction commits: their pages are rebuilt whole."""
    slugs = set(slugs)
    freshness.changed([*map(freshness.article, slugs), *map(freshness.conversation, slugs)])


def conversations_changed(slugs: Iterable[str]) -> None:
    """Comments under the articles at these addresses change once this transaction
    commits: their conversations are rebuilt, the articles above them stay cached."""
    freshness.changed(freshness.conversation(slug) for slug in slugs)


def public_version() -> str:
    """Names the set of public articles and what lists show of them."""
    return freshness.current(freshness.SITE).tag


def public_articles_changed() -> None:
    """Make every cached list of other articles (and page showing one) be rebuilt."""
    freshness.changed([freshness.SITE])
