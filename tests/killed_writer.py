"""Shared by the kill -9 tests (tests/graph/store/test_embedded.py, tests/loaders/test_stream_kill.py):
a writer killed in the middle of a load leaves the embedded store exactly as it was."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pandas as pd

from graph.store.embedded.store import EmbeddedStore


def kill_9(proc: subprocess.Popen, directory: Path, wal_over: int) -> None:
    """SIGKILL the writer ``proc`` once its uncommitted pages are on disk (the WAL over ``wal_over`` bytes)."""
    assert (Path(directory) / "atlas.sqlite-wal").stat().st_size > wal_over
    os.kill(proc.pid, signal.SIGKILL)


def assert_as_before(directory: Path, counts: dict, enterprises: pd.DataFrame, write_again) -> None:
    """Reopened: the same counts and enterprises, ``write_again(store)`` succeeds (the write lock is
    free) and SQLite's integrity check passes."""
    with EmbeddedStore(str(directory)) as s:
        assert s.counts() == counts
        pd.testing.assert_frame_equal(s.table("enterprises"), enterprises)
        write_again(s)
    with sqlite3.connect(Path(directory) / "atlas.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
