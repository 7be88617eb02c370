"""Loads into Neo4j: checked in read transactions, written in journaled batches, all or nothing.

The protocol (marker = lock, one journal entry per write batch, rollback newest first) is
described in :mod:`graph.store.neo4j.journal`, which holds its pure bookkeeping. This module runs
it on a :class:`~graph.store.neo4j.store.Neo4jStore`:

- :func:`apply`: marker → diff against the stored rows (read transactions, by chunk) → nodes,
  derived links, relationships in batches (CREATE for keys that do not exist yet, SET for the
  changed columns of those that do, unchanged rows skipped) → commit (journal cleared) — or, on
  any failure including Ctrl-C, :func:`rollback`;
- :func:`pending` / :func:`recover`: markers left by killed loads, and their rollback.
"""
from __future__ import annotations

import socket
import time

from neo4j import exceptions as nx

from graph import schema
from graph.errors import ChainAtlasError, StoreLocked, UnfinishedLoad, ValidationFailed
from graph.model import LoadReport
from graph.store.neo4j import cypher as q
from graph.store.neo4j import journal, rows, summary

CLEAR_BATCH = 200        # journal nodes (each up to a batch of keys as JSON) deleted per transaction
MEMORY_ERROR = "MemoryPoolOutOfMemoryError"


# --- errors ----------------------------------------------------------------------------------
def memory_hint(batch_size: int) -> str:
    return (f"The server ran out of transaction memory for one write batch of {batch_size:,} rows. "
            f"Set a smaller CHAINATLAS_BATCH_SIZE (e.g. {max(100, batch_size // 4):,}), or give the server "
            f"more heap (server.memory.heap.max_size; NEO4J_server_memory_heap_max__size in "
            f"docker-compose.yml) or raise dbms.memory.transaction.total.max, then load again.")


def server_error(store, err: BaseException, what: str) -> ChainAtlasError:
    """A ChainAtlasError for a driver/server error during ``what`` (a specific hint for memory)."""
    code = getattr(err, "code", "") or ""
    if MEMORY_ERROR in code or MEMORY_ERROR in str(err):
        return ChainAtlasError(f"{what} at {store.location} failed: the server's transaction memory limit "
                               f"was reached ({code or err})", memory_hint(store._batch))
    return ChainAtlasError(f"{what} at {store.location} failed: {err}")


# --- the marker --------------------------------------------------------------------------------
def pending(store) -> list[journal.Marker]:
    """Every load marker in the database (running, or left behind by a killed load)."""
    return [journal.Marker.from_props(r["props"]) for r in store._rows(q.LOAD_FIND)]


def refusal(markers: list[journal.Marker]) -> ChainAtlasError:
    """Why a new load cannot start: a live load holds the lock, or a dead one needs recovering."""
    now, host = time.time(), socket.gethostname()
    for m in markers:
        if journal.is_stale(m, now, host):
            return UnfinishedLoad(f"数据库中有一次未完成的载入 / an unfinished load was found: {m.describe()}; "
                                  f"nothing new can be loaded until it is rolled back")
    who = markers[0].describe() if markers else "another load"
    return StoreLocked(f"数据库正在被另一次载入写入 / another load is running: {who}",
                       "Wait for it to finish and load again (reading keeps working meanwhile). If that "
                       "process is gone, `chainatlas recover --force` rolls its load back.")


def begin(store, source: str) -> journal.Marker:
    """Create this load's marker in its own transaction; refuse when another one exists."""
    params = journal.new_marker(source)
    try:
        with store._session() as session:
            session.execute_write(lambda tx: tx.run(q.LOAD_BEGIN, params).consume())
    except nx.ConstraintError:
        raise refusal(pending(store)) from None
    except (nx.Neo4jError, nx.DriverError) as err:
        raise server_error(store, err, "Starting a load") from err
    others = [m for m in pending(store) if m.id != params["id"]]
    if others:  # no constraint (a user without schema rights): never two loads at once
        store._run(lambda tx: tx.run(q.LOAD_END, id=params["id"]).consume(), write=True)
        raise refusal(others)
    return journal.Marker.from_props(params)


