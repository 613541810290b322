"""Preparing documents for a rebuild in worker processes.

Segmenting Chinese with jieba is pure Python and dominates a rebuild, so a
rebuild of more than one chunk prepares its chunks (terms and JSON) in a few
worker processes while the calling process writes the previous ones. The
documents iterable is still read in the calling process, a few chunks ahead of
the writes, so memory stays bounded.

Workers are plain ``python -m search.parallel`` subprocesses fed pickled chunks
over a pipe: nothing is forked from a process that may hold threads and
database connections, and nothing re-imports the caller's ``__main__`` (as
multiprocessing's spawn would). If a worker cannot start or fails, its chunks
are prepared in this process instead, so the result never depends on the pool.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
import traceback
from collections import deque
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)
#: chunks sent to one worker before its first result is read
IN_FLIGHT = 2


def default_workers() -> int:
    """Worker processes for a rebuild: one CPU is left to the process that writes (at most 4)."""
    return max(0, min(4, (os.cpu_count() or 1) - 1))


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class _Worker:
    def __init__(self):
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "search.parallel"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )

    def send(self, function: Callable, name: str, chunk: list) -> None:
        pickle.dump((function.__module__, function.__qualname__, name, chunk), self.process.stdin, protocol=5)
        self.process.stdin.flush()

    def receive(self) -> Any:
        status, payload = pickle.load(self.process.stdout)
        if status != "ok":
            raise RuntimeError(payload)
        return payload

    def close(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


def map_chunks(function: Callable[[str, list], Any], name: str, chunks: Iterable[list], workers: int) -> Iterator[Any]:
    """``function(name, chunk)`` for each chunk, in order.

    ``function`` must be a module-level function. With ``workers`` 0, or a
    single chunk, everything runs in this process.
    """
    chunks = iter(chunks)
    head = list(itertools.islice(chunks, 2))
    if len(head) < 2 or workers < 1 or not sys.executable:
        for chunk in itertools.chain(head, chunks):
            yield function(name, chunk)
        return
    try:
        pool = [_Worker() for _ in range(workers)]
    except OSError as error:
        log.warning("search rebuild workers could not start (%s); preparing documents in this process", error)
        for chunk in itertools.chain(head, chunks):
            yield function(name, chunk)
        return
    broken: set[int] = set()
    pending: deque[tuple[int, list]] = deque()

    def collect() -> Any:
        number, chunk = pending.popleft()
        if number not in broken:
            try:
                return pool[number].receive()
            except Exception as error:  # noqa: BLE001 - a failed worker must not lose the chunk
                log.warning("search rebuild worker failed (%s); preparing its documents in this process", error)
                broken.add(number)
        return function(name, chunk)

    try:
        for index, chunk in enumerate(itertools.chain(head, chunks)):
            number = index % workers
            if number not in broken:
                try:
                    pool[number].send(function, name, chunk)
                except OSError:
                    broken.add(number)
            pending.append((number, chunk))
            while len(pending) > workers * IN_FLIGHT:
                yield collect()
        while pending:
            yield collect()
    finally:
        for worker in pool:
            worker.close()


def _serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """The worker loop: read (module, function, name, chunk), answer ("ok", result) or ("error", text)."""
    inbox: queue.Queue = queue.Queue()

    def read() -> None:
        # Read requests as they come, so the parent never blocks writing while we write a reply.
        while True:
            try:
                inbox.put(pickle.load(requests))
            except EOFError:
                inbox.put(None)
                return

    threading.Thread(target=read, daemon=True).start()
    while (request := inbox.get()) is not None:
        module, qualname, name, chunk = request
        try:
            reply = ("ok", getattr(importlib.import_module(module), qualname)(name, chunk))
        except Exception:  # noqa: BLE001 - reported to the parent, which redoes the chunk itself
            reply = ("error", traceback.format_exc())
        pickle.dump(reply, replies, protocol=5)
        replies.flush()


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
