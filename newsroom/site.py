"""The site's public address, for links that leave the page (canonical, feeds, metadata)."""

from urllib.parse import urljoin

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` on settings.SITE_URL; an address that is already absolute is kept.

    Never built from the request's Host header: these links end up in cached
    pages and fragments, which must carry the same host whoever asked first.
    """
    return urljoin(f"{settings.SITE_URL}/", path)
