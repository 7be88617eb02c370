"""The Neo4j load journal's bookkeeping, as pure functions (no driver: tested without a server).

A load into Neo4j commits in batches of ``CHAINATLAS_BATCH_SIZE`` rows, so server memory stays
bounded whatever the size of the data, and still changes all or nothing:

1. an ``:AtlasLoad`` marker is created in its own transaction: it names the load (id, started,
   pid, host, source) and is the write lock — its ``lock`` property is uniquely constrained, so a
   second load fails to create one and is refused;
2. every write batch is one transaction that also creates an ``:AtlasJournal`` node recording
   the keys the batch created and the pre-image (old values) of every property it changed, as
   JSON — so the journal always matches what is committed, even if the process dies mid-batch;
3. on success the marker is set to ``committed``, the journal deleted in batches, then the
   marker; on failure (exception, Ctrl-C, server gone) the entries are undone newest first —
   created rows deleted, old values restored, derived links re-pointed — each undo in the same
   transaction as the deletion of its entry, so a rollback that is interrupted resumes where it
   stopped. A marker left by a killed process is found at the next connect: ``chainatlas
   recover`` runs the same rollback (or finishes the commit of a ``committed`` load).

>>> created, update, before = split("products", {"P1": {"name": "新"}, "P2": {"name": "乙"}},
...                                 {"P2": {"id": "P2", "name": "甲"}})
>>> created, update, before
([{'id': 'P1', 'props': {'name': '新'}}], [{'id': 'P2', 'props': {'name': '乙'}}], [{'key': 'P2', 'props': {'name': '甲'}}])
>>> [s[0][:25] for s in undo_steps("products", ["P1"], before)]
['UNWIND $rows AS row MATCH', 'UNWIND $ids AS k MATCH (n']
"""
from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass

from graph import schema
from graph.store.neo4j import cypher as q
from graph.store.neo4j import rows

LOCK = "write"              # the one value of AtlasLoad.lock: at most one load at a time
STALE_AFTER = 900           # s without a heartbeat after which another host's load counts as dead
RUNNING, COMMITTED, ROLLING_BACK = "running", "committed", "rolling back"


@dataclass(frozen=True)
class Marker:
    """An ``:AtlasLoad`` node as read back."""

    id: str
    started: float
    beat: float
    status: str
    pid: int
    host: str
    source: str
    batches: int = 0

    @classmethod
    def from_props(cls, props: dict) -> "Marker":
        return cls(id=str(props.get("id")), started=float(props.get("started") or 0),
                   beat=float(props.get("beat") or props.get("started") or 0),
                   status=str(props.get("status") or RUNNING), pid=int(props.get("pid") or 0),
                   host=str(props.get("host") or ""), source=str(props.get("source") or ""),
                   batches=int(props.get("batches") or 0))

    def describe(self) -> str:
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        return (f"load {self.id} of {self.source or '(unnamed)'} started {started} by pid {self.pid} on "
                f"{self.host} ({self.status}, {self.batches} batch(es) committed)")

    def as_dict(self) -> dict:
        return {"id": self.id, "started": self.started, "beat": self.beat, "status": self.status,
                "pid": self.pid, "host": self.host, "source": self.source, "batches": self.batches}


def new_marker(source: str, now: float | None = None) -> dict:
    """Parameters of LOAD_BEGIN for a load starting now in this process."""
    return {"lock": LOCK, "id": uuid.uuid4().hex[:12], "started": time.time() if now is None else now,
            "status": RUNNING, "pid": os.getpid(), "host": socket.gethostname(), "source": str(source),
            "batches": 0}


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(marker: Marker, now: float, host: str, alive=pid_alive) -> bool:
    """True when the process that owns the marker is gone: on this host its pid no longer runs;
    elsewhere its heartbeat is older than STALE_AFTER.

    >>> m = Marker("x", 0.0, 100.0, RUNNING, 4242, "h1", "a.xlsx")
    >>> is_stale(m, 200.0, "h1", alive=lambda pid: False), is_stale(m, 200.0, "h2", alive=lambda pid: False)
    (True, False)
    """
    if marker.host == host:
        return not alive(marker.pid)
    return now - marker.beat > STALE_AFTER


def split(table: str, new: dict, old: dict) -> tuple[list[dict], list[dict], list[dict]]:
    """The rows of one table as the batched write needs them: (created rows, update rows with only
    the changed columns, pre-images ``{"key", "props"}`` of those columns). Unchanged rows vanish."""
    created, update, before = [], [], []
    for key, props in new.items():
        if key not in old:
            created.append(_row(key, props))
            continue
        changed = {c: v for c, v in props.items() if rows.to_value(rows.KIND[table, c], old[key].get(c)) != v}
        if changed:
            update.append(_row(key, changed))
            before.append({"key": key if isinstance(key, str) else list(key),
                           "props": {c: old[key].get(c) for c in changed}})
    return created, update, before


def _row(key, props: dict) -> dict:
    if isinstance(key, tuple):
        return {"src": key[0], "dst": key[1], "props": props}
    return {"id": key, "props": props}


def row_key(row: dict):
    return row["id"] if "id" in row else [row["src"], row["dst"]]


def entry_params(load_id: str, seq: int, table: str, created: list[dict], before: list[dict]) -> dict:
    """Parameters of JOURNAL_WRITE for one write batch."""
    return {"load_id": load_id, "seq": seq, "import_table": table,
            "created": json.dumps([row_key(r) for r in created], ensure_ascii=False),
            "before": json.dumps(before, ensure_ascii=False)}


def undo_steps(table: str, created: list, before: list[dict]) -> list[tuple[str, dict]]:
    """The statements (with parameters) that undo one journal entry, in order: restore the old
    values, point the derived relationships whose column is restored back at the old target,
    delete what was created."""
    steps: list[tuple[str, dict]] = []
    if table in schema.LABEL_OF_TABLE:
        label = schema.LABEL_OF_TABLE[table]
        if before:
            restored = [{"id": b["key"], "props": b["props"]} for b in before]
            steps.append((q.UPDATE_NODES[label], {"rows": restored}))
            for (t, col), links in derived_rows(table, restored).items():   # moved links go back
                linked = [r for r in links if r["target"] is not None]
                if links:
                    steps.append((q.UNLINK_DERIVED[t, col], {"rows": links}))
                if linked:
                    steps.append((q.LINK_DERIVED[t, col], {"rows": linked}))
        if created:
            steps.append((q.DELETE_NODES[label], {"ids": list(created)}))
    else:
        if created:
            steps.append((q.DELETE_RELS[table], {"rows": [{"src": k[0], "dst": k[1]} for k in created]}))
        if before:
            steps.append((q.UPDATE_RELS[table], {"rows": [{"src": b["key"][0], "dst": b["key"][1],
                                                           "props": b["props"]} for b in before]}))
    return steps


def parse_entry(record: dict) -> tuple[str, list, list[dict]]:
    """(table, created keys, pre-images) of a JOURNAL_READ record."""
    return record["import_table"], json.loads(record["created"] or "[]"), json.loads(record["before"] or "[]")


def derived_rows(table: str, rows_written: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """``{(table, column): [{"id", "target"}]}`` of the derived links to re-point after writing
    ``rows_written`` (created rows: every derived column; updated rows: the changed ones)."""
    out: dict[tuple[str, str], list[dict]] = {}
    for t, col, _rel, _dst in q.DERIVED:
        if t == table:
            out[t, col] = [{"id": r["id"], "target": r["props"][col]} for r in rows_written if col in r["props"]]
    return out
