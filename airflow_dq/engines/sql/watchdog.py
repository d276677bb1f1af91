"""A client-side deadline for statements on a server that stopped answering.

A live server cancels a statement at its own ``statement_timeout``; a frozen or partitioned
one cannot, and the driver's blocking read would wait forever. A watchdog shuts the
connection's socket when its deadline passes, which wakes the driver with an error
(``session.py`` turns that into ``StatementTimeout``).
"""

from __future__ import annotations

import heapq
import os
import socket
import threading
import time
from typing import Any


class Watchdog:
    """Shut the socket of a statement that outlived its timeout plus a grace period.

    A live server cancels the statement itself; this is for a server that does not answer
    at all (stopped, partitioned), where nothing else would ever wake the blocked read.
    One clock thread per process serves every watchdog: starting a thread per statement
    waits for the new thread to be scheduled, which cost milliseconds on a busy machine.
    """

    reason = "the server stopped answering; the connection was closed"

    def __init__(self, fileno: Any, seconds: float) -> None:
        self.fired = False
        self.cancelled = False
        self.deadline = time.monotonic() + seconds
        self._fileno = fileno

    def start(self) -> None:
        _clock().add(self)

    def cancel(self) -> None:
        self.cancelled = True

    def fire(self) -> None:
        try:
            fd = os.dup(self._fileno())
        except (OSError, ValueError, TypeError):
            return
        self.fired = True
        sock = socket.socket(fileno=fd)
        try:
            sock.shutdown(socket.SHUT_RDWR)  # wakes the driver's blocked read with an error
        except OSError:
            pass
        finally:
            sock.close()


class Interrupter(Watchdog):
    """DuckDB runs in this process: interrupt its connection when a statement outlives the
    statement timeout (the statement fails with "Interrupted")."""

    reason = "the embedded database's statement was interrupted"

    def __init__(self, dbapi: Any, seconds: float) -> None:
        super().__init__(None, seconds)
        self._dbapi = dbapi

    def fire(self) -> None:
        self.fired = True
        self._dbapi.interrupt()


class _Clock(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="airflow-dq-statement-watchdog", daemon=True)
        self.pid = os.getpid()
        self._wake = threading.Condition()
        self._due: list[tuple[float, int, Watchdog]] = []

    def add(self, watchdog: Watchdog) -> None:
        with self._wake:
            heapq.heappush(self._due, (watchdog.deadline, id(watchdog), watchdog))
            self._wake.notify()

    def run(self) -> None:
        while True:
            with self._wake:
                while self._due and self._due[0][2].cancelled:
                    heapq.heappop(self._due)
                if not self._due:
                    self._wake.wait()
                    continue
                delay = self._due[0][0] - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                _, _, watchdog = heapq.heappop(self._due)
            watchdog.fire()


_CLOCK: _Clock | None = None
_CLOCK_LOCK = threading.Lock()


def _clock() -> _Clock:
    global _CLOCK
    with _CLOCK_LOCK:
        if _CLOCK is None or _CLOCK.pid != os.getpid():  # a forked task process starts its own
            _CLOCK = _Clock()
            _CLOCK.start()
        return _CLOCK