def check_writable(store) -> None:
    markers = pending(store)
    if markers:
        raise refusal(markers)


# --- diff --------------------------------------------------------------------------------------
def check(store, tables: dict[str, dict], source: str) -> tuple[dict, dict]:
    """(changes per table, stored rows per table) — read transactions by chunk; ValidationFailed
    for references to ids that exist neither in the batch nor in the database."""
    changes, olds = {}, {}
    for table in schema.LOAD_ORDER:
        new, old = tables.get(table, {}), {}
        for _, chunk in rows.chunks(list(new), store._batch):
            if table in schema.LABEL_OF_TABLE:
                found = store._rows(q.FETCH_NODES[schema.LABEL_OF_TABLE[table]], ids=chunk)
                old.update({r["id"]: r["props"] for r in found})
            else:
                found = store._rows(q.FETCH_RELS[table], pairs=[{"src": a, "dst": b} for a, b in chunk])
                old.update({(r["src"], r["dst"]): r["props"] for r in found})
        changes[table], olds[table] = rows.diff(table, new, old), old
    missing = {}
    for (table, col), wanted in rows.references(tables).items():
        label = schema.LABEL_OF_TABLE[schema.TABLES[table].column(col).kind.split(":", 1)[1]]
        for _, chunk in rows.chunks(sorted(wanted), store._batch):
            gone = [r["id"] for r in store._rows(q.MISSING_IDS[label], ids=chunk)]
            if gone:
                missing.setdefault((table, col), []).extend(gone)
    if missing:
        raise ValidationFailed(rows.ref_problems(missing, source), source)
    return changes, olds


# --- writing -----------------------------------------------------------------------------------
class _Writer:
    """Runs the write batches of one load in one session, each batch its own transaction."""

    def __init__(self, store, session, marker: journal.Marker, progress):
        self.store, self.session, self.marker, self.progress = store, session, marker, progress
        self.seq, self.deltas = 0, []   # deltas: the provenance summary's counts of this load

    def batch(self, statements: list[tuple[str, dict, int | None]], table: str = "",
              created: list[dict] = (), before: list[dict] = ()) -> None:
        """One transaction: the statements (a count to expect, or None), the journal entry of what
        they create/change, the marker's heartbeat."""
        self.seq += 1
        with self.session.begin_transaction() as tx:
            for statement, params, expect in statements:
                result = tx.run(statement, params)
                if expect is None:
                    result.consume()
                    continue
                got = list(result.single().values())[0]
                if got != expect:  # a referenced node vanished since the check: never commit that
                    raise ChainAtlasError(f"{expect - got} relationship(s) of {table} could not be linked")
            if created or before:
                tx.run(q.JOURNAL_WRITE, journal.entry_params(self.marker.id, self.seq, table, list(created),
                                                             list(before))).consume()
            tx.run(q.LOAD_MARK, id=self.marker.id, status=journal.RUNNING, beat=time.time(),
                   batches=self.seq).consume()
            tx.commit()

    def table(self, table: str, new: dict, old: dict) -> tuple[list[dict], list[dict]]:
        """Write one table; returns the (created, updated) rows (for the derived links)."""
        created, update, before = journal.split(table, new, old)
        self.deltas += summary.delta(table, created, update, old)
        total, done, size = len(created) + len(update), 0, self.store._batch
        self.progress(table, 0, total)
        is_node = table in schema.LABEL_OF_TABLE
        make = q.CREATE_NODES[schema.LABEL_OF_TABLE[table]] if is_node else q.CREATE_RELS[table]
        change = q.UPDATE_NODES[schema.LABEL_OF_TABLE[table]] if is_node else q.UPDATE_RELS[table]
        for i, chunk in rows.chunks(created, size):
            self.batch([(make, {"rows": chunk}, None if is_node else len(chunk))], table, created=chunk)
            done += len(chunk)
            self.progress(table, done, total)
        for i, chunk in rows.chunks(update, size):
            self.batch([(change, {"rows": chunk}, None if is_node else len(chunk))], table,
                       before=before[i:i + size])
            done += len(chunk)
            self.progress(table, done, total)
        return created, update

    def derived(self, table: str, created: list[dict], updated: list[dict]) -> None:
        """Point LOCATED_IN, IN_PARK, PARK_IN, … of the written nodes at their targets: created nodes
        are only linked, updated ones first lose the stale link. No journal entry is needed: the
        rollback deletes created nodes and re-syncs restored ones from their old values."""
        for fresh, written in ((True, created), (False, updated)):
            for (t, col), links in journal.derived_rows(table, written).items():
                if fresh:
                    links = [r for r in links if r["target"] is not None]
                for _, chunk in rows.chunks(links, self.store._batch):
                    linked = [r for r in chunk if r["target"] is not None]
                    self.batch(([] if fresh else [(q.UNLINK_DERIVED[t, col], {"rows": chunk}, None)])
                               + ([(q.LINK_DERIVED[t, col], {"rows": linked}, len(linked))] if linked else []), t)


