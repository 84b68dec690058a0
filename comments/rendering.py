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
import json

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.templatetags.articles_tags import JSON_SCRIPT_ESCAPES

from .threads import Node, ThreadPage

FRAGMENT_TIMEOUT = 60 * 60 * 24


class Viewer:
    """What one request's reader may do, decided once per page."""

    def __init__(self, user, article, *, can_comment: bool, can_report: bool):
        self.user = user
        self.can_comment = can_comment
        self.can_report = can_report
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
        # Replies need open comments; reports are possible on closed articles too.
        return (
            role + ("+reply" if self.can_comment else "") + ("+report" if self.can_report else "")
        )


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


def json_ld(page: ThreadPage, article, request) -> str:
    """schema.org data for the comments shown on this page, nested as the thread is.

    It describes the same NewsArticle ("@id") as the head's block, so search
    engines see the conversation that is already in the page's HTML.
    """
    url = request.build_absolute_uri(article.get_absolute_url())

    def describe(node) -> list[dict]:
        """The node as schema.org Comments; a placeholder contributes only its replies."""
        replies = [item for child in node.children for item in describe(child)]
        comment = node.comment
        if not (node.shown and comment.status == comment.Status.VISIBLE):
            return replies
        data = {
            "@type": "Comment",
            "@id": f"{url}#{comment.anchor}",
            "url": request.build_absolute_uri(comment.get_absolute_url()),
            "text": comment.body,
            "dateCreated": comment.created_at,
            "author": {
                "@type": "Person",
                "name": comment.author.display_name,
                "url": request.build_absolute_uri(comment.author.get_absolute_url()),
            },
        }
        if replies:
            data["comment"] = replies
        return [data]

    comments = [item for node in page.nodes for item in describe(node)]
    payload = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url,
        "commentCount": article.comment_count,
        "comment": comments,
    }
    text = json.dumps(payload, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
