"""Rendering a page of threads fast, with exact cache invalidation.

Each comment is rendered once per set of *controls* (the links its viewer gets)
and cached under a key made of everything the fragment shows: the comment's
row version, its author's name, avatar and staff flag, its badges and the
controls. Any change to those makes a new key, so a stale fragment is never
served.

Most readers of a page see the same thing: every comment with the same
controls. So a page is cached as a *skeleton* per kind of viewer (anonymous;
reader who may reply and report; reader who may only report...), under the
conversation's and the article's versions (newsroom/freshness.py): every comment
workflow (comments/moderation/) replaces the first, changes to the article or the
people in the conversation both. A request takes the skeleton and swaps in only the
viewer's own comments (Edit, Delete), so a logged-in page costs a cache read
and a join, not a query per comment. Readers with held or removed comments of
their own on the article see a different tree, and get it built for them.
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.templatetags.articles_tags import JSON_SCRIPT_ESCAPES
from newsroom import freshness
from newsroom.site import absolute_url as site_url

from . import threads
from .fragment import Fragments, profile_path
from .models import Comment
from .threads import Node, Pagination, ThreadIndex, ThreadPage

FRAGMENT_TIMEOUT = 60 * 60 * 24
# Part of the names of cached skeletons and threads: changing their shape (or what their
# JSON-LD holds) changes it, so new code never reads values that old code cached.
LAYOUT = 2
_SPLIT = "\x00threads\x00"


@dataclass(frozen=True)
class Controls:
    """The links under one comment for one kind of viewer; part of its fragment's key."""

    reply: bool = False
    report: bool = False
    edit: bool = False
    delete: bool = False
    recommend: bool = False
    feature: bool = False  # staff with the comments.feature_comment permission

    def __str__(self) -> str:
        """A short, stable name for cache keys, e.g. "reply+report" or "none"."""
        return "+".join(name for name, on in vars(self).items() if on) or "none"

    @property
    def any(self) -> bool:
        return any(vars(self).values())


class Viewer:
    """What one request's reader may do, decided once per page."""

    def __init__(
        self,
        user,
        article,
        *,
        can_comment: bool,
        can_report: bool,
        can_recommend: bool = False,
        can_feature: bool = False,
    ):
        self.user = user
        self.byline_ids = frozenset(a.pk for a in article.authors.all())
        # Replies need open comments; reports are possible on closed articles too.
        self.shared = Controls(
            reply=can_comment, report=can_report, recommend=can_recommend, feature=can_feature
        )
        self._can_comment = can_comment

    @cached_property
    def fragments(self) -> Fragments:
        """Renders this page's comments (comments/fragment.py)."""
        return Fragments(self.byline_ids)

    def own(self, *, editable: bool) -> Controls:
        """The controls on the viewer's own comment: never Report."""
        return Controls(reply=self._can_comment, edit=editable, delete=True)

    def own_visible(self, created_at: datetime) -> Controls:
        """The viewer's own visible comment (a skeleton's slot), editable for a while."""
        return self.own(editable=timezone.now() < created_at + settings.COMMENTS_EDIT_WINDOW)

    def controls(self, comment) -> Controls:
        if self.user.is_authenticated and comment.author_id == self.user.pk:
            return self.own(editable=comment.can_edit(self.user))
        return self.shared


class Slot(NamedTuple):
    """A shown comment in a skeleton: its shared fragment, and what a swap needs."""

    comment_id: int
    author_id: int
    created_at: datetime
    reply_to_id: int | None
    key_parts: tuple
    html: str


class Skeleton(NamedTuple):
    """A page of threads as every viewer of one kind sees it.

    `pieces` joined are the page for viewers with no comment on it; each shown
    comment is one piece, and `slots` says, by author, which pieces to swap for
    that author's own controls (their `html` left empty: it is the piece).
    `held_authors` are readers with held or removed comments on the article,
    whose view of the tree itself differs; theirs is built for them.
    Every after-change request writes it to the cache, so it holds each byte once.
    """

    pieces: list[str]
    slots: dict[int, list[tuple[int, Slot]]]
    held_authors: frozenset
    comment_count: int
    featured: tuple = ()  # threads.Featured, shown above the threads


