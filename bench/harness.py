"""The scaffold every bench script shares: child processes with wall time, CPU and peak RSS,
one JSON line per measurement, results files, tables and floors.

A measurement runs in a fresh child process (so start-up, caches and memory are its own) and
prints one ``BENCH-JSON {...}`` line (:func:`emit`); the parent reads it back (:func:`child_json`)
and adds the child's wall, CPU and peak RSS (:func:`run_child`, from ``wait4``).

>>> floor_status(0.3, "<", 0.5)
'MET'
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
DEFAULT_CACHE = BENCH / ".cache"
MARK = "BENCH-JSON "
CLI = "import sys; from cli.main import main; sys.argv[0] = 'chainatlas'; main()"

for _p in (ROOT, BENCH):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))


def run_child(args: list[str], env: dict | None = None, timeout: float | None = None) -> dict:
    """Run a command; wall seconds, peak RSS (MB) of that process alone, CPU, exit code, output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        spawned = time.time()
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, cwd=ROOT,
                                env={**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)})
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime,
                "rc": os.waitstatus_to_exitcode(status), "spawned": spawned, "timed_out": bool(deadline and wall >= timeout),
                "stdout": out.read().decode("utf-8", "replace"), "stderr": err.read().decode("utf-8", "replace")}


def chainatlas(*args: str, env: dict | None = None, timeout: float | None = None) -> dict:
    """``chainatlas ARGS`` in a child process (see :func:`run_child`)."""
    return run_child([sys.executable, "-c", CLI, *args], env=env, timeout=timeout)


def emit(result: dict) -> None:
    """Print a child's result as the one line its parent reads back."""
    print(MARK + json.dumps(result, ensure_ascii=False), flush=True)


def child_json(res: dict) -> dict:
    """The result line a child printed with :func:`emit`; the child's real error otherwise."""
    for line in res["stdout"].splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    raise RuntimeError(f"child failed (exit {res['rc']}): {error_text(res['stderr'])}")


_PROGRESS = re.compile(r"^\s*(\S+\s+)?\[[#=\- ]*\]|^\s*\d+%|\r")


def error_text(text: str, limit: int = 2000) -> str:
    """The part of a child's stderr that says what went wrong: progress-bar lines dropped, the
    tail kept (the last lines of a traceback or a CLI error are the ones that matter)."""
    lines = [ln for ln in text.replace("\r", "\n").splitlines() if ln.strip() and not _PROGRESS.search(ln)]
    return "\n".join(lines)[-limit:]


def failure(err: BaseException) -> str:
    """An exception as one result field: its type and its real message, progress output dropped."""
    return f"{type(err).__name__}: {error_text(str(err))}"


def cpu() -> float:
    return time.process_time()


def machine() -> dict:
    import numpy
    import pandas
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "pandas": pandas.__version__, "numpy": numpy.__version__,
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


def floor_status(value: float, op: str, limit: float) -> str:
    ok = value >= limit if op == ">=" else value < limit
    return "MET" if ok else "NOT MET"


def print_floors(title: str, rows: list[dict]) -> None:
    """Rows of ``{"status", "floor", "detail"}`` under a title, one a line."""
    if rows:
        print(f"\n{title}")
        for f in rows:
            print(f"  {f['status']:>8}  {f['floor']}: {f['detail']}")


def table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    """A right-aligned text table; ``columns`` are (key, heading, format) and a missing value is —."""
    head = [c[1] for c in columns]
    body = [[(fmt.format(r[k]) if isinstance(r.get(k), (int, float)) else str(r.get(k, "—")))
             for k, _, fmt in columns] for r in rows]
    widths = [max(len(h), *(len(row[i]) for row in body)) for i, h in enumerate(head)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(head, widths))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(row, widths)) for row in body]
    return "\n".join(lines)


def results_path(name: str = "") -> Path:
    """bench/results/<date>[-name].json (gitignored)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS / f"{dt.date.today().isoformat()}{'-' + name if name else ''}.json"


def save_json(doc: dict, name: str = "") -> Path:
    """Merge ``doc`` into today's results file ``name`` (top-level keys replaced) and return its path."""
    path = results_path(name)
    old = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**old, **doc, "date": dt.date.today().isoformat(), "machine": machine()},
                               ensure_ascii=False, indent=1))
    return path


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
