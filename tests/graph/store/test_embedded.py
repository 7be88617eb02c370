"""Embedded-store specifics: crash safety, the write lock, concurrent readers, bad paths,
progress, rollback of DDL, duplicate keys, schema upgrades. Uses SQLite directly where a
test needs to look under the hood; behaviour shared with Neo4j is in test_store_contract.py.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from graph import schema

from graph.store.embedded import rows as embedded_rows
from graph.store.embedded.store import EmbeddedStore
from graph.store.embedded.lock import WriteLock
from graph.errors import ChainAtlasError, StoreLocked, StoreUnavailable, ValidationFailed
from graph.model import ImportBatch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from killed_writer import assert_as_before, kill_9  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
N_BIG_PRODUCTS = 10


def big_batch(n: int) -> ImportBatch:
    """``n`` enterprises, each making 2 of 10 products (ids BE…/BP…), built column-wise."""
    def frame(name, cols, rows):
        data = {c: [None] * rows for c in schema.TABLES[name].column_names}
        data.update(cols, source=["big.csv"] * rows, as_of=["2024"] * rows, illustrative=[False] * rows)
        return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()})
    b = ImportBatch.empty(source="big")
    products = [f"BP{i}" for i in range(N_BIG_PRODUCTS)]
    b.tables["products"] = frame("products", {"product_id": products, "name": [f"大批产品{i}" for i in range(10)],
                                              "aliases": [[] for _ in products]}, N_BIG_PRODUCTS)
    ids = [f"BE{i:07d}" for i in range(n)]
    b.tables["enterprises"] = frame("enterprises", {
        "enterprise_id": ids, "name": [f"批量企业{i}有限公司" for i in range(n)], "region": ["140800"] * n,
        "tags": [["规上"] for _ in ids], "industries": [[] for _ in ids], "employees": list(range(n))}, n)
    b.tables["enterprise_products"] = frame("enterprise_products", {
        "enterprise": [e for e in ids for _ in range(2)],
        "product": [products[(i + k) % N_BIG_PRODUCTS] for i in range(n) for k in (0, 3)],
        "revenue_share": [0.5] * (2 * n)}, 2 * n)
    return b


def _writer_main(directory: str, n: str, mode: str) -> None:
    """Run in a subprocess: apply big_batch(n) and report progress on stdout.
    mode ``hang``: stop (inside the transaction) once makes rows are being written;
    ``slow``: sleep a little at every progress step."""
    store = EmbeddedStore(directory)
    store.write_cache_mb = 1   # spill dirty pages to the WAL early, as a huge load would

    def progress(step, done, total):
        print(f"PROGRESS {step} {done} {total}", flush=True)
        if mode == "hang" and step == "enterprise_products" and done > 0:
            time.sleep(600)
        if mode == "slow":
            time.sleep(0.2)
    store.apply(big_batch(int(n)), progress)
    print("DONE", flush=True)


def start_writer(directory: Path, n: int, mode: str) -> subprocess.Popen:
    code = (f"import runpy, sys; sys.path.insert(0, {str(REPO)!r}); "
            f"runpy.run_path({__file__!r})['_writer_main'](*sys.argv[1:])")
    return subprocess.Popen([sys.executable, "-c", code, str(directory), str(n), mode],
                            stdout=subprocess.PIPE, text=True, cwd=REPO)


def wait_for(proc: subprocess.Popen, predicate, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        if predicate(line.split()):
            return line
        assert time.monotonic() < deadline, "writer took too long"
    raise AssertionError(f"writer ended (rc={proc.wait()}) before the expected progress line")


@pytest.fixture
def base(make_batch):
    return make_batch(
        regions=[{"code": "140800", "name": "运城市", "level": "city"}],
        chains=[{"chain_id": "C1", "name": "新能源汽车"}],
        products=[{"product_id": "P1", "name": "动力电池"}, {"product_id": "P2", "name": "整车"}],
        chain_products=[{"chain": "C1", "product": "P1", "stage": "midstream"},
                        {"chain": "C1", "product": "P2", "stage": "downstream"}],
        enterprises=[{"enterprise_id": "E1", "name": "电池一厂", "region": "140800", "tags": ["规上"]},
                     {"enterprise_id": "E2", "name": "整车二厂"}],
        enterprise_products=[{"enterprise": "E1", "product": "P1", "revenue_share": 0.5},
                             {"enterprise": "E2", "product": "P2"}])


def test_layout_wal_and_lock_file(embedded_store, base):
    embedded_store.apply(base)
    d = Path(embedded_store.location)
    assert (d / "atlas.sqlite").exists() and (d / "write.lock").exists()
    with sqlite3.connect(d / "atlas.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert embedded_store.backend == "embedded"


def test_reads_are_memory_mapped_and_see_every_load(tmp_path, base, make_batch):
    """Read connections map the file (pages read in place); a load after a read is still seen by
    the same pooled connection, and a store with the map off reads the same."""
    mapped = EmbeddedStore(str(tmp_path / "s"))
    mapped.apply(base)
    assert mapped.table("enterprises")["name"].tolist() == ["电池一厂", "整车二厂"]
    with mapped._read() as c:
        assert 0 < c.execute("PRAGMA mmap_size").fetchone()[0] <= EmbeddedStore.read_mmap_mb * 2 ** 20
    mapped.apply(make_batch(enterprises=[{"enterprise_id": "E3", "name": "电机三厂"}]))
    assert mapped.table("enterprises")["enterprise_id"].tolist() == ["E1", "E2", "E3"]
    plain = EmbeddedStore(str(tmp_path / "s"))
    plain.read_mmap_mb = 0
    with plain._read() as c:
        assert c.execute("PRAGMA mmap_size").fetchone()[0] == 0
    pd.testing.assert_frame_equal(plain.makers(["P1", "P2"]), mapped.makers(["P1", "P2"]))
    plain.close()
    mapped.close()


def test_kill_9_mid_write_keeps_the_previous_state(tmp_path, base):
    d = tmp_path / "atlas"
    with EmbeddedStore(str(d)) as s:
        s.apply(base)
        before, ents = s.counts(), s.table("enterprises")
    proc = start_writer(d, 60_000, "hang")
    try:
        wait_for(proc, lambda w: w[:2] == ["PROGRESS", "enterprise_products"] and int(w[2]) > 0)
        kill_9(proc, d, 2_000_000)
    finally:
        proc.kill()
        proc.wait()

    def write_again(s):
        assert s.apply(big_batch(10)).changes["enterprises"].added == 10
        assert s.counts()["Enterprise"] == before["Enterprise"] + 10
    assert_as_before(d, before, ents, write_again)


def test_second_writer_is_refused_while_reads_go_on(tmp_path, base, make_batch):
    d = tmp_path / "atlas"
    n = 40_000
    with EmbeddedStore(str(d)) as s:
        s.apply(base)
        before = s.counts()
        proc = start_writer(d, n, "slow")
        try:
            wait_for(proc, lambda w: w[:1] == ["PROGRESS"])
            with pytest.raises(StoreLocked) as err:
                s.apply(make_batch(chains=[{"chain_id": "C9", "name": "别的链"}]))
            assert str(d) in str(err.value) and f"pid {proc.pid}" in str(err.value)
            assert "try again" in err.value.hint
            with pytest.raises(StoreLocked):
                s.clear()
            assert s.plan(make_batch(chains=[{"chain_id": "C9", "name": "别的链"}])).changes["chains"].added == 1

            seen, errors = set(), []

            def reader():
                while proc.poll() is None:
                    try:
                        c = s.counts()
                        seen.add((c["Enterprise"], c["MAKES"]))
                        assert list(s.makers(["P1"])["enterprise_id"]) == ["E1"]
                        assert s.search("电池一厂").iloc[0]["id"] == "E1"
                    except Exception as e:  # noqa: BLE001 - collected and asserted below
                        errors.append(e)
            threads = [threading.Thread(target=reader) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            assert proc.wait(timeout=120) == 0
        finally:
            proc.kill()
        assert errors == []
        old, new = (before["Enterprise"], before["MAKES"]), (before["Enterprise"] + n, before["MAKES"] + 2 * n)
        assert old in seen and seen <= {old, new}          # each read saw one consistent snapshot
        assert (s.counts()["Enterprise"], s.counts()["MAKES"]) == new  # caches follow the other process
        assert len(s.makers(["BP0"])) == 2 * n // N_BIG_PRODUCTS
        assert s.maker_counts(["BP0", "P1"])["makers"].tolist() == [2 * n // N_BIG_PRODUCTS, 1]


def test_lock_held_in_this_process_refuses_a_write(embedded_store, base):
    with WriteLock(embedded_store.location):
        with pytest.raises(StoreLocked) as err:
            embedded_store.apply(base)
        assert f"pid {os.getpid()}" in str(err.value)
    assert embedded_store.apply(base).added == 10


@pytest.mark.parametrize("how", ["under_a_file", "is_a_file", "not_a_database"])
def test_unusable_path_raises_store_unavailable(tmp_path, how):
    f = tmp_path / "file"
    f.write_text("x")
    path = {"under_a_file": f / "atlas", "is_a_file": f, "not_a_database": tmp_path / "bad"}[how]
    if how == "not_a_database":
        path.mkdir()
        (path / "atlas.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailable) as err:
        EmbeddedStore(str(path))
    assert str(path) in str(err.value) and "CHAINATLAS_DB" in err.value.hint


def test_progress_per_table_chunk_and_commit(embedded_store, base, monkeypatch):
    monkeypatch.setattr(embedded_rows, "CHUNK", 1)
    calls = []
    embedded_store.apply(base, lambda *a: calls.append(a))
    assert [c[0] for c in calls if c[0] != "commit"] == [
        t for t in schema.LOAD_ORDER for _ in range(len(base[t]) + 1 if len(base[t]) else 1)]
    assert [c for c in calls if c[0] == "enterprises"] == [("enterprises", 0, 2), ("enterprises", 1, 2),
                                                           ("enterprises", 2, 2)]
    assert calls[-2:] == [("commit", 0, 1), ("commit", 1, 1)]


def _indexes(store) -> set[str]:
    with sqlite3.connect(Path(store.location) / "atlas.sqlite") as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_error_mid_apply_rolls_back_data_and_dropped_indexes(embedded_store, base):
    indexes = _indexes(embedded_store)

    def boom(step, done, total):
        if step == "enterprise_products":
            raise RuntimeError("disk on fire")
    with pytest.raises(RuntimeError):
        embedded_store.apply(base, boom)
    assert embedded_store.is_empty() and embedded_store.sources().empty
    assert _indexes(embedded_store) == indexes and "ix_enterprises_region" in indexes
    assert embedded_store.apply(base).added == 10                     # lock released


def _derived_threads() -> list:
    return [t for t in threading.enumerate() if t.name.startswith("derived") and t.is_alive()]


def test_an_error_in_the_derived_build_thread_rolls_the_load_back(embedded_store, base, monkeypatch):
    from graph.store.embedded import derived

    def boom(*args):
        raise RuntimeError("derived build failed")
    monkeypatch.setattr(derived, "layout", boom)
    with pytest.raises(RuntimeError, match="derived build failed"):
        embedded_store.apply(base)
    assert embedded_store.is_empty() and embedded_store.sources().empty and not _derived_threads()
    monkeypatch.undo()
    assert embedded_store.apply(base).added == 10 and not _derived_threads()
    assert sorted(embedded_store.makers(["P1", "P2"])["enterprise_id"]) == ["E1", "E2"]


def test_a_failed_first_load_stops_the_derived_build_thread(embedded_store, base, make_batch):
    """A first load whose last table has a dangling reference fails after the derived build began:
    nothing is written, and the build's thread is stopped (not left waiting on its queue)."""
    batch = base
    batch.tables["supplies"] = make_batch(supplies=[{"supplier": "E1", "customer": "E-NONE", "product": "P1"}]
                                          ).tables["supplies"]
    with pytest.raises(ValidationFailed) as err:
        embedded_store.apply(batch)
    assert "E-NONE" in str(err.value.problems)
    assert embedded_store.is_empty() and not _derived_threads()


