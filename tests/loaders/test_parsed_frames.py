"""A validated batch keeps its tables column-wise (loaders/parsed_frames.py): the embedded store
writes them without building DataFrames, and stores exactly what it stores from the DataFrames."""
from __future__ import annotations

import pandas as pd

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
