"""What an article's page depends on, in the terms of newsroom.freshness.

An article's page shows the article (row, byline, tags, comments: its version,
`freshness.article(slug)`) and lists of other articles and the sections (the
site's version, `freshness.SITE`). Everything cached for the page is keyed on
both, read once per request before any data (`page_versions`). The workflows
that change what a page shows call `articles_changed` or
`public_articles_changed`; an article whose scheduled time arrives (no save
happens) shows up in lists of other articles within their cache lifetime.

An anonymous reader's page is the same for everyone, so it is kept whole.
"""

from collections.abc import Iterable

from newsroom import freshness

ANONYMOUS_PAGE_SECONDS = 300


def page_versions(slug: str) -> freshness.Stamp:
    """The versions of everything on the article's page, read before its data."""
    return freshness.current(freshness.article(slug), freshness.SITE)


def is_shared(request) -> bool:
    """Whether this request would get the page everyone else gets."""
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES  # a flash message is for this reader only
    )


def articles_changed(slugs: Iterable[str]) -> None:
    """The pages at these addresses show something new once this transaction commits."""
    freshness.changed(freshness.article(slug) for slug in slugs)


def public_version() -> str:
    """Names the set of public articles and what lists show of them."""
    return freshness.current(freshness.SITE).tag


def public_articles_changed() -> None:
    """Make every cached list of other articles (and page showing one) be rebuilt."""
    freshness.changed([freshness.SITE])