def test_dangling_reference_is_reported_precisely(embedded_store, base, make_batch):
    embedded_store.apply(base)
    bad = make_batch(enterprise_products=[{"enterprise": "E1", "product": "P404"},
                                          {"enterprise": "E404", "product": "P1"}])
    with pytest.raises(ValidationFailed) as err:
        embedded_store.apply(bad)
    found = {(p.sheet, p.column, p.value) for p in err.value.problems}
    assert found == {("enterprise_products", "product", "P404"), ("enterprise_products", "enterprise", "E404")}
    with pytest.raises(ValidationFailed):
        embedded_store.plan(bad)
    assert embedded_store.counts()["MAKES"] == 2


def test_composite_key_examples_and_repeated_keys(embedded_store, base, make_batch):
    embedded_store.apply(base)
    report = embedded_store.apply(make_batch(chain_products=[
        {"chain": "C1", "product": "P1", "stage": "upstream"},
        {"chain": "C1", "product": "P1", "stage": "upstream", "segment": "电芯"}]))   # last row wins
    change = report.changes["chain_products"]
    assert (change.added, change.changed, change.unchanged) == (0, 1, 0)
    assert change.examples == [{"key": "C1|P1", "fields": {"stage": ["midstream", "upstream"],
                                                           "segment": [None, "电芯"]}}]
    fresh = EmbeddedStore(str(Path(embedded_store.location).parent / "other"))
    r = fresh.apply(make_batch(chains=[{"chain_id": "C1", "name": "甲"}, {"chain_id": "C1", "name": "乙"}]))
    assert r.changes["chains"].added == 1 and fresh.table("chains")["name"].tolist() == ["乙"]
    assert fresh.sources()["rows"].tolist() == [1]
    fresh.close()


