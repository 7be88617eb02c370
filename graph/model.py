"""What flows between loaders and stores: a validated :class:`ImportBatch` in,
a :class:`LoadReport` out.

An ImportBatch holds one pandas DataFrame per import table (see graph.schema.TABLES),
already validated and normalised:

- columns are exactly the table's ``column_names`` (absent optional tables: empty frames);
- every ``ref:`` column holds the referenced row's *id* (names resolved);
- enums hold the canonical value (``upstream``, ``city``, ``大型``, ``链主`` …);
- bools are Python bools; ints/floats are numbers; missing values are ``None``;
- ``list`` columns (aliases, tags) hold Python lists of str;
- ``as_of`` is text ``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY``; ``illustrative`` a bool.

>>> b = ImportBatch.empty(source="demo.xlsx")
>>> b.rows()
0
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from graph import schema


@dataclass
class ImportBatch:
    tables: dict[str, pd.DataFrame]
    source: str = ""                      # file or folder it came from (for messages)
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def empty(cls, source: str = "") -> "ImportBatch":
        return cls({name: pd.DataFrame(columns=t.column_names) for name, t in schema.TABLES.items()},
                   source=source)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    def rows(self) -> int:
        return sum(len(df) for df in self.tables.values())


@dataclass
class TableChange:
    table: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    # up to a few examples: {"key": "...", "fields": {"col": [old, new], ...}}
    examples: list[dict] = field(default_factory=list)


@dataclass
class LoadReport:
    """What a load added and changed, per table (also what a dry run *would* do)."""

    changes: dict[str, TableChange]
    written: bool                   # False for a preview (plan) or a validate-only run
    seconds: float = 0.0

    @property
    def added(self) -> int:
        return sum(c.added for c in self.changes.values())

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.changes.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.changes.values())

    def frame(self) -> pd.DataFrame:
        """One row per table: 表, added, changed, unchanged (in load order)."""
        rows = [{"table": t, "label": schema.TABLES[t].label, "added": c.added, "changed": c.changed,
                 "unchanged": c.unchanged} for t, c in self.changes.items()]
        return pd.DataFrame(rows, columns=["table", "label", "added", "changed", "unchanged"])


def table_frame(table: str, data: pd.DataFrame | None = None, *, source: str = "", as_of: str = "",
                illustrative: bool = False) -> pd.DataFrame:
    """``data`` shaped as the import table ``table`` of an ImportBatch: exactly its columns (in
    order), object dtype, missing values ``None``, list columns as lists, provenance filled in
    where ``data`` lacks it."""
    t = schema.TABLES[table]
    data = pd.DataFrame() if data is None else data.reset_index(drop=True)
    n = len(data)
    defaults = {"source": source, "as_of": as_of, "illustrative": illustrative}
    out = {}
    for col in t.columns:
        if col.name in data.columns and col.kind == "list":
            values = pd.Series([v if isinstance(v, list) else [] for v in data[col.name].tolist()], dtype=object)
        elif col.name in data.columns:
            obj = data[col.name].astype(object)
            values = obj.where(obj.notna(), None)
        elif col.kind == "list":
            values = pd.Series([[] for _ in range(n)], dtype=object)
        else:
            values = pd.Series([defaults.get(col.name)] * n, dtype=object)
        out[col.name] = values
    return pd.DataFrame(out, columns=t.column_names)
