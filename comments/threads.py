"""Building the conversation under an article: a page of threads as a tree.

Two queries whatever the size of the conversation: one for the page of
top-level threads (with their total and each one's state) and one for every
comment in those threads; the tree is then assembled in memory.
"""

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q
from django.db.models.base import ModelState
from django.db.models.functions import JSONObject
from django.urls import reverse

from articles.models import Article
from newsroom import compiled

from .models import Comment

SORTS = {
    "oldest": ("created_at", "pk"),
    "newest": ("-created_at", "-pk"),
    "recommended": ("-recommendation_count", "created_at", "pk"),
}


@dataclass
class Node:
    comment: Comment
    shown: bool  # False: a placeholder that keeps the thread's shape
    children: list["Node"] = field(default_factory=list)
    # Set when a reply sits at its parent's level because the thread is at maximum depth.
    reply_to: Comment | None = None
    html: str = ""  # the rendered fragment, filled in by comments.rendering
    key_parts: tuple = ()  # what the fragment shows (its cache key), filled in with it
    more: int = 0  # on a thread's first comment: how many of its replies are collapsed


@dataclass
class Pagination:
    """Which page of threads this is, and the article's visible comments, counted."""

    number: int
    num_pages: int
    sort: str
    comment_count: int

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.num_pages


@dataclass
class ThreadPage(Pagination):
    nodes: list[Node]


def parse_sort(value) -> str:
    return value if value in SORTS else "oldest"


# Far beyond any real conversation, and small enough that the OFFSET it makes
# stays within PostgreSQL's bigint.
MAX_PAGE = 100_000


def parse_page(value) -> int:
    try:
        return min(max(1, int(value)), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def parse_expand(value) -> int | None:
    """The thread (its first comment's id) a reader asked to see whole, if any."""
    try:
        return int(value) if value and int(value) > 0 else None
    except (TypeError, ValueError):
        return None


def _replies(node):
    """A thread's replies in the order they are shown (each before its own replies)."""
    for child in node.children:
        yield child
        yield from _replies(child)


def collapse(root: Node) -> None:
    """Keep the thread's first COMMENTS_REPLIES_SHOWN replies; count the rest in `more`."""
    replies = list(_replies(root))
    shown = settings.COMMENTS_REPLIES_SHOWN
    kept = set(map(id, replies[:shown]))
    root.more = sum(1 for node in replies[shown:] if node.shown)

    def prune(node):
        node.children = [child for child in node.children if id(child) in kept]
        for child in node.children:
            prune(child)

    prune(root)


class Featured(NamedTuple):
    """A comment in the article's Featured block: a quote, its author and where it is."""

    pk: int
    body: str
    author_name: str
    author_username: str
    created_at: datetime

    @classmethod
    def of(cls, row: dict) -> "Featured":
        name = f"{row['first_name']} {row['last_name']}".strip() or row["username"]
        when = datetime.fromisoformat(row["created_at"])
        return cls(row["pk"], row["body"], name, row["username"], when)

    def get_absolute_url(self) -> str:
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def author_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.author_username})


FEATURED_SHOWN = 3


def _featured(article):
    """The Featured block's rows, read with the page of threads (no query of its own)."""
    rows = (
        Comment.objects.featured()
        .for_article(article)
        .annotate(
            row=JSONObject(
                pk="pk",
                body="body",
                created_at="created_at",
                username="author__username",
                first_name="author__first_name",
                last_name="author__last_name",
            )
        )
        .values("row")
    )
    return rows[:FEATURED_SHOWN]


@dataclass
class ThreadIndex(Pagination):
    """A page of threads before any comment is loaded: each thread's first comment
    and the state of its rows (`roots`: (id, latest change, number of replies))."""

    roots: list[tuple[int, object, int]]
    held_authors: frozenset  # readers with held or removed comments on the article
    featured: tuple[Featured, ...] = ()

    @property
    def root_ids(self) -> list[int]:
        return [pk for pk, *_ in self.roots]


def _order_by(sort: str) -> str:
    """SORTS[sort] as an ORDER BY over the columns the index selects (by name)."""
    return ", ".join(
        f"{name.lstrip('-')}{' DESC' if name.startswith('-') else ''}" for name in SORTS[sort]
    )


