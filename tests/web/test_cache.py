"""The answer cache: least recently used first out, bounded in bytes, thread-safe."""

from __future__ import annotations

import threading

from bpfgraph.web.cache import OVERHEAD, AnswerCache, NoCache, gzipped


def entry(n: int, tag: str) -> tuple[bytes, str, str]:
    return (b"x" * n, "text/plain", f'"{tag}"')


def test_least_recently_used_goes_first():
    cache = AnswerCache(max_bytes=3 * (1000 + 2 * OVERHEAD + 20))
    for tag in "abc":
        cache[tag] = entry(1000, tag)
    assert cache.get("a") is not None  # a is now the most recently used
    cache["d"] = entry(1000, "d")
    assert cache.get("b") is None
    assert all(cache.get(k) is not None for k in "acd")
    assert cache.bytes <= cache.max_bytes


def test_too_large_is_not_kept_and_clear_empties():
    cache = AnswerCache(max_bytes=500)
    cache["big"] = entry(10_000, "big")
    assert cache.get("big") is None and len(cache) == 0
    cache["small"] = entry(10, "small")
    cache.clear()
    assert len(cache) == 0 and cache.bytes == 0


def test_replacing_a_key_counts_once():
    cache = AnswerCache(max_bytes=10_000)
    cache["k"] = entry(100, "1")
    size = cache.bytes
    cache["k"] = entry(100, "2")
    assert cache.bytes == size and cache.get("k")[2] == '"2"'


def test_no_cache_keeps_nothing():
    cache = NoCache()
    cache["k"] = entry(1, "1")
    assert cache.get("k") is None


def test_threads_never_exceed_the_bound():
    cache = AnswerCache(max_bytes=50_000)

    def fill(offset: int) -> None:
        for i in range(500):
            cache[(offset, i)] = entry(700, str(i))
            cache.get((offset, i - 3))

    threads = [threading.Thread(target=fill, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 0 < cache.bytes <= 50_000


def test_gzip_is_made_once_per_etag():
    body = b"abc" * 1000
    first = gzipped('"e1"', body)
    assert gzipped('"e1"', body) is first


def test_concurrent_misses_compute_once():
    cache = AnswerCache(max_bytes=1_000_000)
    calls = []

    def make() -> tuple[bytes, str, str]:
        calls.append(1)
        threading.Event().wait(0.2)  # a slow answer: the others arrive meanwhile
        return entry(100, "x")

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.compute("k", make))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(results) == 8 and all(r is results[0] for r in results)


def test_an_answer_made_across_a_write_is_not_kept():
    """A write (which clears the cache) while an answer is made: the answer, which may mix the
    data before and after, goes to its request but is not kept (the attack's stale page)."""
    from bpfgraph.web.cache import AnswerCache

    cache = AnswerCache(10_000)

    def made_while_written() -> bytes:
        cache.clear()  # a write lands meanwhile
        return b"mixed"

    assert cache.compute(("page", 7), made_while_written) == b"mixed"
    assert cache.get(("page", 7)) is None
    assert cache.compute(("page", 7), lambda: b"fresh") == b"fresh"
    assert cache.get(("page", 7)) == b"fresh"
