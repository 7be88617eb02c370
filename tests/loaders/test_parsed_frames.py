"""A validated batch keeps its tables column-wise (loaders/parsed_frames.py): the embedded store
writes them without building DataFrames, and stores exactly what it stores from the DataFrames."""
from __future__ import annotations

import pandas as pd
import pytest

from graph import schema
from graph.model import ImportBatch
from graph.store.embedded.store import EmbeddedStore
from loaders.parsed_frames import ParsedFrames
from loaders.read import read_tables
from loaders.validate import validate


def test_columnar_and_dataframe_batches_store_the_same(write_csv_dir, sample, tmp_path):
    sample["enterprises"][1]["evidence"] = "it's 推断"            # a quote in an inlined constant
    batch = validate(read_tables(write_csv_dir(sample)), release=True)
    assert isinstance(batch.tables, ParsedFrames) and batch.tables.columnar("enterprises") is not None
    frames = ImportBatch({name: batch.tables[name].copy() for name in batch.tables}, source=batch.source)
    assert batch.tables.columnar("enterprises") is None          # built on request, then kept
    fresh = validate(read_tables(write_csv_dir(sample)))
    with EmbeddedStore(str(tmp_path / "a")) as a, EmbeddedStore(str(tmp_path / "b")) as b:
        ra, rb = a.apply(fresh), b.apply(frames)
        assert ra.added == rb.added == sum(len(rows) for rows in sample.values())
        for name in schema.TABLES:
            pd.testing.assert_frame_equal(a.table(name), b.table(name))
        again = a.apply(validate(read_tables(write_csv_dir(sample)), existing=a))
        assert (again.added, again.changed, again.unchanged) == (0, 0, ra.added)


def test_frames_behave_as_a_dict_of_tables():
    frames = ParsedFrames({})
    assert list(frames) == list(schema.TABLES) and len(frames["chains"]) == 0
    frames["chains"] = pd.DataFrame({"chain_id": ["C1"]})
    del frames["supplies"]
    assert list(frames["chains"]["chain_id"]) == ["C1"] and "supplies" not in frames
    assert frames.columnar("chains") is None and len(frames) == len(schema.TABLES) - 1


def test_derived_makers_from_a_columnar_load_equal_a_rebuild_from_the_tables(write_csv_dir, sample, tmp_path):
    """The first load builds the derived makers from the rows it wrote (column-wise, never a
    DataFrame); a rebuild from the row tables answers the same."""
    from graph.store import Scope
    from graph.store.embedded import derived, derived_fresh
    sample["enterprises"].append({"enterprise_id": "E-X", "name": "某某公司", "revenue": "0.3", "employees": "",
                                  "listed": "否", "tags": "规上", "source": "x", "as_of": "2023"})
    sample["enterprise_products"].append({"enterprise": "E-X", "product": "P-CAR", "revenue_share": "0.1",
                                          "source": "x", "as_of": "2023"})
    built, real = [], derived_fresh.Fresh.columns
    with EmbeddedStore(str(tmp_path / "db")) as store:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(derived_fresh.Fresh, "columns", lambda self, conn: built.append(1) or real(self, conn))
            store.apply(validate(read_tables(write_csv_dir(sample))))
        assert built == [1]
        ids, local = ["P-CAR", "P-CATH"], Scope(region_codes=frozenset({"140800"}))
        want = {side: store.makers(ids, local, side) for side in ("inside", "outside", "all", "unknown")}
        conn = store._connect()
        conn.execute("BEGIN IMMEDIATE")
        derived.rebuild(conn, conn.execute("SELECT v FROM meta WHERE k = 'generation'").fetchone()[0])
        conn.execute("COMMIT")
        conn.close()
        store._makers.drop()
        for side, frame in want.items():
            pd.testing.assert_frame_equal(store.makers(ids, local, side), frame)
        assert len(want["all"]) == 3


def test_a_load_lets_each_table_go_once_written(write_csv_dir, write_xlsx, sample, tmp_path):
    """load_path owns its batch: the store drops each table after writing it (memory), and a
    table that is looked at is still whole before that. (A workbook: a CSV folder is streamed,
    loaders.stream, and never makes a batch.)"""
    from loaders.workbook import load_path
    seen = []

    class Watch(EmbeddedStore):
        def apply(self, batch, progress=None):
            assert batch.tables.drop_written and len(batch.tables["chains"]) == 1
            report = super().apply(batch, progress)
            seen.append(list(batch.tables))
            return report
    with Watch(str(tmp_path / "db")) as store:
        report = load_path(store, write_xlsx(sample))
        assert report.added == sum(len(rows) for rows in sample.values()) and store.counts()["Enterprise"] == 2
    assert seen == [[]]
    batch = validate(read_tables(write_csv_dir(sample)))
    with EmbeddedStore(str(tmp_path / "db2")) as store:
        store.apply(batch)
    assert list(batch.tables) == list(schema.TABLES)          # a batch of one's own stays whole
