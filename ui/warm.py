"""Warm-up at server start: the default page's work begun while the browser loads Streamlit.

A fresh server idles between answering the first HTTP request and the browser's websocket (the
browser downloads and parses Streamlit's JavaScript, ~1-1.5 s); the script runs only when that
session connects. :func:`start` (called by serve.py's ``st.App`` lifespan) uses that time in one
background thread: step by step it imports what app.py and the 总览 import, opens the store and
asks the default page's cached queries (ui.state, ui.divisions_map: ``st.cache_data`` /
``st.cache_resource``) for the selection a visitor without query parameters gets — the first
chain, the first province, default thresholds.

- No double computation: the page asks the same cached functions with the same arguments, and
  Streamlit holds one compute lock per cache key, so a page arriving while the warm-up computes
  waits for that result.
- The browser first: before each step the thread waits while the server is answering HTTP
  requests (:class:`RequestGate`, serve.py's middleware; at most ``MAX_WAIT`` s in all) — one
  process, one GIL: a step running meanwhile would slow the downloads of Streamlit's files.
- Nothing is shown: a failure is only logged (debug level; nothing is cached for a call that
  raised), and the page then meets the same error and shows its usual message.
- The data in a process of its own (:func:`fork_data`): on a first start after a load (nothing
  kept in the result cache for this store and code), the 总览's and its map's results are
  computed by a child process forked at server start, into the result cache (ui.result_cache),
  from the first moment: one process, one GIL — computed in the server, they slowed the serving of
  Streamlit's files and waited for them; the server meanwhile serves, imports, and reads the
  results back when written (``result_cache.pending``). Once done, a marker says so and later
  starts skip the fork (the results are read back in the thread). Without a result cache (or a
  store that is not a folder on this machine), the thread computes as before.
- ``CHAINATLAS_WARM=0`` switches it off.

>>> default_selection(None) is None
True
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from graph.settings import Settings

log = logging.getLogger("chainatlas.ui")
QUIET = 0.05        # seconds without an HTTP request in progress before a step starts
MAX_WAIT = 3.0      # seconds the warm-up waits for quiet in all, at most
THREAD = "chainatlas-warm"
CHILD_WAIT = 120.0  # seconds a query waits at most for the warm-up process's result
_started: threading.Thread | None = None
_child: "Child | None" = None


class RequestGate:
    """HTTP requests in progress (pure ASGI middleware: counts, changes nothing)."""

    open = 0
    last = 0.0          # time.monotonic() when the last request ended

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            return await self.app(scope, receive, send)
        RequestGate.open += 1
        try:
            return await self.app(scope, receive, send)
        finally:
            RequestGate.open -= 1
            RequestGate.last = time.monotonic()

    @classmethod
    def wait_quiet(cls, budget: float) -> float:
        """Sleep until no request has been in progress for QUIET s (or ``budget`` s are spent);
        returns the budget left."""
        t0 = time.monotonic()
        while budget > time.monotonic() - t0 and (cls.open > 0 or time.monotonic() - cls.last < QUIET):
            time.sleep(0.01)
        return max(0.0, budget - (time.monotonic() - t0))


def enabled() -> bool:
    return Settings.from_env().warm


def default_selection(chains, tree=None):
    """The Selection of a first visit (no query parameters), as ui.sidebar.render resolves it;
    None when there is no chain or no province."""
    if chains is None or len(chains) == 0:
        return None
    from graph.options import DEFAULT_THRESHOLDS
    from ui import sidebar, state
    provinces = sidebar.province_order(chains, tree)
    if not provinces:
        return None
    chain_id = str(chains["chain_id"].astype(str).iloc[0])
    names = dict(zip(chains["chain_id"].astype(str), chains["name"].astype(str)))
    province = provinces[0]
    return state.Selection(chain_id=chain_id, chain_name=names.get(chain_id, chain_id), place_id=province,
                           place_name=tree.name(province), place_kind="region", region_code=province,
                           province=province, thresholds=DEFAULT_THRESHOLDS, enclave=True)


def _imports() -> None:
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401


def _app_imports() -> None:
    from ui import divisions_map, layout, sidebar, state  # noqa: F401 — app.py's and the 总览's imports
    import graph.analysis.overview_counts  # noqa: F401
    import graph.analysis.overview  # noqa: F401


def _data() -> None:
    from ui import divisions_map, state
    state.atlas()
    sel = default_selection(state.table("chains"), state.tree())
    if sel is None:
        return
    df = state.overview(sel)
    if len(df):
        divisions_map.drawn(sel, divisions_map.base_region(sel, state.tree()), "",
                            divisions_map.overview_height(len(df)))


STEPS = [("imports", _imports), ("app imports", _app_imports), ("data", _data)]


class _NoContextWarning(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for this thread (no session here, by design)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName == THREAD and "missing ScriptRunContext" in record.getMessage())


def warm() -> None:
    """Each of STEPS in turn, each after the server's HTTP requests have gone quiet."""
    from ui.timing import mark
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoContextWarning())
    budget = MAX_WAIT
    try:
        for name, step in STEPS:
            budget = RequestGate.wait_quiet(budget)
            mark(f"warm: {name} start")
            step()
            mark(f"warm: {name}")
    except Exception:  # noqa: BLE001 — the page meets it again and explains it
        log.debug("warm-up failed", exc_info=True)


