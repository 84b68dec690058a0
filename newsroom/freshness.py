"""Freshness: the one way anything on this site is cached.

Every cached value is keyed on the versions of everything it shows (an article's
page: `article(slug)` for the article itself, `conversation(slug)` for its comments,
and `SITE` where lists of articles appear), and a change
replaces those versions once its transaction commits (`changed()`), never deleting
values. Read the versions *before* the data and write the value under the versions
you read (`cached()` does both), so a request that read the database before a
change committed files its value under versions nobody asks for again. A version
the cache cannot give (evicted, or Redis down) is a new one: a miss, never a stale hit.

Versions are small tokens in the shared cache, read in one round trip for all the
ones a value depends on; values keyed on them never change meaning, so a process
may keep its own copy of large ones (`local=True`): a hit then costs the one read
of the versions.
"""

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from newsroom.cache import redis_breaker


@dataclass(frozen=True)
class Version:
    """The name of one thing cached values depend on; its token lives in the cache."""

    name: str

    @property
    def key(self) -> str:
        return f"version:{self.name}"


SITE = Version("site")  # the set of public articles, what lists show of them, the sections
RULES = Version("comments:rules")  # blocked terms and the moderation policy


def article(slug: str) -> Version:
    """What an article's page shows of the article: the row, byline, tags, and the
    people in its conversation (names, avatars). Named by its address, so a request
    finds it without asking the database. A new comment leaves it alone."""
    return Version(f"article:{slug}")


def conversation(slug: str) -> Version:
    """The comments under the article at this address, their number and their order.
    Whatever replaces `article(slug)` replaces this one too."""
    return Version(f"conversation:{slug}")


def reader(user_id: int) -> Version:
    """What is cached about one reader's standing (their ban)."""
    return Version(f"reader:{user_id}")


@dataclass(frozen=True)
class Stamp:
    """The tokens of some versions, read together; `stored` is False when the cache
    could not keep them (values keyed on them will then never be found again)."""

    tokens: tuple[int, ...]
    stored: bool
    versions: tuple[Version, ...] = ()

    def part(self, *versions: Version) -> "Stamp":
        """The stamp of some of these versions, without asking the cache again."""
        tokens = dict(zip(self.versions, self.tokens, strict=True))
        return Stamp(tuple(tokens[v] for v in versions), self.stored, versions)

    @property
    def tag(self) -> str:
        return hashlib.blake2b(repr(self.tokens).encode(), digest_size=12).hexdigest()


def _new_token() -> int:
    # A number, not text: the cache keeps and reads numbers as they are (django-redis
    # unpickles anything else), and every request reads these.
    return secrets.randbits(62)


def current(*versions: Version) -> Stamp:
    """The current tokens of `versions`, in one cache round trip when all exist."""
    if _unsent and not redis_breaker.is_open:
        _replace(set())
    keys = [version.key for version in versions]
    # A copy: with Redis down, django-redis answers every get_many with one shared {}.
    found = dict(cache.get_many(keys))
    stored = True
    for key in keys:
        if key not in found:
            token = _new_token()
            if cache.add(key, token, timeout=None):
                found[key] = token
            else:  # someone else made it first, or the cache is unreachable
                found[key] = cache.get(key) or token
                stored = stored and found[key] != token
    return Stamp(tuple(found[key] for key in keys), stored, versions)


def changed(versions: Iterable[Version]) -> None:
    """Replace these versions once the current transaction commits (now, outside one)."""
    keys = {version.key for version in versions}
    if keys:
        transaction.on_commit(lambda: _replace(keys))


# Replacements that could not reach the cache, retried by this process before it reads
# a version again: Redis coming back must not bring back values of a replaced version.
_unsent: set[str] = set()
# gunicorn's threaded workers share _unsent: taking it and putting back are one step each.
_unsent_lock = threading.Lock()


def _replace(keys: set[str]) -> None:
    with _unsent_lock:
        keys = keys | _unsent
        _unsent.clear()
    cache.set_many({key: _new_token() for key in keys}, None)
    if redis_breaker.is_open:  # the write failed, or was not even tried
        with _unsent_lock:
            _unsent.update(keys)


class _Memo:
    """A bounded per-process copy of values whose keys name their versions."""

    def __init__(self, max_items: int):
        self.max_items = max_items
        self._values: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: str, value) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.max_items:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


local_copies = _Memo(max_items=256)
# Many small values (the threads of article pages), read and written in batches.
local_parts = _Memo(max_items=4096)


def forget_local_copies() -> None:
    """Drop this process's copies (as a new worker starts without them)."""
    local_copies.clear()
    local_parts.clear()


def key_for(name: str, stamp: Stamp) -> str:
    return f"{name}@{stamp.tag}"


MISSING = object()


def get(name: str, stamp: Stamp, *, local: bool = False):
    """The value cached as `name` under `stamp` (which may be None), or MISSING."""
    key = key_for(name, stamp)
    if local and (box := local_copies.get(key)) is not None:
        return box[0]
    box = cache.get(key)
    if box is None:
        return MISSING
    if local:
        local_copies.put(key, box)
    return box[0]


def put(name: str, stamp: Stamp, value, *, timeout: int, local: bool = False) -> None:
    """Cache `value` as `name` under `stamp`, which must have been read before its data."""
    if not stamp.stored:
        return  # nobody could ever ask for it
    key = key_for(name, stamp)
    box = (value,)  # so that None is a value too
    cache.set(key, box, timeout)
    if local:
        local_copies.put(key, box)


def get_many(names: Iterable[str], stamp: Stamp, *, local: bool = False) -> dict:
    """Of the values cached as `names` under `stamp`, those found, by name: one round
    trip for those this process has no copy of (`local`)."""
    keys = {key_for(name, stamp): name for name in names}
    return {keys[key]: box[0] for key, box in get_named(keys, local=local).items()}


def get_named(keys: Iterable[str], *, local: bool = False) -> dict:
    """Of the values cached under `keys` that name their content (never stale, so any
    copy will do), those found: this process's copies (`local`), then one round trip."""
    found = {}
    if local:
        found = {key: box[0] for key in keys if (box := local_parts.get(key)) is not None}
    if asked := [key for key in keys if key not in found]:
        fetched = cache.get_many(asked)
        if local:
            for key, value in fetched.items():
                local_parts.put(key, (value,))
        found.update(fetched)
    return found


def put_many(
    values: dict, stamp: Stamp, *, timeout: int, local: bool = False, with_keys: dict | None = None
) -> None:
    """Cache each value under its name and `stamp`, read before their data; in the same
    round trip, `with_keys`: values whose keys name their content (never stale), as is."""
    boxes = {key_for(name, stamp): (v,) for name, v in values.items()} if stamp.stored else {}
    if boxes or with_keys:
        cache.set_many({**(with_keys or {}), **boxes}, timeout)
    if local:  # as get_named() keeps them: what the cache holds, boxed
        for key, value in {**(with_keys or {}), **boxes}.items():
            local_parts.put(key, (value,))


def cached(
    name: str,
    versions: Iterable[Version] | Stamp,
    build: Callable[[], object],
    *,
    timeout: int,
    local: bool = False,
):
    """`build()`, cached as `name` under the versions, which are read before it runs."""
    stamp = versions if isinstance(versions, Stamp) else current(*versions)
    value = get(name, stamp, local=local)
    if value is MISSING:
        value = build()
        put(name, stamp, value, timeout=timeout, local=local)
    return value
