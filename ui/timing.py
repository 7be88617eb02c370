"""Start-up timing of the app, off unless ``CHAINATLAS_TIMING`` names a file.

Each :func:`mark` appends one JSON line ``{"mark", "t", "cpu", "thread_cpu", "pid"}``: ``t`` is
the wall clock (epoch seconds, comparable with the browser's and the bench's clocks on the same
machine), ``cpu`` the server process's CPU seconds so far (every thread), ``thread_cpu`` the
script thread's. bench/app_bench.py (``cold-start --phases``) reads the file back into a phase
table. Off (the default), a mark costs one dictionary look-up.

>>> import os; os.environ.pop("CHAINATLAS_TIMING", None) and None
>>> mark("nothing recorded")
"""
from __future__ import annotations

import json
import os
import time


def mark(name: str) -> None:
    """Record that the script reached ``name`` (when CHAINATLAS_TIMING is set)."""
    path = os.environ.get("CHAINATLAS_TIMING")
    if not path:
        return
    line = json.dumps({"mark": name, "t": time.time(), "cpu": time.process_time(),
                       "thread_cpu": time.thread_time(), "pid": os.getpid()}, ensure_ascii=False)
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")