def start() -> threading.Thread | None:
    """Run :func:`warm` once per process in a daemon thread (None when switched off), after
    forking the data's process when that is worth it (:func:`fork_data`)."""
    global _started
    if _started is None and enabled():
        fork_data()
        _started = threading.Thread(target=warm, name=THREAD, daemon=True)
        _started.start()
    return _started


class Child:
    """The forked data process, seen from the server: :meth:`wait_for` is ``result_cache.pending``."""

    def __init__(self, pid: int):
        self.pid, self.done = pid, threading.Event()
        threading.Thread(target=self._reap, name=f"{THREAD}-reaper", daemon=True).start()

    def _reap(self) -> None:
        try:
            os.waitpid(self.pid, 0)
        finally:
            self.done.set()

    def wait_for(self, path: Path) -> None:
        """Return once ``path`` exists, the process has ended, or CHILD_WAIT s have passed."""
        t0 = time.monotonic()
        while not path.exists() and not self.done.wait(0.02) and time.monotonic() - t0 < CHILD_WAIT:
            pass


def _marker() -> Path | None:
    """The file saying the data process completed for this store and code (None: no result cache
    or not a store folder). Keyed by the store's files (not the WAL index -shm, not the lock)."""
    from ui import result_cache
    where, folder = result_cache.cache_dir(), Path(Settings.from_env().db)
    if where is None or not folder.is_dir():
        return None
    files = []
    for f in sorted(folder.iterdir()):
        if f.is_file() and not f.name.endswith(("-shm", ".lock")):
            s = f.stat()
            files.append((f.name, s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns))
    if not files:
        return None
    return where / f"warm-{result_cache._digest((str(folder.resolve()), tuple(files), result_cache.code_version()))}.pkl"


def fork_data() -> int | None:
    """Fork the process computing the default page's data into the result cache when nothing is
    kept for this store and code yet (:func:`_marker`); returns the child's pid (None: no fork)."""
    global _child
    if _child is not None or not hasattr(os, "fork"):
        return None
    try:
        marker = _marker()
    except OSError:
        marker = None
    if marker is None or marker.exists():
        return None
    pid = os.fork()
    if pid == 0:                                  # the child: compute, say so, leave at once
        code = 1
        try:
            _in_child(marker)
            code = 0
        except BaseException:  # noqa: BLE001 — the server computes it then, and meets the error
            log.debug("warm-up process failed", exc_info=True)
        finally:
            os._exit(code)
    from ui import result_cache
    _child = Child(pid)
    result_cache.pending = _child.wait_for
    return pid


def _in_child(marker: Path) -> None:
    from ui import result_cache
    from ui.timing import mark
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoContextWarning())
    threading.current_thread().name = THREAD
    os.environ["CHAINATLAS_SEED"] = "none"        # a first-start seed load is the server's to do
    mark("warm process: start")
    _imports()
    _app_imports()
    _data()
    mark("warm process: data")
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_bytes(b"")
    result_cache._prune(marker.parent, "warm")
