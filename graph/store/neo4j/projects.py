"""招商项目 (recruitment projects, #16) in the Neo4j store: ``(:Project)`` nodes and their
``(:ProjectEvent)`` stage changes (storage model and every statement in
:mod:`graph.store.neo4j.cypher`). A save is one managed write transaction, all or nothing.

>>> _props({"project_id": "PJ-1", "products": [], "investment": 5, "name": None})["investment"]
5.0
"""
from __future__ import annotations

import math
from typing import Iterable

import pandas as pd
from neo4j import exceptions as nx

from graph.errors import ChainAtlasError
from graph.store.contract import HISTORY_COLUMNS, PROJECT_COLUMNS, PROJECT_LIST_COLUMNS
from graph.store.neo4j import cypher as q
from graph.store.neo4j import rows

CLEAR_BATCH = 10_000


def _props(record: dict, columns: list[str] = PROJECT_COLUMNS, key: str = "project_id") -> dict:
    """Non-missing values as Neo4j properties (empty lists are not stored); the key as ``id``."""
    out = {}
    for c in columns:
        v = record.get(c)
        if c in PROJECT_LIST_COLUMNS:
            v = [str(x) for x in (v or [])] or None
        elif v is None or (isinstance(v, float) and math.isnan(v)):
            v = None
        elif c == "investment":
            v = float(v)
        elif c == "illustrative":
            v = bool(v)
        elif c == "seq":
            v = int(v)
        else:
            v = str(v)
        if v is not None:
            out[c] = v
    return out


class ProjectsMixin:
    """The project half of :class:`graph.store.neo4j.store.Neo4jStore` (needs ``_session``,
    ``_rows``, ``_run``)."""

    def save_projects(self, projects: list[dict], events: list[dict] = ()) -> None:
        p_rows = [{"id": str(p["project_id"]), "props": {**_props(p), "id": str(p["project_id"])}} for p in projects]
        e_rows = [{"project_id": str(e["project_id"]),
                   "props": {**_props(e, HISTORY_COLUMNS), "id": f"{e['project_id']}#{int(e['seq'])}"}}
                  for e in events]

        def work(tx):
            if p_rows:
                tx.run(q.SAVE_PROJECTS, rows=p_rows).consume()
            if e_rows:
                created = tx.run(q.ADD_PROJECT_EVENTS, rows=e_rows).single()["created"]
                if created != len(e_rows):
                    raise ChainAtlasError(f"{len(e_rows) - created} 条阶段记录找不到所属项目，未保存 / "
                                          "stage changes of unknown projects; nothing was written")
        try:
            with self._session() as session:
                session.execute_write(work)
        except nx.ConstraintError as err:
            raise ChainAtlasError("项目刚被其他人修改过，未保存 / the project was changed meanwhile; nothing was "
                                  f"written ({err.message})", "刷新后重试。Reload and try again.") from err
        except ChainAtlasError:
            raise
        except (nx.Neo4jError, nx.DriverError) as err:
            raise ChainAtlasError(f"Saving projects to Neo4j at {self.location} failed, nothing was written: {err}",
                                  "Check the server and try again.") from err

    def projects(self) -> pd.DataFrame:
        records = []
        for r in self._rows(q.ALL_PROJECTS):
            p = {c: r["props"].get(c) for c in PROJECT_COLUMNS}   # absent property = None
            p["project_id"] = r["id"]
            for c in PROJECT_LIST_COLUMNS:
                p[c] = list(p[c] or [])
            records.append(p)
        return rows.frame(records, PROJECT_COLUMNS, floats=["investment"])

    def project_history(self, project_ids: Iterable[str] | None = None) -> pd.DataFrame:
        ids = None if project_ids is None else [str(i) for i in project_ids]
        found = self._rows(q.PROJECT_EVENTS, all_projects=ids is None, ids=ids or [])
        return rows.frame([{c: r["props"].get(c) for c in HISTORY_COLUMNS} for r in found], HISTORY_COLUMNS,
                          ints=["seq"])

    def clear_projects(self) -> None:
        while self._run(lambda tx: tx.run(q.CLEAR_PROJECTS, batch=CLEAR_BATCH).single()["deleted"], write=True):
            pass
