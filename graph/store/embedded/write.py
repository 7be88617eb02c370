"""Writes of the embedded store: ``apply`` (merge by key), ``plan`` (dry run) and ``clear``.

A batch is merged table by table in load order (nodes first) inside one SQLite transaction:

- into an empty table the rows are inserted directly (no diff, indexes rebuilt after);
- otherwise they go to a temp table ``_in_<table>`` first, are compared with the stored rows in
  SQL (added / changed / unchanged, a few examples), and are then upserted.

References (``ref:`` columns) are checked before COMMIT; any dangling one raises
ValidationFailed and the transaction is rolled back, so a failed apply changes nothing.
"""
from __future__ import annotations

import sqlite3
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from graph import schema
from graph.memory import trim
from graph.store.embedded import derived
from graph.store.embedded.codec import cols_sql, create_table_sql, decode_value, index_sql, q
from graph.store.embedded.derived_fresh import NEEDED as FRESH_TABLES, Building
from graph.store.embedded.rows import Rows, insert
from graph.store.embedded.write_refs import Written, missing_refs, unknown_refs
from graph.errors import ValidationFailed
from graph.model import ImportBatch, LoadReport, TableChange

EXAMPLES = 3            # changed-row examples kept per table
SORT_CACHE = -32 * 1024  # KB of page cache while an index is built (cache_size, see _bulk_finish)
TRIM_ROWS = 1_000_000    # a bulk insert this long gives the C heap's free memory back before its index sort


def columnar_rows(name: str, cols: dict | None) -> Rows:
    """The rows of table ``name`` from its validated columns (column -> ``(codes, values)``, as
    ``ParsedFrames.columnar`` gives them); no rows when ``cols`` is None."""
    table = schema.TABLES[name]
    if cols is None:
        return Rows(table, df=pd.DataFrame(columns=table.column_names))
    return Rows(table, columnar=cols)


def _rows(batch: ImportBatch, name: str) -> Rows:
    """The batch's rows of table ``name``: column-wise when the batch offers it (a validated batch),
    else from its DataFrame (never building that DataFrame when it is not needed)."""
    table = schema.TABLES[name]
    columnar = getattr(batch.tables, "columnar", None)
    cols = columnar(name) if columnar is not None else None
    if cols is not None:
        return columnar_rows(name, cols)
    df = batch.tables.get(name)
    if df is None:
        df = pd.DataFrame(columns=table.column_names)
    return Rows(table, df=df)


def _differs(table: schema.Table, a: str, b: str) -> str:
    return " OR ".join(f"{a}.{q(c)} IS NOT {b}.{q(c)}" for c in table.column_names if c not in table.key)


def _joined(table: schema.Table, a: str, b: str) -> str:
    return " AND ".join(f"{a}.{q(k)} = {b}.{q(k)}" for k in table.key)


def _diff(conn, table: schema.Table, tmp: str) -> TableChange:
    """Compare the temp table with the stored rows."""
    main, on = q(table.name), _joined(table, "m", "t")
    total = conn.execute(f"SELECT count(*) FROM {tmp}").fetchone()[0]
    added = conn.execute(f"SELECT count(*) FROM {tmp} t WHERE NOT EXISTS "
                         f"(SELECT 1 FROM {main} m WHERE {on})").fetchone()[0]
    where = f"FROM {tmp} t JOIN {main} m ON {on} WHERE {_differs(table, 'm', 't')}"
    changed = conn.execute(f"SELECT count(*) {where}").fetchone()[0]
    change = TableChange(table.name, added=added, changed=changed, unchanged=total - added - changed)
    n = len(table.columns)
    for row in conn.execute(f"SELECT {cols_sql(table.column_names, 't.')}, "
                            f"{cols_sql(table.column_names, 'm.')} {where} LIMIT {EXAMPLES}"):
        new, old = row[:n], row[n:]
        fields = {c.name: [decode_value(c.kind, o), decode_value(c.kind, v)]
                  for c, o, v in zip(table.columns, old, new) if o != v}
        key = "|".join(str(new[table.column_names.index(k)]) for k in table.key)
        change.examples.append({"key": key, "fields": fields})
    return change


def _provenance(conn, name: str, select: str, sign: int = 1) -> None:
    """Add (sign=1) or remove (sign=-1) the provenance of the rows ``select`` returns
    (columns source, as_of, illustrative) to the ``provenance`` summary of table ``name``."""
    conn.execute(
        "INSERT INTO provenance (tbl, source, as_of, rows, illustrative_rows) "
        f"SELECT '{name}', ifnull(source, ''), ifnull(as_of, ''), {sign} * count(*), "
        f"{sign} * ifnull(sum(illustrative), 0) FROM ({select}) WHERE true GROUP BY 2, 3 "
        "ON CONFLICT (tbl, source, as_of) DO UPDATE SET rows = rows + excluded.rows, "
        "illustrative_rows = illustrative_rows + excluded.illustrative_rows")


