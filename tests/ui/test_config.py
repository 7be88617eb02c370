"""The app's Streamlit config is valid TOML and keeps developer chrome away from users."""
from __future__ import annotations

import pytest

tomllib = pytest.importorskip("tomllib")
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def test_config_parses_and_hides_developer_chrome():
    # a repeated [section] makes the whole file invalid, and Streamlit then ignores all of it
    cfg = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert cfg["client"]["toolbarMode"] == "viewer"
    assert cfg["server"]["showEmailPrompt"] is False
    assert cfg["browser"]["gatherUsageStats"] is False


def test_no_source_file_watcher():
    # watching the app's folder (and every imported module) cost a start ~1.5 s of CPU; users never edit code
    cfg = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert cfg["server"]["fileWatcherType"] == "none"


def test_start_asks_no_internet_service():
    # without a set serverAddress, headless Streamlit asks checkip.amazonaws.com for the external IP at start
    cfg = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert cfg["browser"]["serverAddress"]
