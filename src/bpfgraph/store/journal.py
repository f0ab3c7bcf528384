"""The journal of an embedded store: which graphs each write touched, and its sequence number.

Copies of an embedded store — the query worker processes (:mod:`bpfgraph.web.executor`) and
the workers' replicas of ``serve --workers N`` (:mod:`bpfgraph.store.replica`) — catch up from
it: the sequence, published in a small memory-mapped file, tells them that they are behind,
and :meth:`Journal.since` which graphs to copy again.
"""

from __future__ import annotations

import mmap
import os
import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path

#: bytes of the shared file: epoch and sequence, two unsigned 64-bit numbers
SHARED = 16
#: the writes a journal remembers; a copy further behind copies the whole store again
KEEP = 100_000


class Journal:
    """The writer's record of the graphs each write touched, and the sequence it publishes.

    >>> import tempfile, pathlib
    >>> journal = Journal(pathlib.Path(tempfile.mkdtemp()) / "sequence")
    >>> journal.record(["https://example.org/g"], default=False)
    >>> journal.record(["https://example.org/h"], default=True)
    >>> sorted(journal.since(0)[0]), journal.since(0)[1], journal.since(2)
    (['https://example.org/g', 'https://example.org/h'], True, (set(), False))
    >>> journal.record(None, default=True)  # a write that may have touched anything
    >>> journal.since(2) is None
    True
    """

    def __init__(self, path: Path, keep: int = KEEP) -> None:
        """A new journal publishing its sequence in the file at ``path``; it remembers the
        last ``keep`` writes."""
        #: tells a writer's sequence from an earlier writer's (a restarted service)
        self.epoch = int.from_bytes(os.urandom(6), "little")
        self.seq = 0
        self._entries: deque[tuple[int, frozenset[str] | None, bool]] = deque(maxlen=keep)
        path.write_bytes(bytes(SHARED))
        self._file = path.open("r+b")
        self._map = mmap.mmap(self._file.fileno(), SHARED)
        #: epoch and sequence: what the workers read before each request
        self._view = memoryview(self._map).cast("Q")
        self._view[0] = self.epoch
        #: when the last write was made (Unix seconds), for Last-Modified
        self.modified = int(time.time())

    def record(self, graphs: Iterable[str] | None, default: bool) -> None:
        """Note a write (``graphs`` None: it may have touched any graph) and publish it."""
        self.seq += 1
        self._entries.append((self.seq, None if graphs is None else frozenset(graphs), default))
        self.modified = int(time.time())
        self._view[1] = self.seq

    def since(self, seq: int) -> tuple[set[str], bool] | None:
        """The graphs written after ``seq`` and whether the default graph was; None when
        the journal cannot tell (too far back, or a write touched any graph)."""
        if seq > self.seq:
            return None
        oldest = self._entries[0][0] if self._entries else self.seq + 1
        if oldest > seq + 1:
            return None
        graphs: set[str] = set()
        default = False
        for number, touched, with_default in reversed(self._entries):
            if number <= seq:
                break
            if touched is None:
                return None
            graphs |= touched
            default = default or with_default
        return graphs, default
