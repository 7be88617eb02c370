"""The 核实清单 fill-in workbook: every import sheet, the enterprises to verify filled in, so
planners type the regions and load the file again (``chainatlas load``).

Written through :mod:`graph.export.safe`: text that a spreadsheet could take as a formula is a
quote-prefixed string cell, so names load back exactly.
"""
from __future__ import annotations

import io

import pandas as pd

from graph.export.safe import append_row, new_workbook, save_workbook


def fill_in_workbook_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx with one sheet per table (sheet name = table name), header row first."""
    wb = new_workbook()
    for name, df in tables.items():
        ws = wb.create_sheet(name)
        append_row(ws, [str(c) for c in df.columns])
        for row in df.itertuples(index=False):
            append_row(ws, [_cell(v) for v in row])
    buf = io.BytesIO()
    save_workbook(wb, buf)
    return buf.getvalue()


def _cell(v):
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    return v.item() if hasattr(v, "item") else v