def test_sources_follow_merges(embedded_store, base, make_batch):
    embedded_store.apply(base)
    embedded_store.apply(make_batch(enterprises=[{"enterprise_id": "E1", "name": "电池一厂", "region": "140800",
                                                  "tags": ["规上"], "source": "v2.xlsx", "illustrative": True}]))
    src = embedded_store.sources()
    ent = src[src["table"] == "enterprises"]
    assert sorted(zip(ent["source"], ent["rows"], ent["illustrative_rows"])) == [("test", 1, 0), ("v2.xlsx", 1, 1)]
    embedded_store.clear()
    assert embedded_store.sources().empty


def test_makers_reuses_an_index_until_the_data_changes(embedded_store, base, make_batch):
    embedded_store.apply(base)
    assert len(embedded_store.makers(["P1", "P2"])) == 2
    first = embedded_store._makers._indexes[0]
    assert len(embedded_store.makers(["P2"])) == 1
    assert embedded_store._makers._indexes == [first]               # subset: served by the same index
    embedded_store.apply(make_batch(enterprise_products=[{"enterprise": "E2", "product": "P1"}]))
    assert sorted(embedded_store.makers(["P1"])["enterprise_id"]) == ["E1", "E2"]
    with pytest.raises(ValueError):
        embedded_store.makers(["P1"], side="nearby")


