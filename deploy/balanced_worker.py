"""gunicorn's gthread worker, made to share keep-alive connections with the other workers.

A gthread worker keeps each connection it accepts for the connection's whole life, and all the
workers accept on one shared socket: when clients connect in a burst, the worker that happens to
be scheduled takes them all while another gets none, and one core idles for as long as those
connections live (seen: a 64-client keep-alive load served by one of two workers). Here each
worker publishes how many connections it holds, in memory the master shares with it (made when
the configuration is read, before the workers are forked), and accepts a new one only while it
holds no more than the least loaded live worker does. A worker that is starting up, or
gone, does not hold the others back.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import time

from gunicorn.workers.gthread import ThreadWorker

SLOTS = 64  # more than any TILOD_WEB_WORKERS
#: (pid, connections held) of each live worker; 0 pid: a free slot
_held = multiprocessing.RawArray(ctypes.c_long, 2 * SLOTS)
_claiming = multiprocessing.Lock()
LIVENESS_EVERY = 1.0  # seconds between checks that the other workers are still alive


class BalancedThreadWorker(ThreadWorker):
    _slot: int | None = None
    _others: list[int] = []
    _others_checked = 0.0

    @property  # type: ignore[override]
    def worker_connections(self) -> int:
        """How many connections this worker may hold now (gthread's loop reads it each turn)."""
        limit = self._max_connections
        if self._slot is None:
            return limit
        _held[2 * self._slot + 1] = self.nr_conns
        now = time.monotonic()
        if now - self._others_checked > LIVENESS_EVERY:
            self._others = [i for i in range(SLOTS) if i != self._slot and _held[2 * i] and _alive(_held[2 * i])]
            self._others_checked = now
        if not self._others:
            return limit
        return min(limit, min(_held[2 * i + 1] for i in self._others) + 1)

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._max_connections = value

    def run(self) -> None:
        """Take a slot once the app is loaded (a starting worker accepts nothing yet), free it at exit."""
        if _claiming.acquire(timeout=1):
            try:
                free = [i for i in range(SLOTS) if not _held[2 * i] or not _alive(_held[2 * i])]
                if free:
                    self._slot = free[0]
                    _held[2 * self._slot], _held[2 * self._slot + 1] = os.getpid(), 0
            finally:
                _claiming.release()
        try:
            super().run()
        finally:
            if self._slot is not None:
                _held[2 * self._slot] = 0


def _alive(pid: int) -> bool:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, 0)
        return True
    return False
