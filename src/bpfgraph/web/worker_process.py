"""One query worker process, as the service sees it: a socket to talk to, a pid to kill.

:class:`Worker` sends a message and reads the answer (a length-prefixed pickle, see
:mod:`bpfgraph.web.query_worker`); :meth:`Worker.spawn` starts the zygote, :meth:`Worker.fork`
asks it for a new worker. The pool that schedules them is :mod:`bpfgraph.web.executor`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import select
import signal
import socket
import subprocess
import sys
from typing import Any

from .query_worker import HEADER

#: bytes of a memory page (RSS is counted in pages)
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class WorkerGone(Exception):
    """The worker process ended (killed at a deadline, or crashed)."""


class Worker:
    """One worker process and what of the store it holds."""

    def __init__(self, channel: socket.socket, pid: int, process: subprocess.Popen | None) -> None:
        """A worker reached through ``channel``; ``process`` when this process started it."""
        #: a Unix socket to the worker (a socket, so that a forked worker's end can be passed)
        self.channel = channel
        self.pid = pid
        #: the process object when this process started it (a forked worker is the zygote's)
        self.process = process
        self.fd = channel.fileno()
        channel.setblocking(False)
        #: the journal sequence this worker's copy holds (-1: nothing yet)
        self.seq = -1
        #: graphs that must be copied again whatever the journal says (None: everything)
        self.dirty: set[str] | None = set()
        self.dirty_default = False
        self.baseline = 0
        self.killed = False

    def call(self, message: tuple) -> Any:
        """Send one message and wait for the answer (blocking: from a thread)."""
        self._send_blocking(frame(message))
        return self._receive_blocking()

    async def call_async(self, message: tuple) -> Any:
        """Send one message and wait for the answer on the event loop (no thread)."""
        loop = asyncio.get_running_loop()
        data = memoryview(frame(message))
        frames = Frames()
        try:
            while data:
                try:
                    data = data[os.write(self.fd, data) :]
                except BlockingIOError:
                    await fd_ready(loop, self.fd, write=True)
            while (reply := frames.message()) is None:
                try:
                    frames.add(os.read(self.fd, 1 << 20))
                except BlockingIOError:
                    await fd_ready(loop, self.fd, write=False)
        except OSError as exc:
            raise WorkerGone(str(exc)) from None
        return reply

    def _send_blocking(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                try:
                    view = view[os.write(self.fd, view) :]
                except BlockingIOError:
                    select.select([], [self.fd], [], 1.0)
        except OSError as exc:
            raise WorkerGone(str(exc)) from None

    def _receive_blocking(self) -> Any:
        frames = Frames()
        try:
            while (reply := frames.message()) is None:
                try:
                    frames.add(os.read(self.fd, 1 << 20))
                except BlockingIOError:
                    select.select([self.fd], [], [], 1.0)
        except OSError as exc:
            raise WorkerGone(str(exc)) from None
        return reply

    @classmethod
    def spawn(cls) -> Worker:
        """A new worker process (holding nothing yet)."""
        ours, theirs = socket.socketpair()
        process = subprocess.Popen(
            [sys.executable, "-m", "bpfgraph.web.query_worker", str(os.getpid())],
            stdin=theirs.fileno(),
            stdout=theirs.fileno(),
            close_fds=True,
        )
        theirs.close()
        return cls(ours, process.pid, process)

    def fork(self) -> Worker:
        """A new worker forked from this one (blocking): it holds the same copy of the store,
        shared page by page until either changes it; it answers at once."""
        self._send_blocking(frame(("fork",)))
        frames = Frames()
        fds: list[int] = []
        try:
            while (reply := frames.message()) is None:
                select.select([self.channel], [], [], 1.0)
                try:
                    data, received, _flags, _addr = socket.recv_fds(self.channel, 1 << 16, 1)
                except BlockingIOError:
                    continue
                fds += received
                frames.add(data)
        except OSError as exc:
            raise WorkerGone(str(exc)) from None
        if reply[0] != "ok" or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise WorkerGone(f"the fork failed: {reply}")
        child = Worker(socket.socket(fileno=fds[0]), reply[1], None)
        child.seq, child.dirty_default = self.seq, self.dirty_default
        child.dirty = None if self.dirty is None else set(self.dirty)
        return child

    def rss(self) -> int:
        """The worker's resident memory in bytes (0 when it is gone)."""
        try:
            with open(f"/proc/{self.pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            return 0

    def kill(self) -> None:
        """Kill the worker (SIGKILL) and reap it."""
        self.killed = True
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(Exception):
                self.process.wait(5)
        # the socket closes with this object: a job still reading sees the end of the stream


def alive(worker: Worker) -> bool:
    """Whether the worker's process is still running (a forked one: assumed so)."""
    return worker.process is None or worker.process.poll() is None


def frame(message: Any) -> bytes:
    """A message as the worker reads it: length header, then the pickle."""
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(body)) + body


class Frames:
    """The bytes of one answer as they arrive, and the answer once they are all in."""

    def __init__(self) -> None:
        """No bytes yet."""
        self.buffer = bytearray()

    def add(self, chunk: bytes) -> None:
        """Add bytes read from the worker (an empty read: the worker ended)."""
        if not chunk:
            raise WorkerGone("the worker ended")
        self.buffer += chunk

    def message(self) -> Any:
        """The answer (a tuple), or None while bytes are missing."""
        if len(self.buffer) < HEADER.size:
            return None
        size = HEADER.size + HEADER.unpack_from(self.buffer)[0]
        if len(self.buffer) < size:
            return None
        return pickle.loads(memoryview(self.buffer)[HEADER.size : size])


async def fd_ready(loop: asyncio.AbstractEventLoop, fd: int, write: bool) -> None:
    """Wait until ``fd`` can be written (or read)."""
    waiter = loop.create_future()

    def wake() -> None:
        if not waiter.done():
            waiter.set_result(None)

    (loop.add_writer if write else loop.add_reader)(fd, wake)
    try:
        await waiter
    finally:
        (loop.remove_writer if write else loop.remove_reader)(fd)
