from django.core.cache import cache

from newsroom.cache import LocalCopies, LocalMemo


def test_local_copies_follow_the_shared_token_across_processes():
    first, second = LocalCopies("t"), LocalCopies("t")  # two worker processes
    assert first.get("page") is None
    first.set("page", b"v1", timeout=60)
    assert second.get("page") == b"v1"
    cache.delete_many(first.forget_keys(["page"]))
    assert first.get("page") is None and second.get("page") is None
    second.set("page", b"v2", timeout=60)
    assert first.get("page") == b"v2"


def test_local_copies_are_bounded():
    copies = LocalCopies("bounded", max_items=2)
    for n in range(5):
        copies.set(f"p{n}", n, timeout=60)
    assert len(copies._copies) == 2
    assert copies.get("p0") == 0  # still in the shared cache


def test_local_memo_reads_through_and_keeps_a_copy():
    memo = LocalMemo(max_items=1)
    cache.set("k1", "one")
    assert memo.get("k1") == "one"
    cache.delete("k1")
    assert memo.get("k1") == "one"  # versioned keys never change meaning
    memo.remember("k2", "two")
    assert memo.get("k1") is None
