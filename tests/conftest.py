"""Shared fixtures.

- ``make_batch(**tables)``: an ImportBatch from lists of row dicts, with provenance filled in
  (source="test", as_of="2024-01-01", illustrative=False unless given) and every other
  missing column None — for hand-made graphs that do not go through the loaders.
- ``store``: a fresh, empty store; parametrized over the embedded store (always) and Neo4j
  (when NEO4J_URI is set; skipped with the reason otherwise). The Neo4j database is wiped
  before each test: point NEO4J_URI at a throwaway server.
"""
from __future__ import annotations

import os

import pandas as pd
import pytest

from graph import schema
from graph.model import ImportBatch
from graph.settings import Settings

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
# ChainAtlas's own ChainKnowledgeGraph fixture (always present) and the shared public sample:
# beside the clone (../shared, as in CI) or beside the worktree folder.
CKG_FIXTURE = ROOT / "tests" / "fixtures" / "ckg"
CKG_SAMPLE = next((p / "shared" / "samples" / "ckg" for p in (ROOT.parent, ROOT.parent.parent)
                   if (p / "shared" / "samples" / "ckg" / "company.json").exists()),
                  ROOT.parent / "shared" / "samples" / "ckg")

_LIST_COLUMNS = {(t.name, c.name) for t in schema.TABLES.values() for c in t.columns if c.kind == "list"}


def build_batch(source: str = "test", **tables: list[dict]) -> ImportBatch:
    batch = ImportBatch.empty(source=source)
    for name, rows in tables.items():
        table = schema.TABLES[name]
        full = []
        for r in rows:
            row = {c: None for c in table.column_names}
            row.update({"source": "test", "as_of": "2024-01-01", "illustrative": False})
            for c in table.column_names:
                if (name, c) in _LIST_COLUMNS:
                    row[c] = []
            row.update(r)
            full.append(row)
        batch.tables[name] = pd.DataFrame(full, columns=table.column_names, dtype=object)
    return batch


@pytest.fixture(scope="session", autouse=True)
def result_cache_dir(tmp_path_factory):
    """The app's result cache (ui.result_cache: the app's pages, and the first page a load prepares)
    in a folder of this test session, not the user's."""
    saved = os.environ.get("CHAINATLAS_CACHE_DIR")
    os.environ["CHAINATLAS_CACHE_DIR"] = str(tmp_path_factory.mktemp("results"))
    yield os.environ["CHAINATLAS_CACHE_DIR"]
    if saved is None:
        os.environ.pop("CHAINATLAS_CACHE_DIR", None)
    else:
        os.environ["CHAINATLAS_CACHE_DIR"] = saved


@pytest.fixture
def make_batch():
    return build_batch


def _neo4j_settings() -> Settings:
    return Settings.from_env({
        "CHAINATLAS_DB": os.environ["NEO4J_URI"],
        "NEO4J_USER": os.environ.get("NEO4J_USER", "neo4j"),
        "NEO4J_PASSWORD": os.environ.get("NEO4J_PASSWORD", ""),
        "NEO4J_DATABASE": os.environ.get("NEO4J_DATABASE", "neo4j"),
    })


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, tmp_path):
    if request.param == "embedded":
        from graph.store.embedded.store import EmbeddedStore
        s = EmbeddedStore(str(tmp_path / "atlas"))
    else:
        if not os.environ.get("NEO4J_URI"):
            pytest.skip("NEO4J_URI not set: Neo4j contract tests need a Neo4j 5 server "
                        "(docker compose up -d neo4j; export NEO4J_URI=bolt://localhost:7687)")
        from graph.store.factory import open_store
        s = open_store(_neo4j_settings())
        s.clear()
        s.clear_projects()  # projects survive clear() (#16)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def embedded_store(tmp_path):
    from graph.store.embedded.store import EmbeddedStore
    s = EmbeddedStore(str(tmp_path / "atlas"))
    try:
        yield s
    finally:
        s.close()