def _add_counted(conn, name: str, prov: Counter) -> None:
    """Add provenance counted while inserting (rows per (source, as_of, illustrative))."""
    sums: dict = {}
    for (src, as_of, ill), n in prov.items():
        entry = sums.setdefault((src or "", as_of or ""), [0, 0])
        entry[0] += n
        entry[1] += n if ill else 0
    conn.executemany(
        "INSERT INTO provenance VALUES (?, ?, ?, ?, ?) ON CONFLICT (tbl, source, as_of) DO UPDATE SET "
        "rows = rows + excluded.rows, illustrative_rows = illustrative_rows + excluded.illustrative_rows",
        [(name, src, as_of, n, ill) for (src, as_of), (n, ill) in sums.items()])


def rebuild_provenance(conn) -> None:
    """Recompute the provenance summary from scratch (stores made before it existed)."""
    conn.execute("DELETE FROM provenance")
    for name in schema.LOAD_ORDER:
        _provenance(conn, name, f"SELECT source, as_of, illustrative FROM {q(name)}")


def _bulk_insert(conn, table: schema.Table, rows: Rows, progress) -> tuple[int, Counter]:
    """Load into an empty table: no diff; secondary indexes dropped (:func:`_bulk_finish` rebuilds
    them: sorting once is much faster than keeping them up to date row by row). Returns the rows
    the table now holds (fewer than sent: repeated keys) and the provenance counted."""
    for name, _ in index_sql(table.name):
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    prov = insert(conn, q(table.name), rows, progress)
    return conn.execute(f"SELECT count(*) FROM {q(table.name)}").fetchone()[0], prov


def _bulk_finish(conn, table: schema.Table, added: int, sent: int, prov: Counter) -> TableChange:
    """Rebuild the indexes :func:`_bulk_insert` dropped (each sort's memory is a few times the page
    cache with ``PRAGMA threads``: a smaller cache meanwhile, for the load's peak RSS) and count
    the provenance."""
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {SORT_CACHE}")
    try:
        for _, sql in index_sql(table.name):
            conn.execute(sql)
    finally:
        conn.execute(f"PRAGMA cache_size = {cache}")
    if added == sent:
        _add_counted(conn, table.name, prov)
    else:  # repeated keys in the batch: count what was kept
        _provenance(conn, table.name, f"SELECT source, as_of, illustrative FROM {q(table.name)}")
    return TableChange(table.name, added=added)


def _upsert(conn, table: schema.Table, tmp: str) -> None:
    """Write the temp table's added and changed rows, keeping the provenance summary right."""
    name, on = q(table.name), _joined(table, "m", "t")
    old = f"SELECT m.source, m.as_of, m.illustrative FROM {tmp} t JOIN {name} m ON {on} WHERE {_differs(table, 'm', 't')}"
    new = (f"SELECT t.source, t.as_of, t.illustrative FROM {tmp} t LEFT JOIN {name} m ON {on} "
           f"WHERE m.{q(table.key[0])} IS NULL OR {_differs(table, 'm', 't')}")
    _provenance(conn, table.name, old, -1)
    _provenance(conn, table.name, new, 1)
    conn.execute("DELETE FROM provenance WHERE rows = 0")
    conn.execute(
        f"INSERT INTO {name} ({cols_sql(table.column_names)}) "
        f"SELECT {cols_sql(table.column_names)} FROM {tmp} WHERE true "
        f"ON CONFLICT ({cols_sql(table.key)}) DO UPDATE SET "
        + ", ".join(f"{q(c)} = excluded.{q(c)}" for c in table.column_names if c not in table.key)
        + f" WHERE {_differs(table, name, 'excluded')}")


