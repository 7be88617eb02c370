"""Warm-up at server start: the default page's work begun while the browser loads Streamlit.

A fresh server idles between answering the first HTTP request and the browser's websocket (the
browser downloads and parses Streamlit's JavaScript, ~1-1.5 s); the script runs only when that
session connects. :func:`start` (called by serve.py's ``st.App`` lifespan) uses that time in one
background thread: step by step it imports what app.py and the 总览 import, opens the store and
asks the default page's cached queries (ui.state: ``st.cache_data`` / ``st.cache_resource``)
for the selection a visitor without query parameters gets — the first chain, the first province,
default thresholds (:mod:`ui.first_page`).

- No double computation: the page asks the same cached functions with the same arguments, and
  Streamlit holds one compute lock per cache key, so a page arriving while the warm-up computes
  waits for that result.
- The browser not kept waiting: one process, one GIL — while a step runs, the server's event loop
  (serving Streamlit's files to the browser) gets the GIL only when the step hands it over, by
  default every 5 ms. During the warm-up the switch interval is ``SWITCH`` (1 ms), so the files
  still go out promptly while the steps run from the server's start; no step waits for the
  downloads to end (it did: the first start's data then began only ~2.4 s after the spawn, and
  the page waited for it — measured first starts 7.2-9.9 s waiting, 7.1-8.0 s not, on the loaded
  2-core machine, bench/app_bench.py).
- Nothing is shown: a failure is only logged (debug level; nothing is cached for a call that
  raised), and the page then meets the same error and shows its usual message.
- ``CHAINATLAS_WARM=0`` switches it off.

>>> default_selection(None) is None
True
"""
from __future__ import annotations

import logging
import sys
import threading

from graph.settings import Settings

log = logging.getLogger("chainatlas.ui")
SWITCH = 0.001      # seconds: the GIL switch interval while the warm-up runs (Python's default: 0.005)
THREAD = "chainatlas-warm"
_started: threading.Thread | None = None


def enabled() -> bool:
    return Settings.from_env().warm


def default_selection(chains, tree=None):
    """The Selection of a first visit (no query parameters), as ui.sidebar.render resolves it;
    None when there is no chain or no province."""
    from graph.options import DEFAULT_THRESHOLDS
    from ui import first_page, state
    province = first_page.default_place(chains, tree)
    if province is None:
        return None
    chain_id = str(chains["chain_id"].astype(str).iloc[0])
    names = dict(zip(chains["chain_id"].astype(str), chains["name"].astype(str)))
    return state.Selection(chain_id=chain_id, chain_name=names.get(chain_id, chain_id), place_id=province,
                           place_name=tree.name(province), place_kind="region", region_code=province,
                           province=province, thresholds=DEFAULT_THRESHOLDS, enclave=first_page.DEFAULT_ENCLAVE)


def _imports() -> None:
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401


def _app_imports() -> None:
    from ui import divisions_map, layout, sidebar, state  # noqa: F401 — app.py's and the 总览's imports
    import graph.analysis.overview_counts  # noqa: F401
    import graph.analysis.overview  # noqa: F401
    # What Streamlit and pandas import on first use while the script runs: the emoji list behind
    # st.set_page_config's page_icon (~0.08 s), the material icon names (the navigation's and
    # the sidebar's icons), the 总览's melt and a frame's to_dict.
    import streamlit.emojis  # noqa: F401
    import streamlit.material_icon_names  # noqa: F401
    import pandas.core.reshape.reshape  # noqa: F401
    import pandas.core.methods.to_dict  # noqa: F401


def _data() -> None:
    from ui import state
    state.atlas()
    sel = default_selection(state.table("chains"), state.tree())
    if sel is None:
        return
    state.overview(sel)


STEPS = [("imports", _imports), ("app imports", _app_imports), ("data", _data)]


class _NoContextWarning(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for this thread (no session here, by design)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName == THREAD and "missing ScriptRunContext" in record.getMessage())


def warm() -> None:
    """Each of STEPS in turn, with the GIL handed over every SWITCH s meanwhile."""
    from ui.timing import mark
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoContextWarning())
    default = sys.getswitchinterval()
    sys.setswitchinterval(min(default, SWITCH))
    try:
        for name, step in STEPS:
            mark(f"warm: {name} start")
            step()
            mark(f"warm: {name}")
    except Exception:  # noqa: BLE001 — the page meets it again and explains it
        log.debug("warm-up failed", exc_info=True)
    finally:
        sys.setswitchinterval(default)


def start() -> threading.Thread | None:
    """Run :func:`warm` once per process in a daemon thread (None when switched off)."""
    global _started
    if _started is None and enabled():
        _started = threading.Thread(target=warm, name=THREAD, daemon=True)
        _started.start()
    return _started