def _index_parts(article, user, sort: str) -> dict[str, tuple[str, tuple]]:
    """The index's pieces, as the ORM writes them: which rows are threads is said once,
    by the QuerySets (Comment.objects.thread_roots is shown_roots | placeholder_roots)."""
    columns = tuple(dict.fromkeys(("pk", "updated_at", *(n.lstrip("-") for n in SORTS[sort]))))
    shown = Comment.objects.shown_roots(article, user)
    held = Comment.objects.for_article(article).withheld().order_by().values("author_id")
    return {
        "placeholders": compiled.sql(
            Comment.objects.placeholder_roots(article, user).order_by().values(*columns)
        ),
        "shown": compiled.sql(shown.order_by(*SORTS[sort]).values(*columns)),
        "shown_ids": compiled.sql(shown.order_by().values("pk")),
        "comment_count": compiled.sql(
            Article.objects.filter(pk=article.pk).order_by().values("comment_count")
        ),
        "held": compiled.sql(held.distinct()),
        "featured": compiled.sql(_featured(article)),
    }


# The page of threads is read first, from an ordered range of comment_root_order_idx, and
# only its rows have their replies looked at: a window over every thread (a total that
# way) made PostgreSQL read and sort them all. Placeholders are the few threads outside
# that range; the page is the first rows of both.
_INDEX = """
WITH placeholders AS MATERIALIZED ({placeholders})
SELECT page.pk, GREATEST(page.updated_at, thread.changed), thread.size,
    (SELECT COUNT(*) FROM ({shown_ids}) shown) + (SELECT COUNT(*) FROM placeholders),
    ({comment_count}), ARRAY({held}), ARRAY({featured})
FROM (
    ({shown} LIMIT %s) UNION ALL (SELECT * FROM placeholders)
    ORDER BY {order} LIMIT %s OFFSET %s
) page
CROSS JOIN LATERAL (
    SELECT MAX(reply.updated_at) AS changed, COUNT(*) AS size
    FROM {table} reply WHERE reply.root_id = page.pk
) thread
ORDER BY {order}
"""


# Stand-ins (newsroom.compiled) for the article, the reader, and the page: the rows read
# from the ordered index, the page's size and its offset.
_ARTICLE, _READER = -2_000_000_011, -2_000_000_013
_FIRST, _SIZE, _OFFSET = -2_000_000_017, -2_000_000_019, -2_000_000_023


@functools.cache
def _index_sql(sort: str, signed_in: bool) -> tuple[str, tuple]:
    """The index's SQL and parameters, compiled once per process (newsroom.compiled):
    compiling it (a dozen subqueries) took longer than PostgreSQL takes to run it."""
    user = get_user_model()(pk=_READER) if signed_in else AnonymousUser()
    parts = _index_parts(Article(pk=_ARTICLE), user, sort)
    order = _order_by(sort)
    sql = _INDEX.format(
        **{name: part[0] for name, part in parts.items()},
        order=order,
        table=Comment._meta.db_table,
    )
    # In the order their placeholders appear in _INDEX.
    params = (
        *parts["placeholders"][1],
        *parts["shown_ids"][1],
        *parts["comment_count"][1],
        *parts["held"][1],
        *parts["featured"][1],
        *parts["shown"][1],
        _FIRST,
        _SIZE,
        _OFFSET,
    )
    return sql, params


# Django's timestamptz loader is psycopg's pure-Python one (subclassed to pin the zone to
# the connection's, which Django sets as the session's TimeZone): the five stamps of each
# comment of a page of threads took longer to parse than the rest of the row. psycopg's
# own loader, compiled when psycopg[binary] is installed, reads the same instants in that
# same session zone.
_STAMP_LOADER = psycopg.adapters.get_loader(
    psycopg.adapters.types["timestamptz"].oid, psycopg.pq.Format.TEXT
)


def _fetch(sql: str, params) -> list[tuple]:
    """The rows of a compiled query, their timestamps read by _STAMP_LOADER."""
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", _STAMP_LOADER)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _index_rows(article, user, sort: str, page: int) -> list[tuple]:
    sql, params = _index_sql(sort, user.is_authenticated)
    size = settings.COMMENTS_THREADS_PER_PAGE
    offset = (page - 1) * size
    values = {
        _ARTICLE: article.pk,
        _READER: user.pk,
        _FIRST: offset + size,
        _SIZE: size,
        _OFFSET: offset,
    }
    return _fetch(sql, compiled.bind(params, values))