def test_old_store_gains_new_columns(tmp_path, base):
    d = tmp_path / "atlas"
    EmbeddedStore(str(d)).close()
    with sqlite3.connect(d / "atlas.sqlite") as conn:
        conn.execute("ALTER TABLE enterprises DROP COLUMN industries")
    with EmbeddedStore(str(d)) as s:
        s.apply(base)
        assert s.table("enterprises")["industries"].tolist() == [[], []]


def test_new_store_uses_big_pages_and_a_4kb_store_still_loads(tmp_path, base, make_batch):
    new, old = tmp_path / "new", tmp_path / "old"
    EmbeddedStore(str(new)).close()
    old.mkdir()
    with sqlite3.connect(old / "atlas.sqlite") as conn:      # a store made before: 4 KB pages, WAL
        conn.execute("PRAGMA page_size = 4096")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v)")
    for d, size in ((new, EmbeddedStore.page_size), (old, 4096)):
        with EmbeddedStore(str(d)) as s:
            s.apply(base)
            s.apply(make_batch(enterprises=[{"enterprise_id": "E3", "name": "三厂"}]))
            assert s.counts()["Enterprise"] == 3
        with sqlite3.connect(d / "atlas.sqlite") as conn:
            assert conn.execute("PRAGMA page_size").fetchone()[0] == size
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert EmbeddedStore.page_size > 4096


def test_unknown_table_and_label(embedded_store):
    with pytest.raises(ChainAtlasError):
        embedded_store.table("enterprise")
    with pytest.raises(ChainAtlasError):
        embedded_store.neighbourhood("Company", "E1")
