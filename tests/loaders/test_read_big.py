"""A big CSV file read from its path block by block gives the table the classic read gives (or is
left to it); the column-wise encoding and the parse that lets text go give the same columns."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from graph.store.embedded.store import EmbeddedStore
from loaders import read_big, stream
from loaders.cells import encode
from loaders.problems import ProblemList
from loaders.read_core import RawTables
from loaders.read_csv import _add_csv
from loaders.validate import _parse_table
from loaders.workbook import load_path

HEAD = "enterprise_id,name,region,source,as_of\r\n"


def rows(n: int, sep: str = ",") -> str:
    return "".join(sep.join([f"E{i:05d}", f" 企业{i % 97} ", "140802", "s", "2024-01-01"]) + "\r\n" for i in range(n))


def both(path):
    """(the classic read, the read from the path or None when it left the file to the classic one)."""
    classic, big = RawTables(source="x"), RawTables(source="x")
    _add_csv(classic, path.name, path.stem, path.read_bytes())
    return classic, (big if read_big.add_big_csv(big, path.name, path.stem, path) else None)


def same(a: RawTables, b: RawTables) -> None:
    assert a.warnings == b.warnings and a.problems == b.problems and a.tables.keys() == b.tables.keys()
    for name, rt in a.tables.items():
        (na, ta), (nb, tb) = rt.text(), b.tables[name].text()
        assert rt.columns == b.tables[name].columns and np.array_equal(na, nb)
        assert {c: t.to_pylist() for c, t in ta.items()} == {c: t.to_pylist() for c, t in tb.items()}


@pytest.mark.parametrize("text", [
    HEAD + rows(3000),                                                   # more than one block
    (HEAD + rows(50)).replace(",", ";"),                                  # semicolons: the same warning
    HEAD + 'E1,"企业\n一",140802,s,2024-01-01\r\n' + rows(5),             # a quoted cell with a line break
    HEAD + "E1,企业\t一,140802,s,2024-01-01\r\n",                         # a tab in a cell
    HEAD.replace("enterprise_id,", "enterprise_id,zz_extra,") + "E1,x,企业,140802,s,2024-01-01\r\n",
])
def test_the_same_table_as_the_classic_read(tmp_path, monkeypatch, text):
    monkeypatch.setattr(read_big, "BLOCK", 1000)              # many blocks (a sequence across two too)
    f = tmp_path / "enterprises.csv"
    f.write_bytes(text.encode("utf-8"))
    classic, big = both(f)
    assert big is not None
    same(classic, big)


@pytest.mark.parametrize("text", [
    "\ufeff" + HEAD + rows(5),                                           # a BOM
    HEAD + "E1,大运\u3000汽车,140802,s,2024-01-01\r\n",                  # an odd space: the bytes change
    HEAD + "E1,大运\u200b汽车,140802,s,2024-01-01\r\n",                  # a zero-width character
    HEAD + "E1,x\r\n",                                                   # not a regular grid
    "   \r\n",                                                           # blank
])
def test_files_the_classic_read_changes_are_left_to_it(tmp_path, monkeypatch, text):
    monkeypatch.setattr(read_big, "BLOCK", 7)
    f = tmp_path / "enterprises.csv"
    f.write_bytes(text.encode("utf-8"))
    raw = RawTables(source="x")
    assert not read_big.add_big_csv(raw, f.name, f.stem, f)
    assert raw == RawTables(source="x")


def test_a_sequence_across_blocks_is_seen_at_every_block_size(tmp_path, monkeypatch):
    """A zero-width character or an odd space split between two blocks (its lead byte at the end of
    one) still leaves the file to the classic read, whatever the block size."""
    f = tmp_path / "enterprises.csv"
    f.write_bytes((HEAD + "E1,大运\u200b汽车,140802,s,2024-01-01\r\n").encode("utf-8"))
    g = tmp_path / "chains.csv"
    g.write_bytes("chain_id,name\r\nC1,新能源\u3000汽车\r\n".encode("utf-8"))
    for block in range(1, 80):
        monkeypatch.setattr(read_big, "BLOCK", block)
        assert read_big.scan(f) is None and read_big.scan(g) is None, block


def test_encoding_chunk_by_chunk_is_encoding_the_whole_column():
    chunked = pa.chunked_array([pa.array(["b", "a", "b"]), pa.array([], pa.string()), pa.array(["c", "a", "d"])])
    codes, distinct = encode(chunked)
    whole = encode(chunked.combine_chunks())
    assert codes.dtype == np.int32 and np.array_equal(codes, whole[0]) and distinct.equals(whole[1])
    assert distinct.to_pylist() == ["b", "a", "c", "d"] and codes.tolist() == [0, 1, 0, 2, 1, 3]


def test_a_parse_that_lets_the_text_go_parses_the_same(tmp_path):
    f = tmp_path / "enterprises.csv"
    f.write_bytes((HEAD + rows(200) + "E9,,140802,s,bad-date\r\n").encode("utf-8"))
    parsed = []
    for release in (False, True):
        raw, problems = RawTables(source="x"), ProblemList(100)
        _add_csv(raw, f.name, f.stem, f.read_bytes())
        rt = raw.tables["enterprises"]
        parsed.append((_parse_table(rt, problems, release=release), [str(p) for p in problems]))
        assert set(rt.text()[1]) == set(rt.columns)
    (a, pa_), (b, pb) = parsed
    assert pa_ == pb and len(pa_) == 2 and a.columns.keys() == b.columns.keys()
    for c in a.columns:
        assert np.array_equal(a.columns[c].codes, b.columns[c].codes) and a.columns[c].distinct.equals(b.columns[c].distinct)
        assert a.columns[c].errors.keys() == b.columns[c].errors.keys()


def test_a_stream_of_big_files_writes_what_the_classic_load_writes(tmp_path, monkeypatch, write_csv_dir, sample):
    from tests.loaders.test_stream import classic, snapshot      # (the same snapshot as the stream's tests)
    monkeypatch.setattr(stream, "BIG", 200)                      # most files are "big": read from the path
    folder = write_csv_dir(sample)
    called = []
    real = read_big.add_big_csv
    monkeypatch.setattr(stream, "add_big_csv", lambda *a: called.append(a[2]) or real(*a))
    with EmbeddedStore(str(tmp_path / "s")) as s:
        load_path(s, folder)
        with classic(tmp_path, folder) as other:
            assert snapshot(s) == snapshot(other)
    assert "enterprises" in called and "enterprise_products" in called


def test_long_bulk_inserts_and_big_reads_give_the_c_heap_back(tmp_path, monkeypatch, write_csv_dir, sample):
    from graph.store.embedded import write
    from tests.loaders.test_stream import classic, snapshot
    trims = []
    monkeypatch.setattr(write, "TRIM_ROWS", 3)
    monkeypatch.setattr(write, "trim", lambda: trims.append("write"))
    monkeypatch.setattr(stream, "trim", lambda: trims.append("stream"))
    monkeypatch.setattr(stream, "BIG", 200)
    folder = write_csv_dir(sample)
    with EmbeddedStore(str(tmp_path / "s")) as s:
        load_path(s, folder)
        with classic(tmp_path, folder) as other:
            assert snapshot(s) == snapshot(other)
    long = [n for n, r in sample.items() if len(r) >= 3]
    assert trims.count("write") >= len(long) > 0 and "stream" in trims


def test_trim_is_harmless():
    from graph.store.embedded.write import trim
    assert trim() is None