def thread_index(article, user, *, sort="oldest", page=1) -> ThreadIndex:
    """One query: the page of threads, the total, the article's count, the readers with
    withheld comments on it, and what each thread's cached rendering must match."""
    per_page = settings.COMMENTS_THREADS_PER_PAGE
    rows = _index_rows(article, user, sort, page)
    if not rows and page > 1:  # past the end: show the last page instead of an error
        total = Comment.objects.thread_roots(article, user).count()
        page = max(1, -(-total // per_page))
        rows = _index_rows(article, user, sort, page)
    featured = ()
    if rows:
        total, comment_count, held = rows[0][3:6]
        # The raw cursor hands jsonb over as text (Django decodes it in JSONField).
        featured = tuple(Featured.of(json.loads(row)) for row in rows[0][6])
    else:  # no thread shown at all: no visible comment, but perhaps held ones
        total, comment_count = 0, 0
        held = Comment.objects.for_article(article).withheld().values_list("author_id", flat=True)
    return ThreadIndex(
        roots=[row[:3] for row in rows],
        held_authors=frozenset(held),
        number=page,
        num_pages=max(1, -(-total // per_page)),
        sort=sort,
        comment_count=comment_count,
        featured=featured,
    )


# A comment's columns, and of its author what a comment shows (name, avatar, badges):
# a reader's account has three times as many, and a page loads a hundred authors.
_COMMENT_COLUMNS = tuple(field.attname for field in Comment._meta.concrete_fields)
_AUTHOR_COLUMNS = ("username", "first_name", "last_name", "avatar", "is_staff", "deleted_at")
# Ids no comment has, standing for the threads' first comments in the compiled query.
_ROOT = -2_000_000_100


@functools.lru_cache(maxsize=128)
def _threads_sql(count: int) -> tuple[str, tuple]:
    """The query for `count` threads, compiled by the ORM once per process (compiling it
    took as long as running it for one thread)."""
    marks = [_ROOT - n for n in range(count)]
    columns = (*_COMMENT_COLUMNS, *(f"author__{name}" for name in _AUTHOR_COLUMNS))
    return compiled.sql(Comment.objects.in_threads(marks).values_list(*columns), *marks)


def _thread_rows(root_ids) -> list[tuple]:
    sql, params = _threads_sql(len(root_ids))
    marks = {_ROOT - n: pk for n, pk in enumerate(root_ids)}
    return _fetch(sql, compiled.bind(params, marks))


def _loaded(model, values: dict, db: str):
    """An instance of `model` as the database holds it, like Model.from_db() makes one
    but without Model.__init__ (a page loads hundreds; no signal is sent for them)."""
    instance = model.__new__(model)
    instance.__dict__.update(values)
    instance._state = ModelState()
    instance._state.adding, instance._state.db = False, db
    return instance


def comments_in_threads(root_ids) -> list[Comment]:
    """Every comment of these threads, in the order they were written, each with the
    author columns a comment shows (others are loaded on access, as with only())."""
    if not root_ids:
        return []
    user_model, authors, comments, db = get_user_model(), {}, [], connection.alias
    pk = user_model._meta.pk.attname
    split = len(_COMMENT_COLUMNS)
    for row in _thread_rows(list(root_ids)):
        comment = _loaded(Comment, dict(zip(_COMMENT_COLUMNS, row[:split], strict=True)), db)
        author = authors.get(comment.author_id)
        if author is None:
            author = authors[comment.author_id] = _loaded(
                user_model,
                {pk: comment.author_id, **dict(zip(_AUTHOR_COLUMNS, row[split:], strict=True))},
                db,
            )
        comment._state.fields_cache["author"] = author
        comments.append(comment)
    return comments


def threads_of(root_ids, user, *, expand=None) -> list[Node]:
    """These threads as trees, collapsed (but for `expand`): one query."""
    nodes = build_tree(comments_in_threads(root_ids), root_ids, user)
    for node in nodes:
        if node.comment.pk != expand:
            collapse(node)
    return nodes


def thread_page(article, user, *, sort="oldest", page=1, expand=None) -> ThreadPage:
    """A page of threads, every comment loaded (two queries)."""
    index = thread_index(article, user, sort=sort, page=page)
    return ThreadPage(
        nodes=threads_of(index.root_ids, user, expand=expand),
        number=index.number,
        num_pages=index.num_pages,
        sort=sort,
        comment_count=index.comment_count,
    )


def build_tree(comments, root_ids, user) -> list[Node]:
    """Nest chronologically ordered comments; drop branches with nothing to show."""
    nodes = {}
    for comment in comments:
        node = Node(comment, comment.is_shown_to(user))
        nodes[comment.pk] = node
        if comment.parent_id is None:
            continue
        parent = nodes.get(comment.parent_id)
        if parent is None:  # a parent outside these threads cannot happen; be defensive
            continue
        if parent.comment.depth >= comment.depth and parent.comment.parent_id is not None:
            # The parent is at maximum depth: join its level, under the same display parent.
            node.reply_to = parent.comment
            parent = nodes[parent.comment.parent_id]
            while parent.comment.depth >= comment.depth and parent.comment.parent_id:
                parent = nodes[parent.comment.parent_id]
        parent.children.append(node)

    def prune(node) -> bool:
        node.children = [child for child in node.children if prune(child)]
        return node.shown or bool(node.children)

    return [nodes[pk] for pk in root_ids if pk in nodes and prune(nodes[pk])]


@dataclass(frozen=True)
class Location:
    """Where the article page shows a comment: its page (oldest first), and the
    thread to expand when the comment is a collapsed reply."""

    page: int
    expand: int | None


def locate(comment, user) -> Location | None:
    """Where the article page shows this comment to this reader, in full or as a
    placeholder kept for its replies (None: nowhere). The thread is loaded once and
    built as the page builds it; one more query counts the threads before it. Every
    post, edit and permalink asks: both queries are compiled once per process."""
    root_id = comment.root_id or comment.pk
    roots = build_tree(comments_in_threads([root_id]), [root_id], user)
    if not roots:
        return None
    shown = [roots[0], *_replies(roots[0])]
    if all(node.comment.pk != comment.pk for node in shown):
        return None
    earlier = _threads_before(roots[0].comment, user)
    collapsed = [node.comment.pk for node in shown[1 + settings.COMMENTS_REPLIES_SHOWN :]]
    return Location(
        page=earlier // settings.COMMENTS_THREADS_PER_PAGE + 1,
        expand=root_id if comment.pk in collapsed else None,
    )


# Both parts are the ORM's SQL, with their parameters kept apart.
_COUNT_BOTH = "SELECT (SELECT COUNT(*) FROM ({shown}) s) + (SELECT COUNT(*) FROM ({held}) h)"
# Stand for the thread's first comment (its time and id) in the compiled query.
_WHEN, _BEFORE = datetime(1901, 1, 1, tzinfo=UTC), -2_000_000_200


@functools.cache
def _threads_before_sql(signed_in: bool) -> tuple[str, tuple]:
    """How many of the reader's threads come before a thread (oldest first): those they
    see in full and their placeholders, said by the same QuerySets as the index."""
    user = get_user_model()(pk=_READER) if signed_in else AnonymousUser()
    article = Article(pk=_ARTICLE)
    before = Q(created_at__lt=_WHEN) | Q(created_at=_WHEN, pk__lt=_BEFORE)
    shown = compiled.sql(
        Comment.objects.shown_roots(article, user).filter(before).order_by().values("pk"),
        *(_ARTICLE, _WHEN, _BEFORE),
    )
    held = compiled.sql(
        Comment.objects.placeholder_roots(article, user).filter(before).order_by().values("pk"),
        *(_ARTICLE, _WHEN, _BEFORE),
    )
    return _COUNT_BOTH.format(shown=shown[0], held=held[0]), shown[1] + held[1]


def _threads_before(root: Comment, user) -> int:
    sql, params = _threads_before_sql(user.is_authenticated)
    values = {_ARTICLE: root.article_id, _READER: user.pk, _BEFORE: root.pk, _WHEN: root.created_at}
    return _fetch(sql, compiled.bind(params, values))[0][0]
