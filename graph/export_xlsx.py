"""The gap-list workbook (缺链补链招商清单.xlsx) of a :class:`graph.export.GapExport`.

Sheets 说明, 汇总, 缺口清单, 招商目标, 本地企业 (Chinese headers), each with a frozen, bold header
row, an autofilter, column widths from the content (CJK counts double), numbers stored as numbers
with number formats, grades coloured (紧急 red, 重要 orange, 一般 grey), A4 landscape fitted to
the page width with the header repeated on every printed page; and the hidden, protected
``_snapshot`` sheet (JSON in column A, split into cells of at most 30,000 characters).
Text that could be taken for a formula is stored as a string cell with quotePrefix
(see graph.export_safe).
"""
from __future__ import annotations

import io
import json
import math

import numpy as np
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from graph.export_safe import column_width, is_risky, xlsx_text
from graph.export_tables import GRADE_COLUMNS, HEADERS, NUMBER_FORMATS, SHEETS, display
from graph.snapshot import SNAPSHOT_SHEET

GRADE_STYLES = {  # fill, font colour
    "紧急": ("FFC7CE", "9C0006"),
    "重要": ("FCD5B4", "974706"),
    "一般": ("EDEDED", "404040"),
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
CHUNK = 30000
_WIDE = {"reason": 60, "local_maker_names": 60, "sources": 60, "value": 60, "note": 50, "leader_consumers": 40}


def workbook_bytes(export) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    meta = export.meta
    wb.properties.title = f"缺链补链招商清单 · {meta['region'].get('name')}"
    wb.properties.creator = f"ChainAtlas {meta['tool_version']}"
    fills = {g: (PatternFill("solid", fgColor=f), Font(color=c)) for g, (f, c) in GRADE_STYLES.items()}
    for key, sheet in SHEETS.items():
        df = export.tables[key]
        ws = wb.create_sheet(sheet)
        _write_table(ws, key, df, fills)
        _page_setup(ws, f"{sheet} · {meta['region'].get('name')}")
    _write_snapshot(wb, export.snapshot)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell_value(ws, v):
    """A value for ws.append: None for missing, Python numbers, safe text (a Cell when risky)."""
    if v is None or v is np.nan:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (bool, np.bool_)):
        return "是" if v else "否"
    if isinstance(v, (int,)):
        return v
    text = xlsx_text(str(v))
    if is_risky(v) or is_risky(text):
        c = Cell(ws, value=None)
        c._value, c.data_type, c.quotePrefix = text, "s", True
        return c
    return text


def _write_table(ws, key: str, df, fills) -> None:
    view = display(key, df)
    cols = list(HEADERS[key])
    ws.append(list(view.columns))
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in view.itertuples(index=False, name=None):
        ws.append([_cell_value(ws, v) for v in row])
    n = len(view)
    for j, col in enumerate(cols, start=1):
        letter = get_column_letter(j)
        values = view.iloc[:, j - 1]
        ws.column_dimensions[letter].width = column_width(view.columns[j - 1], values,
                                                          maximum=_WIDE.get(col, 30))
        fmt = NUMBER_FORMATS.get(col)
        if n and (fmt or col in GRADE_COLUMNS or col in _WIDE):
            for (cell,) in ws.iter_rows(min_row=2, max_row=n + 1, min_col=j, max_col=j):
                if fmt and isinstance(cell.value, (int, float)):
                    cell.number_format = fmt
                if col in GRADE_COLUMNS and cell.value in fills:
                    cell.fill, cell.font = fills[cell.value]
                if col in _WIDE:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{n + 1}"


def _page_setup(ws, title: str) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"


def _write_snapshot(wb, snapshot: dict) -> None:
    ws = wb.create_sheet(SNAPSHOT_SHEET)
    text = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"))
    for i in range(0, len(text), CHUNK) or [0]:
        c = Cell(ws, value=None)
        c._value, c.data_type = text[i:i + CHUNK], "s"
        ws.append([c])
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
