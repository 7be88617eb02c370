"""招商项目 (recruitment projects, #16) in the embedded store: two tables of their own in the same
SQLite database, ``projects`` and ``project_history``, written in their own transactions under the
store's write lock. No import table references them and ``apply``/``clear`` never touch them, so a
reload of the chain data keeps every project.

>>> import tempfile
>>> from graph.store.embedded.store import EmbeddedStore
>>> with EmbeddedStore(tempfile.mkdtemp()) as s:
...     s.save_projects([{"project_id": "PJ-1", "name": "电池项目", "stage": "线索", "products": ["P-BATT"]}])
...     s.projects()[["project_id", "stage", "products"]].values.tolist()
[['PJ-1', '线索', ['P-BATT']]]
"""
from __future__ import annotations

import json
import sqlite3
from typing import Iterable

import pandas as pd

from graph.errors import ChainAtlasError
from graph.store.contract import HISTORY_COLUMNS, PROJECT_COLUMNS, PROJECT_LIST_COLUMNS
from graph.store.embedded.codec import cols_sql, frame
from graph.store.embedded.lock import WriteLock

KINDS = {**{c: "list" for c in PROJECT_LIST_COLUMNS}, "investment": "float", "illustrative": "bool"}
DDL = (
    "CREATE TABLE IF NOT EXISTS projects (project_id TEXT PRIMARY KEY, "
    + ", ".join(f'"{c}" {"REAL" if c == "investment" else "INTEGER" if c == "illustrative" else "TEXT"}'
                for c in PROJECT_COLUMNS[1:]) + ")",
    "CREATE TABLE IF NOT EXISTS project_history (project_id TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT, "
    '"by" TEXT, from_stage TEXT, to_stage TEXT, note TEXT, PRIMARY KEY (project_id, seq)) WITHOUT ROWID',
)


def _value(col: str, v):
    if col in PROJECT_LIST_COLUMNS:
        return json.dumps([str(x) for x in (v or [])], ensure_ascii=False)
    if v is None or (isinstance(v, float) and v != v):
        return None
    if col == "investment":
        return float(v)
    if col == "illustrative":
        return 1 if v else 0
    return str(v)


class ProjectsMixin:
    """The project half of :class:`graph.store.embedded.store.EmbeddedStore` (needs ``dir``,
    ``_connect`` and ``_read``)."""

    def _init_projects(self) -> None:
        conn = self._connect()
        try:
            have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"projects", "project_history"} <= have:
                with WriteLock(self.dir):
                    for stmt in DDL:
                        conn.execute(stmt)
        finally:
            conn.close()

    def save_projects(self, projects: list[dict], events: list[dict] = ()) -> None:
        p_sql = (f"INSERT OR REPLACE INTO projects ({cols_sql(PROJECT_COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(PROJECT_COLUMNS))})")
        e_sql = f"INSERT INTO project_history ({cols_sql(HISTORY_COLUMNS)}) VALUES ({', '.join('?' * 7)})"
        p_rows = [tuple(_value(c, p.get(c)) for c in PROJECT_COLUMNS) for p in projects]
        e_rows = [tuple(int(e[c]) if c == "seq" else _value(c, e.get(c)) for c in HISTORY_COLUMNS) for e in events]
        with WriteLock(self.dir):
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany(p_sql, p_rows)
                    conn.executemany(e_sql, e_rows)
                    conn.execute("COMMIT")
                except sqlite3.IntegrityError as err:
                    conn.execute("ROLLBACK")
                    raise ChainAtlasError("项目刚被其他人修改过，未保存 / the project was changed meanwhile; "
                                          f"nothing was written ({err})", "刷新后重试。Reload and try again.") from err
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            finally:
                conn.close()

    def projects(self) -> pd.DataFrame:
        with self._read() as c:
            rows = c.execute(f"SELECT {cols_sql(PROJECT_COLUMNS)} FROM projects ORDER BY project_id").fetchall()
        return frame(rows, PROJECT_COLUMNS, KINDS)

    def project_history(self, project_ids: Iterable[str] | None = None) -> pd.DataFrame:
        sql = f"SELECT {cols_sql(HISTORY_COLUMNS)} FROM project_history"
        args: tuple = ()
        if project_ids is not None:
            sql += " WHERE project_id IN (SELECT value FROM json_each(?))"
            args = (json.dumps([str(i) for i in project_ids], ensure_ascii=False),)
        with self._read() as c:
            rows = c.execute(sql + " ORDER BY project_id, seq", args).fetchall()
        df = frame(rows, HISTORY_COLUMNS)
        df["seq"] = df["seq"].astype("int64")
        return df

    def clear_projects(self) -> None:
        with WriteLock(self.dir):
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("DELETE FROM project_history")
                conn.execute("DELETE FROM projects")
                conn.execute("COMMIT")
            finally:
                conn.close()
