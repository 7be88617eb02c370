"""CLI fixtures: ``run(*args)`` invokes ``chainatlas`` on an embedded store holding the hand-made
gap world (tests/graph/gapworld.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))
from gapworld import world  # noqa: E402

from cli.main import main  # noqa: E402


@pytest.fixture
def run(tmp_path):
    from graph.store.embedded.store import EmbeddedStore
    db = tmp_path / "atlas"
    with EmbeddedStore(str(db)) as s:
        s.apply(world())
    env = {"CHAINATLAS_DB": str(db), "CHAINATLAS_SEED": "none"}
    return lambda *args: CliRunner().invoke(main, list(map(str, args)), env=env)