def _key_parts(node: Node, byline_ids) -> tuple:
    comment, author = node.comment, node.comment.author
    return (
        comment.pk,
        comment.updated_at.isoformat(),
        node.shown,
        author.display_name,
        author.avatar_url,
        author.is_staff,
        comment.author_id in byline_ids,
        node.reply_to.author.display_name if node.reply_to else "",
        node.reply_to.pk if node.reply_to else "",
        comment.recommendation_count,
        comment.featured_at.isoformat() if comment.featured_at else "",
    )


def _fragment_key(key_parts: tuple, controls: Controls) -> str:
    digest = hashlib.blake2b(repr((key_parts, str(controls))).encode(), digest_size=16).hexdigest()
    return f"cfrag:{key_parts[0]}:{digest}"


def _render(node: Node, controls: Controls, viewer: Viewer) -> str:
    return viewer.fragments.render(node, controls)


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _fill_fragments(nodes, viewer: Viewer, controls_of) -> dict:
    """Set node.html for every node, from the cache or freshly rendered; return those
    rendered, by key, for the caller to cache (with its own values, in one round trip)."""
    keyed = []
    for node in _walk(nodes):
        controls = controls_of(node)
        node.key_parts = _key_parts(node, viewer.byline_ids)
        keyed.append((node, controls, _fragment_key(node.key_parts, controls)))
    # A fragment's key names what it shows: this process's copy is as good as the cache's.
    cached = freshness.get_named([key for _, _, key in keyed], local=True)
    missing = {}
    for node, controls, key in keyed:
        node.html = cached.get(key)
        if node.html is None:
            node.html = missing[key] = _render(node, controls, viewer)
    return missing


def _emit(nodes, out, slot_for):
    """Replies, nested as the thread shows them."""
    out.append('<ol class="comment-replies">')
    for node in nodes:
        out.append('<li class="comment-node">')
        out.append(slot_for(node))
        if node.children:
            _emit(node.children, out, slot_for)
        out.append("</li>")
    out.append("</ol>")


def _emit_thread(root: Node, out, slot_for, page: Pagination) -> None:
    out.append(format_html('<li class="comment-node" id="thread-{}">', root.comment.pk))
    out.append(slot_for(root))
    if root.children:
        _emit(root.children, out, slot_for)
    if root.more:
        out.append(_more_link(root, page))
    out.append("</li>")


def _more_link(node: Node, page: Pagination) -> str:
    """A link to this page with the thread whole; comments.js loads it in place."""
    query = f"?sort={page.sort}&page={page.number}&expand={node.comment.pk}"
    label = "Show 1 more reply" if node.more == 1 else f"Show {node.more} more replies"
    return format_html(
        '<p class="comment-more"><a href="{}#thread-{}" data-expand="{}" rel="nofollow">{}</a></p>',
        query,
        node.comment.pk,
        node.comment.pk,
        label,
    )


def _wrap(page: Pagination, article, threads: list, comments_json: list[str]) -> list:
    """Put the threads' HTML inside the section's pagination and structured data."""
    before, after = _wrapper(bool(threads), page.sort, page.number, page.num_pages)
    data = json_ld(comments_json, article, page.comment_count)
    if after is None:  # no threads on this page: nothing to put inside
        return [before.replace(_SPLIT, data)]
    return [before.replace(_SPLIT, data), '<ol class="comment-list">', *threads, "</ol>", after]


@functools.lru_cache(maxsize=1024)
def _wrapper(has_threads: bool, sort: str, number: int, num_pages: int) -> tuple:
    """The HTML around a page's threads, rendered once per process for each pagination
    state: the structured data (its place marked) before them and the pagination after."""
    page = Pagination(number=number, num_pages=num_pages, sort=sort, comment_count=0)
    html = render_to_string(
        "comments/_threads.html",
        {"threads_html": _SPLIT, "has_threads": has_threads, "json_ld": _SPLIT, "page": page},
    )
    if not has_threads:
        return html, None
    head, before, after = html.split(_SPLIT)
    return head + _SPLIT + before, after


class Thread(NamedTuple):
    """One thread as every viewer of a kind sees it, cached on its own: `pieces` of
    HTML, with a Slot for each shown comment, and its schema.org Comments."""

    pieces: list
    comments_json: str


