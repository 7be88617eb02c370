"""The provenance summary of a Neo4j atlas: what ``sources()`` (``chainatlas stats``, the 数据 page)
reads instead of aggregating every node and relationship.

One ``:AtlasSource`` node per (table, source, as_of) holds ``rows`` and ``illustrative_rows``. It
is trusted only while a flag node exists. A load removes the flag when it starts and, once its
journal is cleared, adds its own counts (rows created, provenance moved by changed rows) and puts
the flag back — so after a crash, a rollback or a bulk import the flag is absent and the next read
aggregates the data once (under the load lock) and rebuilds the summary. Failing to maintain it
never fails a load: the next read just rebuilds it.

>>> delta("products", [{"id": "P1", "props": {"source": "a", "as_of": "2024", "illustrative": True}}],
...       [{"id": "P2", "props": {"as_of": "2025"}}], {"P2": {"source": "a", "as_of": "2024"}})
[{'key': '["products", "a", "2024"]', 'import_table': 'products', 'source': 'a', 'as_of': '2024', 'rows': 0, 'illustrative_rows': 1}, {'key': '["products", "a", "2025"]', 'import_table': 'products', 'source': 'a', 'as_of': '2025', 'rows': 1, 'illustrative_rows': 0}]
"""
from __future__ import annotations

import json
from collections import Counter

import pandas as pd

from graph import schema
from graph.errors import ChainAtlasError
from graph.store.neo4j import cypher as q
from graph.store.neo4j import rows

FLAG = "*complete*"
PROV = ("source", "as_of", "illustrative")
COLUMNS = ["source", "as_of", "table", "rows", "illustrative_rows"]


def _prov(props: dict) -> tuple:
    return tuple(rows.to_value(rows.KIND.get(("products", c), "str"), props.get(c)) for c in PROV)


def delta(table: str, created: list[dict], updated: list[dict], old: dict) -> list[dict]:
    """SUMMARY_ADD rows for one table's writes: +1 per created row, and −1/+1 for each updated row
    whose source, as_of or illustrative changed (``old``: the stored rows by key)."""
    count: Counter = Counter()
    for r in created:
        count[_prov(r["props"])] += 1
    for r in updated:
        if any(c in r["props"] for c in PROV):
            key = r["id"] if "id" in r else (r["src"], r["dst"])
            before = _prov(old.get(key, {}))
            count[before] -= 1
            count[_prov({**old.get(key, {}), **r["props"]})] += 1
    totals: dict[tuple, list[int]] = {}
    for (source, as_of, illustrative), n in count.items():
        t = totals.setdefault((source, as_of), [0, 0])
        t[0] += n
        t[1] += n if illustrative else 0
    return [{"key": json.dumps([table, source, as_of], ensure_ascii=False), "import_table": table,
             "source": source, "as_of": as_of, "rows": n, "illustrative_rows": ill}
            for (source, as_of), (n, ill) in sorted(totals.items(), key=lambda kv: _order(kv[0]))
            if n or ill]


def _order(pair) -> tuple:
    return tuple((v is None, v or "") for v in pair)


def frame(found: list[dict]) -> pd.DataFrame:
    """sources()' frame: tables in load order, then source and as_of (missing last)."""
    rank = {t: i for i, t in enumerate(schema.LOAD_ORDER)}
    found = sorted(found, key=lambda r: (rank[r["table"]], *_order((r["source"], r["as_of"]))))
    return rows.frame(found, COLUMNS, ints=["rows", "illustrative_rows"])


# --- on the server -----------------------------------------------------------------------------
def scan(store) -> list[dict]:
    """Aggregate every node and relationship (what the summary spares)."""
    return store._run(lambda tx: [{**r, "table": t, "rows": r["n_rows"]}
                                  for t in schema.LOAD_ORDER for r in tx.run(q.SOURCES[t]).data()])


def read(store) -> list[dict] | None:
    """The summary's rows, or None when it is not trusted."""
    def work(tx):
        if not tx.run(q.SUMMARY_FLAGGED, flag=FLAG).single()["n"]:
            return None
        return [{**r, "table": r["import_table"], "rows": r["n_rows"]} for r in tx.run(q.SUMMARY_READ).data()]
    return store._run(work)


def sources(store, lock) -> pd.DataFrame:
    """``lock(store, what)``: takes the load lock (graph.store.neo4j.load.begin) for a rebuild."""
    found = read(store)
    if found is None:
        found = rebuild(store, lock)
    return frame(found)


def rebuild(store, lock) -> list[dict]:
    """Aggregate the data and store it as the summary — under the load lock, so no load commits in
    between; when the lock or the write is refused, just the aggregate."""
    try:
        marker = lock(store, "provenance summary")
    except ChainAtlasError:
        return scan(store)
    try:
        found = scan(store)
        deltas = [{"key": json.dumps([r["table"], r["source"], r["as_of"]], ensure_ascii=False),
                   "import_table": r["table"], "source": r["source"], "as_of": r["as_of"], "rows": r["rows"],
                   "illustrative_rows": r["illustrative_rows"]} for r in found]

        def work(tx):
            tx.run(q.SUMMARY_RESET).consume()
            tx.run(q.SUMMARY_ADD, deltas=deltas).consume()
            tx.run(q.SUMMARY_FLAG, flag=FLAG).consume()
        try:
            store._run(work, write=True)
        except ChainAtlasError:
            pass
        return found
    finally:
        store._run(lambda tx: tx.run(q.LOAD_END, id=marker.id).consume(), write=True)


def unflag(store) -> bool:
    """Stop trusting the summary (a load starts); True when it was trusted."""
    return bool(store._run(lambda tx: tx.run(q.SUMMARY_UNFLAG, flag=FLAG).single()["n"], write=True))


def add(store, deltas: list[dict]) -> None:
    """A committed load's counts, and the summary trusted again; on failure it stays untrusted."""
    def work(tx):
        if deltas:
            tx.run(q.SUMMARY_ADD, deltas=deltas).consume()
            tx.run(q.SUMMARY_PRUNE).consume()
        tx.run(q.SUMMARY_FLAG, flag=FLAG).consume()
    try:
        store._run(work, write=True)
    except ChainAtlasError:
        pass
