"""Answers cached on the store's version, bounded in bytes (least recently used go first).

Every write clears the cache (``State.bump``), so an entry is always the answer for the data
as it is; the bound keeps a stream of distinct queries from growing the process without end.

>>> cache = AnswerCache(max_bytes=10_000)
>>> cache[("q", "a")] = (b"x" * 6_000, "text/plain", '"1"')
>>> cache[("q", "b")] = (b"y" * 6_000, "text/plain", '"2"')
>>> cache.get(("q", "a")) is None, cache.get(("q", "b"))[2]
(True, '"2"')
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar, cast

T = TypeVar("T")

#: what an entry costs besides its bytes (key, tuple, headers)
OVERHEAD = 256


def size_of(value: object) -> int:
    """What keeping ``value`` costs, in bytes (roughly, for what is not bytes or text)."""
    if isinstance(value, bytes | str):
        return len(value)
    if isinstance(value, tuple | list):
        return OVERHEAD + sum(len(v) for v in value if isinstance(v, bytes | str))
    return OVERHEAD * 16  # parsed objects (pages' framework, reports): a rough guess


class AnswerCache:
    """A thread-safe LRU mapping bounded by the summed size of its values."""

    def __init__(self, max_bytes: int) -> None:
        """An empty cache holding at most ``max_bytes``."""
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Lock] = {}
        #: how many times the cache was cleared: an answer made across a clear is not kept
        self._generation = 0

    def get(self, key: Hashable, default: object = None) -> object:
        """The value kept for ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return default
            self._items.move_to_end(key)
            return found[0]

    def __setitem__(self, key: Hashable, value: object) -> None:
        """Keep ``value`` (not if larger than the whole cache), dropping the least recently
        used beyond the bound."""
        size = size_of(value) + OVERHEAD
        if size > self.max_bytes:
            return  # larger than the whole cache: not kept
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _key, (_value, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def compute(self, key: Hashable, make: Callable[[], T]) -> T:
        """The cached value, or ``make()`` run once however many requests miss together
        (the others wait for it instead of computing the same answer again)."""
        found = self.get(key)
        if found is not None:
            # what is under a key was made by the same ``make`` (keys name what they hold)
            return cast(T, found)
        with self._lock:
            pending = self._pending.setdefault(key, threading.Lock())
        with pending:
            found = self.get(key)
            if found is None:
                generation = self._generation
                found = make()
                # the data changed while it was made (a write cleared the cache): the answer
                # may mix before and after, so it goes to this request only, not the cache
                if generation == self._generation:
                    self[key] = found
        with self._lock:
            self._pending.pop(key, None)
        return cast(T, found)

    def clear(self) -> None:
        """Drop everything (the data changed)."""
        with self._lock:
            self._generation += 1
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        """How many entries the cache holds."""
        return len(self._items)

    @property
    def bytes(self) -> int:
        """What the entries cost, in bytes."""
        return self._bytes


class NoCache(AnswerCache):
    """Keeps nothing (several processes share a remote store and see each other's writes)."""

    def __init__(self) -> None:
        """A cache that stays empty."""
        super().__init__(0)

    def __setitem__(self, key: Hashable, value: object) -> None:
        """Keep nothing."""
        return None


def query_key(
    text: str, accept: str, default: Iterable[str] | None = (), named: Iterable[str] | None = ()
) -> tuple:
    """The cache key of a query answer (:func:`bpfgraph.web.query.answer_query`)."""
    return ("q", text, accept, tuple(default or ()), tuple(named or ()))


def etag(body: bytes) -> str:
    """A strong ETag for a response body."""
    return '"' + hashlib.blake2b(body, digest_size=20).hexdigest() + '"'


_GZIPPED: dict[str, bytes] = {}
_GZIPPED_LOCK = threading.Lock()


def gzipped(etag: str, body: bytes) -> bytes:
    """The gzip encoding of a cached body, made once per ETag (kept for the last 256)."""
    found = _GZIPPED.get(etag)
    if found is None:
        found = gzip.compress(body, compresslevel=6, mtime=0)
        with _GZIPPED_LOCK:
            if len(_GZIPPED) >= 256:
                _GZIPPED.clear()
            _GZIPPED[etag] = found
    return found
