from django.core.cache import cache

from newsroom import freshness


def test_local_copies_follow_the_shared_version_across_processes():
    version = freshness.Version("t")
    stamp = freshness.current(version)
    assert freshness.get("page", stamp, local=True) is freshness.MISSING
    freshness.put("page", stamp, b"v1", timeout=60, local=True)
    freshness.local_copies.clear()  # another worker process
    assert freshness.get("page", freshness.current(version), local=True) == b"v1"
    freshness.changed([version])
    assert freshness.get("page", freshness.current(version), local=True) is freshness.MISSING
    freshness.put("page", freshness.current(version), b"v2", timeout=60, local=True)
    freshness.local_copies.clear()
    assert freshness.get("page", freshness.current(version), local=True) == b"v2"


def test_local_copies_are_bounded():
    copies = freshness._Memo(max_items=2)
    for n in range(5):
        copies.put(f"p{n}", (n,))
    assert len(copies._values) == 2
    assert copies.get("p0") is None


def test_local_copies_read_through_and_keep_a_copy():
    stamp = freshness.current(freshness.Version("memo"))
    freshness.put("k1", stamp, "one", timeout=60)
    assert freshness.get("k1", stamp, local=True) == "one"
    cache.clear()
    assert freshness.get("k1", stamp, local=True) == "one"  # versioned keys never change meaning
    assert freshness.get("k1", stamp) is freshness.MISSING


def test_none_is_a_value_and_a_lost_version_is_a_miss():
    version = freshness.Version("none")
    assert freshness.cached("answer", [version], lambda: None, timeout=60) is None
    assert freshness.cached("answer", [version], lambda: 1 / 0, timeout=60) is None
    cache.delete(version.key)  # evicted
    assert freshness.cached("answer", [version], lambda: "rebuilt", timeout=60) == "rebuilt"


def test_batches_keep_local_copies_and_fetch_only_the_rest():
    version = freshness.Version("parts")
    stamp = freshness.current(version)
    freshness.put_many({"a": 1, "b": None}, stamp, timeout=60, local=True)
    freshness.put_many({"c": 3}, stamp, timeout=60)  # another worker's
    cache.delete_many([freshness.key_for(name, stamp) for name in "ab"])
    assert freshness.get_many("abcd", stamp, local=True) == {"a": 1, "b": None, "c": 3}
    freshness.changed([version])
    assert freshness.get_many("abcd", freshness.current(version), local=True) == {}
    freshness.forget_local_copies()  # a new worker has only what the shared cache holds
    assert freshness.get_many("abc", stamp, local=True) == {"c": 3}
