"""IdlePool: a thread pool whose threads end once idle, made again as work comes.

A server keeps a pool per account (the services' jobs, the Data API's statements) and per engine (the
wire front's blocking work).  concurrent.futures' ThreadPoolExecutor keeps every thread it made until
it is shut down, so over a long-lived server with many accounts, or many clusters made and deleted,
its threads would only grow.  An IdlePool's worker ends after ``idle_seconds`` without work; a pool
whose last worker ended holds no thread (``on_idle`` is told, to forget it), and takes work again as
before, starting workers up to ``max_workers``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import Executor, Future
from typing import Any, Callable


class IdlePool(Executor):
    def __init__(self, max_workers: int, name: str, idle_seconds: float,
                 on_idle: Callable[["IdlePool"], None] | None = None) -> None:
        self.max_workers = max_workers
        self.name = name
        self.idle_seconds = idle_seconds
        self._on_idle = on_idle
        self._queue: deque[tuple[Future, Callable[..., Any], tuple, dict]] = deque()
        self._ready = threading.Condition()
        self._threads: set[threading.Thread] = set()
        self._waiting = 0  # workers waiting for work
        self._shut = False

    @property
    def threads(self) -> int:
        with self._ready:
            return len(self._threads)

    def idle(self) -> bool:
        """No worker and nothing queued (a pool that may be forgotten)."""
        with self._ready:
            return not self._threads and not self._queue

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._ready:
            if self._shut:
                raise RuntimeError("cannot schedule new futures after shutdown")
            future: Future = Future()
            self._queue.append((future, fn, args, kwargs))
            if self._waiting >= len(self._queue):
                self._ready.notify()
            elif len(self._threads) < self.max_workers:
                thread = threading.Thread(target=self._work, name=f"{self.name}_{len(self._threads)}", daemon=True)
                self._threads.add(thread)
                thread.start()
            return future

    def _work(self) -> None:
        me = threading.current_thread()
        while True:
            with self._ready:
                deadline = time.monotonic() + self.idle_seconds
                while not self._queue:
                    remaining = deadline - time.monotonic()
                    if self._shut or remaining <= 0:
                        self._threads.discard(me)
                        last = not self._threads and not self._queue
                        break
                    self._waiting += 1
                    self._ready.wait(remaining)
                    self._waiting -= 1
                else:
                    future, fn, args, kwargs = self._queue.popleft()
                    last = None
            if last is not None:
                if last and not self._shut and self._on_idle is not None:
                    self._on_idle(self)
                return
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as error:  # the future carries it, as ThreadPoolExecutor's does
                    future.set_exception(error)
                else:
                    future.set_result(result)
            del future, fn, args, kwargs  # nothing of a finished job is kept while waiting

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Take no more work; the work queued still runs (``cancel_futures``: it is cancelled), then the
        workers end (``wait``: this waits for them)."""
        with self._ready:
            self._shut = True
            if cancel_futures:
                while self._queue:
                    self._queue.popleft()[0].cancel()
            self._ready.notify_all()
            threads = list(self._threads)
        if wait:
            for thread in threads:
                if thread is not threading.current_thread():
                    thread.join()
