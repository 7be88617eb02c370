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


def runner_for(batch, db):
    """``run(*args)``: invoke ``chainatlas`` on an embedded store at ``db`` holding ``batch``."""
    from graph.store.embedded.store import EmbeddedStore
    with EmbeddedStore(str(db)) as s:
        s.apply(batch)
    env = {"CHAINATLAS_DB": str(db), "CHAINATLAS_SEED": "none"}
    return lambda *args: CliRunner().invoke(main, list(map(str, args)), env=env)


@pytest.fixture
def make_run(tmp_path):
    """make_run(batch) -> ``run`` on a fresh store holding ``batch``."""
    return lambda batch: runner_for(batch, tmp_path / "atlas")


@pytest.fixture
def run(make_run):
    return make_run(world())
