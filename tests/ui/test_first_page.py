"""ui.first_page: ``chainatlas load`` prepares the 总览 a first visit sees, and the app's first start
reads it back instead of computing it — the same frame it would compute."""
from __future__ import annotations

import logging

import pandas as pd
import pytest
from click.testing import CliRunner

from cli.main import main
from uihelp import SEED, no_errors
from ui import first_page


@pytest.fixture
def loaded(tmp_path, monkeypatch):
    """``chainatlas load seeds/shanxi`` into a fresh store with its own result cache."""
    env = {"CHAINATLAS_DB": str(tmp_path / "db"), "CHAINATLAS_SEED": "none",
           "CHAINATLAS_CACHE_DIR": str(tmp_path / "results")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    got = CliRunner().invoke(main, ["load", str(SEED)], env=env)
    assert got.exit_code == 0, got.output
    return got, tmp_path / "results"


def _counted(monkeypatch) -> list:
    import graph.analysis.overview_counts as oc
    calls, real = [], oc.chain_summaries
    monkeypatch.setattr(oc, "chain_summaries", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_the_load_prepares_what_the_first_start_reads(loaded, app, monkeypatch):
    import streamlit as st
    got, results = loaded
    assert "应用首页已按新数据准备好" in got.output
    assert [f.name.split("-")[0] for f in results.iterdir()] == ["overview"]
    st.cache_data.clear()
    calls = _counted(monkeypatch)
    at = app()
    no_errors(at)
    assert not calls                                    # read back, not computed
    shown = at.dataframe[0].value
    monkeypatch.setenv("CHAINATLAS_CACHE_DIR", "none")  # the same page with nothing kept
    st.cache_data.clear()
    fresh = app()
    assert len(calls) == 1
    pd.testing.assert_frame_equal(shown, fresh.dataframe[0].value)
    assert fresh.title[0].value == at.title[0].value == "产业链总览"


def test_the_default_place_is_the_first_visits(loaded, app):
    at = app()
    from graph.analysis.scope import RegionTree
    from graph.settings import Settings
    from graph.store.factory import open_store
    with open_store(Settings.from_env()) as store:
        place = first_page.default_place(store.table("chains"), RegionTree.from_store(store, cached=False))
    assert place == at.session_state["_atlas_selection"].place_id == "140000"


def test_nothing_is_prepared_without_a_cache_or_for_a_preview(tmp_path, monkeypatch):
    env = {"CHAINATLAS_DB": str(tmp_path / "db"), "CHAINATLAS_SEED": "none", "CHAINATLAS_CACHE_DIR": "none"}
    got = CliRunner().invoke(main, ["load", str(SEED)], env=env)
    assert got.exit_code == 0 and "应用首页" not in got.output
    env["CHAINATLAS_CACHE_DIR"] = str(tmp_path / "results")
    got = CliRunner().invoke(main, ["load", str(SEED), "--dry-run"], env=env)
    assert got.exit_code == 0 and "应用首页" not in got.output and not (tmp_path / "results").exists()


def test_a_failing_preparation_warns_in_one_line_and_leaves_the_load_committed(tmp_path, monkeypatch, capfd, caplog):
    def broken(*a, **k):
        raise RuntimeError("boom")
    monkeypatch.setattr(first_page, "overview", broken)
    env = {"CHAINATLAS_DB": str(tmp_path / "db"), "CHAINATLAS_SEED": "none",
           "CHAINATLAS_CACHE_DIR": str(tmp_path / "results")}
    got = CliRunner().invoke(main, ["load", str(SEED)], env=env)
    assert got.exit_code == 0, got.output
    assert "应用首页已按新数据准备好" not in got.output
    assert "警告 warning: 应用首页未能预先准备（RuntimeError: boom）" in got.output
    leaked = capfd.readouterr()                    # nothing printed around click
    assert "Traceback" not in got.output + leaked.out + leaked.err
    # the details only at debug level: a warning with a traceback would reach an unconfigured CLI's stderr
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.exc_info]
    from graph.settings import Settings
    from graph.store.factory import open_store
    with open_store(Settings.from_env(env)) as store:
        assert len(store.table("chains")) > 0
