"""Fixtures for the browser-explorer tests.

- ``seeded_env``: one store per test session, filled by the app's own first-start seed load
  (CHAINATLAS_SEED → seeds/shanxi), shared by the read-only page tests.
- ``env``: set CHAINATLAS_* variables for one test (restored afterwards).
- ``app``: a fresh ``AppTest`` of app.py (optionally with query parameters), run once.
- ``xss_store``: a tiny store whose enterprise and product names are HTML/JS payloads.
Helpers (``find``, ``no_errors``, constants) live in ``uihelp.py``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for p in (HERE.parents[1], HERE):       # the ui package (not in the installed distribution map), uihelp
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from uihelp import APP, SEED, TIMEOUT, sample_workbook, upload, xss_batch  # noqa: E402

_VARS = ("CHAINATLAS_DB", "CHAINATLAS_SEED", "CHAINATLAS_EDITING", "CHAINATLAS_EDITOR_PASSWORD",
         "CHAINATLAS_MAX_PROBLEMS", "CHAINATLAS_MAX_INPUT_MB")




@pytest.fixture
def env():
    """env(**vars): set CHAINATLAS_* variables for this test; all are restored afterwards."""
    saved = {k: os.environ.get(k) for k in _VARS}

    def set_vars(**values):
        for k in _VARS:
            os.environ.pop(k, None) if k not in values else None
        for k, v in values.items():
            os.environ[k] = str(v)
    yield set_vars
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("atlas") / "db")


@pytest.fixture
def seeded_env(env, seeded_db):
    env(CHAINATLAS_DB=seeded_db, CHAINATLAS_SEED=str(SEED), CHAINATLAS_EDITING="open")
    return seeded_db


@pytest.fixture
def app():
    """app(page=None, **query) -> an AppTest that has run once (and switched to ``page``)."""
    from streamlit.testing.v1 import AppTest

    def make(page: str | None = None, **query):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        if page:
            at.switch_page(f"ui/pages/{page}.py").run()
        return at
    return make


@pytest.fixture
def xss_store(tmp_path):
    """An embedded store holding the XSS world (closed after the test)."""
    from graph.store.embedded.store import EmbeddedStore
    path = tmp_path / "xss"
    s = EmbeddedStore(str(path))
    s.apply(xss_batch())
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def loaded_env(env, tmp_path, app):
    """The 数据 page on a fresh store holding the small sample workbook (loaded through the page)."""
    env(CHAINATLAS_DB=str(tmp_path / "db"), CHAINATLAS_SEED="none", CHAINATLAS_EDITING="open")
    at = app("data")
    upload(at, "good.xlsx", sample_workbook(tmp_path / "good.xlsx").read_bytes())
    at.button(key="load_go").click().run()
    assert {m.label: m.value for m in at.metric}["企业"] == "1"
    return at