def _thread_name(root: tuple, viewer: Viewer, index: ThreadIndex, expand) -> str:
    """Named by the state of the thread's rows (threads.thread_index), so a thread
    is rendered again only when one of its own comments changes."""
    pk, changed, size = root
    return (
        f"cthread{LAYOUT}:{pk}:{changed.isoformat()}:{size}:{viewer.shared}"
        f":{index.sort}:{index.number}:{int(pk == expand)}"
    )


def _build_threads(root_ids, viewer: Viewer, page: Pagination, article, expand) -> tuple:
    """Render these threads (one query for their comments), from cached fragments
    where their comments have not changed; return them and the fragments rendered."""
    nodes = threads.threads_of(root_ids, AnonymousUser(), expand=expand)
    fragments = _fill_fragments(nodes, viewer, lambda node: viewer.shared)
    if viewer.user.is_authenticated:  # their own comments are loaded now: no query later
        own = [n for n in _walk(nodes) if n.shown and n.comment.author_id == viewer.user.pk]
        _cache_own({_own_key(node, viewer): node for node in own}, viewer)

    def slot_for(node):
        if not node.shown:
            return node.html
        comment = node.comment
        return Slot(
            comment_id=comment.pk,
            author_id=comment.author_id,
            created_at=comment.created_at,
            reply_to_id=node.reply_to.pk if node.reply_to else None,
            key_parts=node.key_parts,
            html=node.html,
        )

    url = site_url(article.get_absolute_url())
    built = {pk: Thread([], "") for pk in root_ids}  # a thread with nothing left to show
    for root in nodes:
        out = []
        _emit_thread(root, out, slot_for, page)
        built[root.comment.pk] = Thread(out, _comments_json(root, url))
    return built, fragments


def build_skeleton(
    index: ThreadIndex, viewer: Viewer, article, versions: freshness.Stamp, *, expand=None
) -> Skeleton:
    """The page as every viewer of this kind sees it, assembled from its threads, each
    cached under the article's `versions` and the state of its rows: after a change,
    only the threads it touched are loaded and only the comments it touched rendered."""
    names = {root[0]: _thread_name(root, viewer, index, expand) for root in index.roots}
    found = freshness.get_many(names.values(), versions, local=True)
    missing = [pk for pk, name in names.items() if name not in found]
    if missing:
        built, fragments = _build_threads(missing, viewer, index, article, expand)
        built = {names[pk]: thread for pk, thread in built.items()}
        freshness.put_many(
            built, versions, timeout=FRAGMENT_TIMEOUT, local=True, with_keys=fragments
        )
        found.update(built)
    shown = [found[name] for name in names.values() if found[name].pieces]
    out = [piece for thread in shown for piece in thread.pieces]
    wrapped = _wrap(index, article, out, [t.comments_json for t in shown])
    if not viewer.user.is_authenticated:  # no comment of theirs to swap: one piece
        html = "".join(piece.html if isinstance(piece, Slot) else piece for piece in wrapped)
        return Skeleton([html], {}, index.held_authors, index.comment_count, index.featured)
    pieces, slots, slot_indices = [], {}, set()
    for piece in wrapped:
        if isinstance(piece, Slot):
            slots.setdefault(piece.author_id, []).append((len(pieces), piece._replace(html="")))
            slot_indices.add(len(pieces))
            pieces.append(piece.html)
        elif pieces and len(pieces) - 1 not in slot_indices:
            pieces[-1] += piece  # merge neighbouring plain HTML
        else:
            pieces.append(piece)
    return Skeleton(pieces, slots, index.held_authors, index.comment_count, index.featured)


def assemble(skeleton: Skeleton, viewer: Viewer) -> str:
    """The skeleton's page, with the viewer's own comments given their own controls."""
    user = viewer.user
    own = skeleton.slots.get(user.pk) if user.is_authenticated else None
    if not own:
        return mark_safe("".join(skeleton.pieces))  # noqa: S308 - from autoescaped templates
    keys = {
        slot.comment_id: _fragment_key(slot.key_parts, viewer.own_visible(slot.created_at))
        for _, slot in own
    }  # as _own_key() makes them
    cached = dict(cache.get_many(keys.values()))  # a copy: updated below
    missing = [slot for _, slot in own if keys[slot.comment_id] not in cached]
    if missing:
        cached.update(_render_own(missing, keys, viewer))
    pieces = list(skeleton.pieces)
    for index, slot in own:
        pieces[index] = cached[keys[slot.comment_id]]
    return mark_safe("".join(pieces))  # noqa: S308


