"""A pool of query worker processes with a time limit that really stops the work."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from tilod.stores.base import QueryReply, QueryRequest, QueryTimeout, StoreBusy
from tilod.stores.query_worker import worker_main


@dataclass(eq=False)
class Worker:
    process: BaseProcess
    conn: Connection

    def kill(self) -> None:
        if self.process.pid and self.process.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(timeout=5)
        self.conn.close()


EXTRA_FACTOR = 3


class QueryPool:
    def __init__(self, store_path: str, size: int, timeout: float, max_bytes: int) -> None:
        self.store_path = store_path
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        # when every worker is busy (runaway queries, say), up to this many more are started
        # so that simple queries are not starved; the extra ones stay for later bursts
        self.max_size = max(1, size) * EXTRA_FACTOR
        # none is started before the first query (`_checkout` starts them): a web worker that
        # only serves pages never pays for them, and a new one starts without spawning processes

    def _start(self) -> Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=worker_main, args=(child, self.store_path, self.max_bytes), daemon=True
        )
        process.start()
        child.close()
        worker = Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: Worker) -> None:
        """Kill a worker and put a fresh one in the pool, without making the caller wait."""
        with self._lock:
            self._all.discard(worker)
        worker.kill()

        def start() -> None:
            if not self._closed:
                self._idle.put(self._start())

        threading.Thread(target=start, daemon=True).start()

    def _checkout(self) -> Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            grow = len(self._all) < self.max_size
        if grow:
            return self._start()
        try:
            return self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise StoreBusy from None

    def run(self, request: QueryRequest) -> QueryReply:
        worker = self._checkout()
        try:
            worker.conn.send(request)
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                raise QueryTimeout
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            raise
        self._idle.put(worker)
        return reply

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