def apply(store, batch, progress) -> LoadReport:
    """The contract's apply on Neo4j (see the module doc)."""
    start = time.monotonic()
    tables = {t: rows.batch_rows(t, batch.tables.get(t)) for t in schema.LOAD_ORDER}
    marker = begin(store, batch.source)
    try:
        trusted = summary.unflag(store)   # a crash from here on leaves the summary untrusted
        changes, olds = check(store, tables, batch.source)
        with store._session() as session:
            writer = _Writer(store, session, marker, progress)
            written = {t: writer.table(t, tables[t], olds[t]) for t in schema.NODE_TABLES}
            for table in schema.NODE_TABLES:
                writer.derived(table, *written[table])
            for table in schema.REL_TABLES:
                writer.table(table, tables[table], olds[table])
        progress("commit", 0, 1)
        mark_committed(store, marker.id)
    except BaseException as err:  # noqa: BLE001 — Ctrl-C too: undo what was committed, then re-raise
        _undo_after(store, marker, err)
        raise
    try:  # from here on the load stands: a failure only leaves bookkeeping for `recover` to clear
        if trusted:
            summary.add(store, writer.deltas)
        clear_journal(store, marker.id)
    except Exception as err:
        raise ChainAtlasError(f"The load into {store.location} was written, but clearing its journal failed "
                              f"({_reason(store, err)})",
                              "Run `chainatlas recover` to finish the clean-up (it keeps the load); until then "
                              "new loads are refused.") from err
    progress("commit", 1, 1)
    return LoadReport(changes, written=True, seconds=time.monotonic() - start)


def _undo_after(store, marker: journal.Marker, err: BaseException) -> None:
    """Roll back after a failed load and turn the failure into a ChainAtlasError (raised from here)
    — except KeyboardInterrupt/SystemExit, which go on once the rollback is done."""
    try:
        rollback(store, marker.id)
    except BaseException as undo_err:  # noqa: BLE001 — the server is gone, or a second Ctrl-C
        raise ChainAtlasError(
            f"Load into Neo4j at {store.location} failed ({_reason(store, err)}) and its rollback could not "
            f"finish ({type(undo_err).__name__}: {undo_err}); {marker.describe()}",
            "Run `chainatlas recover` once the server is reachable: it restores what the load changed and "
            "deletes what it added. Until then, new loads are refused.") from err
    if isinstance(err, (KeyboardInterrupt, SystemExit)):
        return
    if isinstance(err, ValidationFailed):
        return
    if isinstance(err, ChainAtlasError):
        raise ChainAtlasError(f"{err}; the load was rolled back, nothing was written",
                              err.hint or "Fix the cause and load again.") from err
    if isinstance(err, (nx.Neo4jError, nx.DriverError)) and MEMORY_ERROR in (getattr(err, "code", "") or str(err)):
        raise ChainAtlasError(f"Load into Neo4j at {store.location} was rolled back, nothing was written: "
                              f"{_reason(store, err)}", memory_hint(store._batch)) from err
    raise ChainAtlasError(f"Load into Neo4j at {store.location} failed, nothing was written (rolled back): "
                          f"{_reason(store, err)}", "Fix the cause and load again.") from err


