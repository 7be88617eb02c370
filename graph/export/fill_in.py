"""The 核实清单 fill-in workbook: every import sheet, the enterprises to verify filled in, so
planners type the regions and load the file again (``chainatlas load``).

Text that a spreadsheet could take as a formula is stored as a string cell with the quote prefix
(as :mod:`graph.export.safe` describes for the gap list), so names load back exactly.
"""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook

from graph.export.safe import is_risky, xlsx_text


def fill_in_workbook_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx with one sheet per table (sheet name = table name), header row first."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in tables.items():
        ws = wb.create_sheet(name)
        ws.append([str(c) for c in df.columns])
        for row in df.itertuples(index=False):
            ws.append([_cell(v) for v in row])
        for cell in (c for r in ws.iter_rows(min_row=2) for c in r):
            if is_risky(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(v):
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    if isinstance(v, str):
        return xlsx_text(v)
    if hasattr(v, "item"):
        return v.item()
    return v