def _empty(conn, name: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {q(name)} LIMIT 1").fetchone() is None


def _load_temp(conn, table: schema.Table, rows: Rows, progress) -> str:
    tmp_name = "_in_" + table.name
    conn.execute(f"DROP TABLE IF EXISTS temp.{q(tmp_name)}")
    conn.execute(create_table_sql(table, tmp_name, temp=True))
    insert(conn, f"temp.{q(tmp_name)}", rows, progress)
    return f"temp.{q(tmp_name)}"


def _prefetched(batch: ImportBatch):
    """``(name, [rows])`` of every table in load order; the next table's rows are made in a second
    thread while this one is written. (The caller pops the rows from the list: nothing here holds
    them while it writes.)"""
    with ThreadPoolExecutor(1) as pool:
        ahead = pool.submit(_rows, batch, schema.LOAD_ORDER[0])
        for i, name in enumerate(schema.LOAD_ORDER):
            box = [ahead.result()]
            if i + 1 < len(schema.LOAD_ORDER):
                ahead = pool.submit(_rows, batch, schema.LOAD_ORDER[i + 1])
            yield name, box


def apply_batch(conn: sqlite3.Connection, batch: ImportBatch, progress) -> LoadReport:
    """Merge ``batch`` in one transaction on ``conn`` (a fresh writer connection; the caller
    holds the write lock). Commits on success, rolls back and re-raises on any error."""
    return apply_tables(conn, _prefetched(batch), batch.source, progress, batch=batch)


def apply_tables(conn: sqlite3.Connection, tables, source: str, progress, *, batch: ImportBatch | None = None,
                 checked: bool = False) -> LoadReport:
    """Merge ``tables`` (``(name, [rows])`` of every import table in load order, as
    :func:`_prefetched` gives them; an error raised by the iterator rolls the load back) in one
    transaction on ``conn``, as :func:`apply_batch`. ``checked``: every reference was resolved
    against this batch and the store inside the write lock (a streamed load), so the write-time
    reference check is skipped. ``batch``: told of each table written (it may let it go)."""
    t0 = time.perf_counter()
    changes, problems, bumped, build = {}, [], False, Building()
    checks = ThreadPoolExecutor(1, thread_name_prefix="refs")
    told = progress

    def progress(*step):               # between chunks: write what the derived build has made
        told(*step)
        build.drain(conn)
    written = Written()
    conn.execute("PRAGMA threads = 2")          # index builds sort on both cores
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name, box in tables:
            rows, table, finish = box.pop(), schema.TABLES[name], None
            if not checked:
                written.rows[name] = rows
            unknown = unknown_refs(rows, written, checks) if len(rows) and not checked else {}
            if len(rows) and _empty(conn, name):
                added, prov = _bulk_insert(conn, table, rows, progress)
                if added == len(rows) and name in FRESH_TABLES:   # the table holds exactly these rows:
                    build.add(name, rows.frame())                 # the derived tables are made from them
                    if build.ready():                             # in a second thread, while SQLite goes on
                        build.start(conn)
                finish = (added, len(rows), prov)
            elif len(rows):
                tmp = _load_temp(conn, table, rows, progress)
                changes[name] = _diff(conn, table, tmp)
                if changes[name].added or changes[name].changed:
                    _upsert(conn, table, tmp)
            else:
                changes[name] = TableChange(name)
                progress(name, 0, 0)
            if len(rows) and not checked:
                problems += missing_refs(conn, rows, written, False, source, unknown)
            written.done(name, batch)
            del rows                      # (the batch's copy goes before the index sort: memory)
            if finish and finish[1] >= TRIM_ROWS:
                trim()
            if finish:
                changes[name] = _bulk_finish(conn, table, *finish)
            bumped = bumped or bool(changes[name].added or changes[name].changed)
        if problems:
            raise ValidationFailed(problems, source)
        before = _generation(conn)
        if bumped:
            bump_generation(conn)
        generation = _generation(conn)
        progress("commit", 0, 1)
        makers_same = not any(changes[t].added or changes[t].changed for t in derived.SOURCES)
        if makers_same and derived.current(conn, before):
            derived.retag(conn, generation)       # e.g. a chain added to a national store: nothing to rebuild
        elif not derived.current(conn, generation):
            if build.started:
                build.finish(conn, generation)
            else:
                build.close()
                derived.rebuild(conn, generation, build.fresh)
        conn.execute("COMMIT")
        progress("commit", 1, 1)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        build.close()
        checks.shutdown(wait=True)
        getattr(tables, "close", lambda: None)()      # a generator's thread stops (on an error too)
    return LoadReport(changes, written=True, seconds=time.perf_counter() - t0)


def plan_batch(conn: sqlite3.Connection, batch: ImportBatch) -> LoadReport:
    """What :func:`apply_batch` would report, using temp tables only (the store is not written)."""
    t0 = time.perf_counter()
    changes, problems = {}, []
    quiet = lambda *a: None  # noqa: E731
    conn.execute("BEGIN")
    try:
        written = Written()
        written.rows = {name: _rows(batch, name) for name in schema.LOAD_ORDER}
        temps = {name: _load_temp(conn, schema.TABLES[name], written.rows[name], quiet) for name in schema.LOAD_ORDER}
        for name, tmp in temps.items():
            changes[name] = _diff(conn, schema.TABLES[name], tmp)
            problems += missing_refs(conn, written.rows[name], written, True, batch.source)
        if problems:
            raise ValidationFailed(problems, batch.source)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        for name in schema.LOAD_ORDER:
            conn.execute(f"DROP TABLE IF EXISTS temp.{q('_in_' + name)}")
    return LoadReport(changes, written=False, seconds=time.perf_counter() - t0)


def clear_all(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name in reversed(schema.LOAD_ORDER):
            conn.execute(f"DELETE FROM {q(name)}")
        conn.execute("DELETE FROM provenance")
        bump_generation(conn)
        derived.rebuild(conn, _generation(conn))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _generation(conn) -> int:
    return conn.execute("SELECT v FROM meta WHERE k = 'generation'").fetchone()[0]


def bump_generation(conn) -> None:
    """Mark the data as changed (read caches compare this number)."""
    conn.execute("INSERT INTO meta (k, v) VALUES ('generation', 1) "
                 "ON CONFLICT (k) DO UPDATE SET v = v + 1")