def _reason(store, err: BaseException) -> str:
    if isinstance(err, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    return f"{type(err).__name__}: {err}" if not isinstance(err, ChainAtlasError) else str(err)


def finish(store, load_id: str) -> None:
    """Commit a load whose batches are all written (see :func:`mark_committed`, :func:`clear_journal`)."""
    mark_committed(store, load_id)
    clear_journal(store, load_id)


def mark_committed(store, load_id: str) -> None:
    """From now on a recovery completes this load instead of undoing it."""
    store._run(lambda tx: tx.run(q.LOAD_MARK, id=load_id, status=journal.COMMITTED, beat=time.time(),
                                 batches=None).consume(), write=True)


def clear_journal(store, load_id: str) -> None:
    """Delete a committed load's journal in batches, then its marker (the lock)."""
    while store._run(lambda tx: tx.run(q.JOURNAL_CLEAR, load_id=load_id, batch=CLEAR_BATCH).single()["deleted"],
                     write=True):
        pass
    store._run(lambda tx: tx.run(q.LOAD_END, id=load_id).consume(), write=True)


# --- rollback and recovery ---------------------------------------------------------------------
def rollback(store, load_id: str, progress=None) -> int:
    """Undo a load's journal newest first, each entry in one transaction with its deletion (so an
    interrupted rollback resumes); then delete the marker. Returns the entries undone."""
    progress = progress or (lambda *a: None)
    store._run(lambda tx: tx.run(q.LOAD_MARK, id=load_id, status=journal.ROLLING_BACK, beat=time.time(),
                                 batches=None).consume(), write=True)
    seqs = [r["seq"] for r in store._rows(q.JOURNAL_SEQS, load_id=load_id)]

    def undo(tx, seq):
        found = tx.run(q.JOURNAL_READ, load_id=load_id, seq=seq).data()
        for record in found:
            for statement, params in journal.undo_steps(*journal.parse_entry(record)):
                tx.run(statement, params).consume()
        tx.run(q.JOURNAL_DROP, load_id=load_id, seq=seq).consume()

    for i, seq in enumerate(seqs):
        progress("rollback", i, len(seqs))
        store._run(lambda tx: undo(tx, seq), write=True)
    progress("rollback", len(seqs), len(seqs))
    store._run(lambda tx: tx.run(q.LOAD_END, id=load_id).consume(), write=True)
    return len(seqs)


def recover(store, force: bool = False, progress=None) -> list[dict]:
    """Roll back every load left behind by a killed process (or finish one that was committing).
    A load whose process still runs is refused unless ``force``. Returns what was done."""
    done = []
    now, host = time.time(), socket.gethostname()
    for m in pending(store):
        if not force and not journal.is_stale(m, now, host):
            raise StoreLocked(f"载入仍在进行 / a load is still running: {m.describe()}",
                              "Wait for it to finish. If its process is gone (e.g. on another machine), "
                              "run `chainatlas recover --force`.")
        if m.status == journal.COMMITTED:
            finish(store, m.id)
            done.append({**m.as_dict(), "action": "commit completed", "entries": 0})
        else:
            done.append({**m.as_dict(), "action": "rolled back", "entries": rollback(store, m.id, progress)})
    loads = {r["load_id"] for r in store._rows(q.JOURNAL_LOADS)} - {m.id for m in pending(store)}
    for load_id in loads:  # entries without a marker: nothing to undo them against
        clear_journal(store, load_id)
    return done
