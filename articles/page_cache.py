"""Whole article pages, cached for anonymous readers; the article row for everyone.

An anonymous reader's article page is the same for everyone, so it is kept as
bytes and served without touching the database. Anything that changes what the
page shows drops it: saving the article or its byline and tags (publishing.py),
and every change to its comments (comments/moderation/posting.py).

Other articles appear on the page too (related articles). Whatever shows them
is keyed on, or checked against, `public_version()`, a token replaced whenever
an article that is or was public is saved or deleted, so an unpublished
article's link disappears everywhere at once. An article whose scheduled time
arrives (no save happens) shows up in those lists within their cache lifetime.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from newsroom.cache import LocalCopies, VersionToken

ANONYMOUS_PAGE_SECONDS = 300

# Whole anonymous pages, by slug; each process keeps a copy while it is current.
pages = LocalCopies("articles:anonymous-page", max_items=128)


def object_key(slug: str) -> str:
    """The public article itself, with its byline and tags, for every reader's page."""
    return f"articles:public-article:{slug}"


def is_shared(request) -> bool:
    """Whether this request would get the page everyone else gets."""
    return (
        request.method == "GET"
        and not request.GET
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES  # a flash message is for this reader only
    )


def forget(slugs: Iterable[str]) -> None:
    slugs = list(slugs)
    keys = [*pages.forget_keys(slugs), *(object_key(slug) for slug in slugs)]
    if not keys:
        return
    # Now, and again once committed, so no request can re-cache the old page in between.
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


# Names the current set of public articles (see the module docstring).
public_articles = VersionToken("articles:public-version")


def public_version() -> str:
    return public_articles.current()


def public_articles_changed() -> None:
    """Make every cached list of other articles (and page showing one) be rebuilt."""
    public_articles.replace()
