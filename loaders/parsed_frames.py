"""The tables of a validated :class:`graph.model.ImportBatch`, kept column-wise.

:func:`loaders.validate.validate` parses every column through its distinct texts; a table's
DataFrame (one Python object per cell) is built from those only when someone asks for it, and
then kept. A store that can take the columns as they are (the embedded store's writer) calls
:meth:`ParsedFrames.columnar` instead, so a national load never holds a DataFrame of millions
of rows per table.

>>> import numpy as np, pyarrow as pa
>>> from loaders.refs import ParsedColumn, ParsedTable
>>> cols = {c: ParsedColumn("str", np.zeros(2, np.int32), pa.array([""]), np.array([None], object))
...         for c in schema.TABLES["chains"].column_names}
>>> cols["chain_id"] = ParsedColumn("str", np.array([0, 1], np.int32), pa.array(["C1", "C2"]),
...                                 np.array(["C1", "C2"], object))
>>> frames = ParsedFrames({"chains": ParsedTable(None, np.array([2, 3]), cols)})
>>> frames.columnar("chains")["chain_id"][1].tolist(), len(frames["products"])
(['C1', 'C2'], 0)
>>> frames["chains"]["chain_id"].tolist()
['C1', 'C2']
"""
from __future__ import annotations

from collections.abc import MutableMapping

import pandas as pd

from graph import schema


class ParsedFrames(MutableMapping):
    """``batch.tables`` of a validated batch: every import table by name, its DataFrame built on
    first access from the parsed columns. A table set or replaced by hand is a plain DataFrame."""

    def __init__(self, parsed: dict):
        self._parsed = dict(parsed)          # table -> loaders.refs.ParsedTable
        self._frames: dict[str, pd.DataFrame] = {}
        self._names = list(schema.TABLES)    # every import table (absent ones as empty frames)

    drop_written = False    # set by a caller that will not look at the tables after the store wrote them

    def written(self, name: str) -> None:
        """The store has written table ``name``: with :attr:`drop_written`, let it go (memory of a
        national load: the tables written first are not held while the last ones are written)."""
        if self.drop_written and name in self._names:
            del self[name]

    def columnar(self, name: str) -> dict | None:
        """Column -> ``(codes, values)`` (per row the index into ``values``, the parsed values of
        the column's distinct cells) of table ``name``; None when it is not held column-wise."""
        pt = self._parsed.get(name)
        if name in self._frames or pt is None:
            return None
        return {c: (pt.columns[c].codes, pt.columns[c].values) for c in schema.TABLES[name].column_names}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            if name not in self._names:
                raise KeyError(name)
            table, pt = schema.TABLES[name], self._parsed.get(name)
            if pt is None:
                df = pd.DataFrame([], columns=table.column_names, dtype=object)
            else:
                df = pd.DataFrame({c: pd.Series(pt.columns[c].row_values(), dtype=object, copy=False)
                                   for c in table.column_names}, columns=table.column_names, copy=False)
            self._frames[name] = df
        return self._frames[name]

    def __setitem__(self, name: str, df: pd.DataFrame) -> None:
        self._frames[name] = df
        self._parsed.pop(name, None)
        if name not in self._names:
            self._names.append(name)

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._frames.pop(name, None)
        self._parsed.pop(name, None)

    def __iter__(self):
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)
