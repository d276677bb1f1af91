"""CPU seconds spent by a local PostgreSQL server, for timing on a shared, busy machine.

Wall-clock time on a machine where other jobs run swings by 2x from round to round; the
CPU the server burns for a query barely moves. Every PostgreSQL process (a session's
backend, a parallel worker) is a child of the postmaster, and the kernel adds an exited
child's CPU time to its parent's ``cutime``/``cstime`` when reaped. So the server's total
is the postmaster's own and reaped-children times plus the times of its live children.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import sqlalchemy as sa

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # the process ended between listing and reading
        return None
    return text.rsplit(")", 1)[1].split()  # fields after "(comm)"; comm may hold spaces


def _ticks(fields: list[str]) -> int:
    # utime, stime, cutime, cstime: fields 14-17 of stat(5), 11-14 after "(comm)".
    return sum(int(v) for v in fields[11:15])


def postmaster_pid(engine: sa.Engine) -> int | None:
    """The postmaster of the engine's server if it runs on this machine, else None."""
    if engine.url.host not in (None, "", "localhost", "127.0.0.1", "::1") or not Path("/proc").is_dir():
        return None  # a remote server: its processes are not ours to read
    with engine.connect() as conn:
        backend = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar())
    try:  # the pid must be a PostgreSQL process here, not a namesake in another container
        is_postgres = Path(f"/proc/{backend}/comm").read_text().startswith("postgres")
    except OSError:
        return None
    fields = _stat(backend)
    return int(fields[1]) if is_postgres and fields is not None else None


def _snapshot(postmaster: int) -> tuple[frozenset[int], int]:
    pids, total = set(), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is not None and (int(entry.name) == postmaster or int(fields[1]) == postmaster):
            pids.add(int(entry.name))
            total += _ticks(fields)
    return frozenset(pids), total


def server_cpu_seconds(postmaster: int) -> float:
    """CPU seconds used so far by the postmaster and all its (live or reaped) children.

    A child reaped while /proc is being read would be missed or counted twice, so read
    until two snapshots in a row see the same processes.
    """
    time.sleep(0.02)  # let a closed session's backend or a query's workers exit first
    previous = _snapshot(postmaster)
    while True:
        current = _snapshot(postmaster)
        if current[0] == previous[0]:
            return current[1] / _TICK
        previous = current
