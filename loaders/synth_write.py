"""Writing synthetic tables as an import folder: one ``<table>.csv`` per table (UTF-8, schema
columns in order, 是/否 for yes/no, lists joined by ``;``), from raw tables (:func:`loaders.synth.synthesize`)
or from an ImportBatch (:func:`write_folder`)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from graph import schema
from graph.export.safe import write_csv
from graph.model import ImportBatch
from loaders.synth_arrays import LIST_JOIN

YES, NO = "是", "否"
PROVENANCE = ("source", "as_of", "illustrative")


def _constant(value: str, n: int, index) -> pd.Series:
    """A column holding one text ``n`` times, as a categorical (no n-sized object array)."""
    return pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [value]), index=index)


_MILLI_TEXT = [repr(k / 1000) for k in range(1001)]


def _csv_frame(df: pd.DataFrame, table: schema.Table, provenance: tuple[str, str, bool] | None) -> pd.DataFrame:
    """``df`` (raw or ImportBatch form) as text-ready columns in schema order. Repeated texts
    (provenance, 是/否, shares in thousandths) become categoricals: same CSV, much faster."""
    cols = {}
    n = len(df)
    for col in table.columns:
        if provenance is not None and col.name in PROVENANCE:
            value = dict(zip(PROVENANCE, provenance))[col.name]
            value = (YES if value else NO) if col.name == "illustrative" else value
            cols[col.name] = _constant(value, n, df.index)
            continue
        s = df[col.name]
        if col.kind == "share" and s.dtype.kind == "f" and n:
            v = s.to_numpy()
            milli = np.rint(np.nan_to_num(v, nan=-1.0) * 1000)
            if (np.array_equal(milli / 1000, np.nan_to_num(v, nan=-0.001))     # all thousandths (or missing)
                    and milli.min() >= -1 and milli.max() <= 1000):
                s = pd.Series(pd.Categorical.from_codes(milli.astype(np.int16), _MILLI_TEXT), index=df.index)
        elif col.kind == "bool":
            v = s.to_numpy()
            if v.dtype != bool:
                v = s.astype(object).fillna(False).to_numpy().astype(bool)
            s = pd.Series(pd.Categorical.from_codes(v.astype(np.int8), [NO, YES]), index=df.index)
        elif col.kind == "list" and s.dtype == object and n and isinstance(s.iloc[0], list):
            s = pd.Series([LIST_JOIN.join(x) if isinstance(x, list) else (x or "") for x in s],
                          index=df.index, dtype=object)
        cols[col.name] = s
    return pd.DataFrame(cols, columns=table.column_names)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as CSV text: no index, LF line ends, missing values empty, in 50k-row chunks."""
    write_csv(frame, path, bom=False, lineterminator="\n", chunksize=50_000)


def write_tables(tables: dict[str, pd.DataFrame], out_dir, provenance: tuple[str, str, bool] | None = None
                 ) -> dict[str, Path]:
    """Write every schema table of ``tables`` to ``out_dir`` (created if missing), in load order;
    ``provenance`` (source, as_of, illustrative) fills those columns when given. Returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in schema.LOAD_ORDER:
        path = out / f"{name}.csv"
        _write_csv(_csv_frame(tables[name], schema.TABLES[name], provenance), path)
        written[name] = path
    return written


def write_folder(batch: ImportBatch, out_dir) -> dict[str, Path]:
    """Write ``batch`` as an import folder: one ``<table>.csv`` per table (UTF-8, schema columns
    in order, 是/否 for yes/no, lists joined by ``;``). Returns the paths written."""
    return write_tables(batch.tables, out_dir)
