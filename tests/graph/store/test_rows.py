"""The embedded store's bulk INSERT (graph/store/embedded/rows.py): multi-row statements with
constant columns inlined write exactly what one bound INSERT per row would, from a DataFrame or
column-wise (codes into per-distinct values), in several chunks, the last of a repeated key winning."""
from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from graph import schema
from graph.store.embedded import rows as R
from graph.store.embedded.codec import cols_sql, create_table_sql, encode_chunk, q


def _objects(values) -> np.ndarray:
    values = list(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _columnar(df: pd.DataFrame) -> dict:
    """``df`` column-wise as the validator hands it over: per column (codes, distinct values)."""
    out = {}
    for c in df.columns:
        vals = df[c].tolist()
        keys = [repr(v) for v in vals]
        first = {}
        for k, v in zip(keys, vals):
            first.setdefault(k, v)
        order = list(first)
        out[c] = (np.array([order.index(k) for k in keys], dtype=np.int32), _objects(first[k] for k in order))
    return out


def _reference(table: schema.Table, df: pd.DataFrame) -> list[tuple]:
    """What one ``INSERT … VALUES (?, …)`` per row (the last of a key winning) stores."""
    conn = sqlite3.connect(":memory:")
    conn.execute(create_table_sql(table))
    names = table.column_names
    conn.executemany(f"INSERT OR REPLACE INTO {q(table.name)} ({cols_sql(names)}) VALUES "
                     f"({', '.join('?' * len(names))})", encode_chunk(table, df))
    return conn.execute(f"SELECT * FROM {q(table.name)} ORDER BY {cols_sql(table.key)}").fetchall()


def _written(table: schema.Table, rows: R.Rows) -> list[tuple]:
    conn = sqlite3.connect(":memory:")
    conn.execute(create_table_sql(table))
    R.insert(conn, q(table.name), rows, lambda *a: None)
    return conn.execute(f"SELECT * FROM {q(table.name)} ORDER BY {cols_sql(table.key)}").fetchall()


def _enterprises(n: int) -> pd.DataFrame:
    t = schema.TABLES["enterprises"]
    df = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in t.column_names})
    df["enterprise_id"] = [f"E{i % (n - 3):05d}" for i in range(n)]          # the last 3 repeat keys
    df["name"] = [f"企业'{i}" for i in range(n)]
    df["region"] = ["140800" if i % 3 else None for i in range(n)]
    df["revenue"] = [float("nan") if i % 4 == 0 else i / 7 for i in range(n)]
    df["employees"] = [i if i % 5 else None for i in range(n)]
    df["listed"] = [i % 2 == 0 for i in range(n)]
    df["tags"] = [["规上", "上市"] if i % 2 else [] for i in range(n)]
    df["aliases"] = [[] for _ in range(n)]
    df["evidence"] = ["it's 口径"] * n
    df["source"], df["as_of"], df["illustrative"] = "s.csv", "2024", [True] * n
    return df


@pytest.mark.parametrize("chunk", [7, 50_000])
def test_dataframe_and_columnar_rows_store_what_row_by_row_inserts_store(monkeypatch, chunk):
    monkeypatch.setattr(R, "CHUNK", chunk)
    monkeypatch.setattr(R, "ROWS_PER_STATEMENT", 4)
    table, df = schema.TABLES["enterprises"], _enterprises(40)
    expected = _reference(table, df)
    assert len(expected) == 37 and any("'" in str(v) for v in expected[0])
    assert _written(table, R.Rows(table, df=df)) == expected
    assert _written(table, R.Rows(table, columnar=_columnar(df))) == expected


def test_composite_keys_are_sorted_and_provenance_counted(monkeypatch):
    monkeypatch.setattr(R, "CHUNK", 5)
    table = schema.TABLES["enterprise_products"]
    pairs = [("E2", "P1"), ("E1", "P2"), ("E10", "P1"), ("E1", "P1"), ("E2", "P1")]      # E2/P1 twice: last wins
    df = pd.DataFrame({"enterprise": [e for e, _ in pairs], "product": [p for _, p in pairs],
                       "revenue_share": [0.1, 0.2, 0.3, 0.4, 0.5], "source": ["a", "a", "b", "a", "a"],
                       "as_of": ["2024"] * 5, "illustrative": [False] * 5}, dtype=object)
    rows = R.Rows(table, columnar=_columnar(df))
    conn = sqlite3.connect(":memory:")
    conn.execute(create_table_sql(table))
    prov = R.insert(conn, q(table.name), rows, lambda *a: None)
    assert conn.execute("SELECT enterprise, product, revenue_share FROM enterprise_products ORDER BY 1, 2").fetchall() \
        == [("E1", "P1", 0.4), ("E1", "P2", 0.2), ("E10", "P1", 0.3), ("E2", "P1", 0.5)]
    assert prov == {("a", "2024", 0): 4, ("b", "2024", 0): 1}
    assert sorted(v for v in rows.distinct("enterprise")) == ["E1", "E10", "E2"]


@pytest.mark.parametrize("pairs", [
    [("E1", "P2"), ("E2", "P1"), ("E1", "P1"), ("E3", "P1"), ("E2", "P1")],     # distinct texts met in order
    [("E3", "P1"), ("E1", "P2"), ("E2", "P1"), ("E1", "P1"), ("E2", "P1")],     # and not
    [("E1", "P1"), ("E1", "P2"), ("E2", "P1")],                                 # rows already in key order
])
def test_rows_go_in_key_order_the_last_of_a_key_last(pairs):
    table = schema.TABLES["enterprise_products"]
    df = pd.DataFrame({"enterprise": [e for e, _ in pairs], "product": [p for _, p in pairs],
                       "revenue_share": [i / 10 for i in range(len(pairs))], "source": ["a"] * len(pairs),
                       "as_of": ["2024"] * len(pairs), "illustrative": [False] * len(pairs)}, dtype=object)
    rows = R.Rows(table, columnar=_columnar(df))
    got = list(zip(*(list(v) for _, v in rows.chunk(0, len(pairs))[:3])))
    want = sorted(((e, p, i / 10) for i, (e, p) in enumerate(pairs)), key=lambda r: (r[0], r[1], r[2]))
    assert got == want


def test_literal_only_for_values_sqlite_reads_back_exactly():
    assert [R.literal(v) for v in ("a'b", 3, None, 0.1, "x\x00")] == ["'a''b'", "3", "NULL", None, None]
