"""Rendering a page of threads fast, with exact cache invalidation.

Each comment is rendered once per *variant* (what controls its viewer gets)
and cached under a key made of everything the fragment shows: the comment's
row version, its author's name, avatar and staff flag, its badges and the
variant. Any change to those makes a new key, so a stale fragment can never be
served. A page is then a handful of cache reads and string joins.

Anonymous readers all see the same page, so their whole thread list is cached
too, keyed by the article's `comments_version`, which every comment workflow
bumps (comments/moderation.py).
"""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .threads import Node, ThreadPage

FRAGMENT_TIMEOUT = 60 * 60 * 24


class Viewer:
    """What one request's reader may do, decided once per page."""

    def __init__(self, user, article, *, can_comment: bool):
        self.user = user
        self.can_comment = can_comment
        self.byline_ids = frozenset(a.pk for a in article.authors.all())

    def variant(self, comment) -> str:
        """Which controls this reader gets on `comment`; part of the fragment's cache key."""
        user = self.user
        if not user.is_authenticated:
            return "anonymous"
        if comment.author_id == user.pk:
            role = "own-editable" if comment.can_edit(user) else "own"
        else:
            role = "reader"
        # Reporting and replying are open to the same readers: logged in, not banned.
        return f"{role}+reply" if self.can_comment else role


def _fragment_key(node: Node, viewer: Viewer, variant: str) -> str:
    comment, author = node.comment, node.comment.author
    parts = (
        comment.pk,
        comment.updated_at.isoformat(),
        node.shown,
        variant,
        author.display_name,
        author.avatar_url,
        author.is_staff,
        comment.author_id in viewer.byline_ids,
        node.reply_to.author.display_name if node.reply_to else "",
        node.reply_to.pk if node.reply_to else "",
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"cfrag:{comment.pk}:{digest}"


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def render_threads(page: ThreadPage, viewer: Viewer) -> str:
    """The nested list of a page's threads, as safe HTML."""
    keyed = []
    for node in _walk(page.nodes):
        variant = viewer.variant(node.comment)
        keyed.append((node, variant, _fragment_key(node, viewer, variant)))
    cached = cache.get_many([key for _, _, key in keyed])
    missing = {}
    for node, variant, key in keyed:
        node.html = cached.get(key)
        if node.html is None:
            node.html = missing[key] = render_to_string(
                "comments/_comment.html",
                {
                    "comment": node.comment,
                    "node": node,
                    "variant": variant,
                    "is_byline_author": node.comment.author_id in viewer.byline_ids,
                },
            )
    if missing:
        cache.set_many(missing, FRAGMENT_TIMEOUT)
    html = []
    _emit(page.nodes, html, top=True)
    return mark_safe("".join(html))  # noqa: S308 - fragments come from autoescaped templates


def _emit(nodes, out, *, top=False):
    out.append('<ol class="comment-list">' if top else '<ol class="comment-replies">')
    for node in nodes:
        out.append('<li class="comment-node">')
        out.append(node.html)
        if node.children:
            _emit(node.children, out)
        out.append("</li>")
    out.append("</ol>")


def cached_anonymous_threads(article, page_number, sort, build) -> str:
    """The anonymous thread list for this article version, built once per change."""
    key = f"cthreads:{article.pk}:{article.comments_version}:{article.comments_open}:{sort}:{page_number}"
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, FRAGMENT_TIMEOUT)
    return mark_safe(html)  # noqa: S308 - built by render_threads