def _render_own(slots, keys, viewer) -> dict:
    """Render the viewer's own comments missing from the cache (one query for all of them)."""
    ids = {s.comment_id for s in slots} | {s.reply_to_id for s in slots if s.reply_to_id}
    comments = Comment.objects.select_related("author").in_bulk(ids)
    return _cache_own(
        {
            keys[slot.comment_id]: Node(
                comments[slot.comment_id],
                shown=True,
                reply_to=comments.get(slot.reply_to_id) if slot.reply_to_id else None,
            )
            for slot in slots
        },
        viewer,
    )


def _own_key(node: Node, viewer: Viewer) -> str:
    controls = viewer.own_visible(node.comment.created_at)
    return _fragment_key(_key_parts(node, viewer.byline_ids), controls)


def _cache_own(nodes: dict, viewer) -> dict:
    """Render the viewer's own comments (by the key assemble() looks for) with their
    own controls, and cache them."""
    rendered = {
        key: _render(node, viewer.own_visible(node.comment.created_at), viewer)
        for key, node in nodes.items()
    }
    cache.set_many(rendered, FRAGMENT_TIMEOUT)
    return rendered


def render_for(page: ThreadPage, viewer: Viewer, article) -> str:
    """The whole page built for one viewer (readers with held or removed comments here)."""
    if fragments := _fill_fragments(page.nodes, viewer, lambda node: viewer.controls(node.comment)):
        cache.set_many(fragments, FRAGMENT_TIMEOUT)
    out = []
    for root in page.nodes:
        _emit_thread(root, out, lambda node: node.html, page)
    url = site_url(article.get_absolute_url())
    comments_json = [_comments_json(root, url) for root in page.nodes]
    return mark_safe("".join(_wrap(page, article, out, comments_json)))  # noqa: S308


def skeleton_name(article, viewer: Viewer, sort: str, page_number: int, expand=None) -> str:
    """The skeleton's name under the article page's versions (newsroom.freshness)."""
    return (
        f"cskel{LAYOUT}:{article.pk}:{'reader' if viewer.user.is_authenticated else 'anonymous'}"
        f":{viewer.shared}:{sort}:{page_number}:{expand or ''}"
    )


def _describe(node: Node, url: str) -> list[dict]:
    """The node as a schema.org Comment that counts its replies (a placeholder
    contributes its replies instead)."""
    comment = node.comment
    if not (node.shown and comment.is_visible):
        return [item for child in node.children for item in _describe(child, url)]
    data = {
        "@type": "Comment",
        "@id": f"{url}#{comment.anchor}",
        "text": comment.body,
        "dateCreated": comment.created_at,
        "author": {
            "@type": "Person",
            "name": comment.author.display_name,
            "url": site_url(profile_path(comment.author)),
        },
    }
    replies = node.more + sum(1 for n in _walk(node.children) if n.shown and n.comment.is_visible)
    if replies:
        data["commentCount"] = replies
    return [data]


_COMPACT = (",", ": ")


def _comments_json(root: Node, url: str) -> str:
    """A thread's schema.org Comments: JSON array items, without the brackets."""
    return json.dumps(_describe(root, url), cls=DjangoJSONEncoder, separators=_COMPACT)[1:-1]


def json_ld(comments_json: list[str], article, comment_count: int) -> str:
    """schema.org data for the conversation: the article's count and the threads shown.

    It describes the same NewsArticle ("@id") as the head's block: how many
    comments it has, and each thread shown on this page as its first comment
    (address, text, author, date) with the number of its replies. Each thread
    brings its own, already serialised (`_comments_json`).

    The replies' text is not repeated: it is in the page's HTML, which search
    engines read, and no search feature uses Comments nested in a NewsArticle;
    repeating every reply's text here made up more than a third of the page.
    """
    url = site_url(article.get_absolute_url())  # the same "@id" as the article's block
    payload = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url,
        "commentCount": comment_count,
    }
    comments = ",".join(part for part in comments_json if part)
    text = json.dumps(payload, separators=_COMPACT)[:-1] + f',"comment": [{comments}]}}'
    text = text.translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
