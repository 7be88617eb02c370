"""The start-up warm-up (ui.warm, serve.py): the default page's own queries, computed once, no error shown."""
from __future__ import annotations

import os
import subprocess
import sys
import threading

import streamlit as st
from streamlit.web.server.app_discovery import discover_asgi_app

from uihelp import ROOT, no_errors
from ui import warm


def _count_calls(monkeypatch, module, name: str) -> list:
    calls, real = [], getattr(module, name)

    def counted(*a, **kw):
        calls.append(threading.current_thread().name)
        return real(*a, **kw)
    monkeypatch.setattr(module, name, counted)
    return calls


def test_serve_py_is_an_st_app_serving_app_py():
    found = discover_asgi_app(ROOT / "serve.py")
    assert found.is_asgi_app and found.import_string.endswith(":app")
    out = subprocess.run([sys.executable, "-c", "import serve; print(serve.app.script_path)"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "app.py"


def test_default_selection_is_what_a_first_visit_gets(seeded_env, app):
    at = app()
    no_errors(at)
    from graph.analysis.scope import RegionTree
    from graph.settings import Settings
    from graph.store.factory import open_store
    store = open_store(Settings.from_env())
    assert warm.default_selection(store.table("chains"), RegionTree.from_store(store)) == \
        at.session_state["_atlas_selection"]


def test_the_page_waits_for_the_warm_up_instead_of_computing_again(seeded_env, app, monkeypatch):
    import graph.analysis.overview_counts as oc
    from ui import divisions_map
    monkeypatch.setenv("CHAINATLAS_CACHE_DIR", "none")      # nothing read back from an earlier test
    st.cache_data.clear()
    summaries = _count_calls(monkeypatch, oc, "chain_summaries")
    maps = _count_calls(monkeypatch, divisions_map, "_draw")
    t = threading.Thread(target=warm.warm, name=warm.THREAD)
    t.start()                       # the page runs while the warm-up may still be computing
    at = app()
    t.join(300)
    no_errors(at)
    assert at.title[0].value == "产业链总览"
    assert len(summaries) == 1 and not maps, (summaries, maps)     # the first page has no map to draw
    at2 = app()                     # a later visitor: served from the same cache
    no_errors(at2)
    assert len(summaries) == 1 and not maps


def test_a_failing_warm_up_leaves_the_pages_message(env, tmp_path, app):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    env(CHAINATLAS_DB=str(blocker / "db"), CHAINATLAS_SEED="none")
    warm.warm()                     # logs, does not raise
    at = app()
    assert not at.exception
    assert any("无法打开图谱" in e.value for e in at.error)


def test_the_warm_up_hands_the_gil_over_often_and_restores_the_interval_after(monkeypatch):
    seen, default = [], sys.getswitchinterval()
    monkeypatch.setattr(warm, "STEPS", [("probe", lambda: seen.append(sys.getswitchinterval())),
                                        ("fails", lambda: 1 / 0)])
    warm.warm()                     # a failing step is only logged
    assert seen == [min(default, warm.SWITCH)] and sys.getswitchinterval() == default


def test_switched_off_by_chainatlas_warm(monkeypatch):
    monkeypatch.setenv("CHAINATLAS_WARM", "0")
    assert not warm.enabled()
    monkeypatch.setenv("CHAINATLAS_WARM", "1")
    assert warm.enabled()


def test_only_the_warm_threads_missing_context_warning_is_dropped():
    import logging
    f = warm._NoContextWarning()

    def record(thread: str, msg: str) -> logging.LogRecord:
        r = logging.LogRecord("x", logging.WARNING, __file__, 1, msg, None, None)
        r.threadName = thread
        return r
    assert not f.filter(record(warm.THREAD, "Thread 'chainatlas-warm': missing ScriptRunContext! …"))
    assert f.filter(record("ScriptRunner.scriptThread", "Thread 'x': missing ScriptRunContext! …"))
    assert f.filter(record(warm.THREAD, "something else"))
