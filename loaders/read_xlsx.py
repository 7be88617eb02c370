"""Reading .xlsx workbooks (python-calamine, openpyxl as fallback) into raw tables, a block of
rows at a time."""
from __future__ import annotations

import itertools
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.errors import UnsupportedInput, ValidationFailed
from graph.settings import Settings
from loaders.read_hints import LOOKAHEAD, sheet_states
from loaders.read_core import EXAMPLE_MARK, RawTable, RawTables, _ODD_SPACES, _capped, _extra_cells, _finish, _header_misplaced, _match_header, _row_text, add_table, cell_text, file_problem, is_key_row, table_for, too_many_rows
from loaders.read_csv import _WHITESPACE
from loaders.read_zip import check_zip

try:
    from python_calamine import CalamineWorkbook
    _HAVE_CALAMINE = True
except ImportError:                     # pragma: no cover - calamine is a dependency
    _HAVE_CALAMINE = False


def _read_workbook(path: Path, limits: Settings, name: str | None = None) -> RawTables:
    """Every sheet of an .xlsx workbook, values as displayed-ish text (not formulas), read with
    calamine (Rust; openpyxl when it is not installed). The package is checked first
    (:func:`check_zip`: no part unpacks beyond the limits). A table read from a hidden sheet or
    from one with merged cells gets a warning."""
    shown = name or path.name
    raw = RawTables(source=shown)
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, path.name, limits)
            states = sheet_states(zf)
        if _HAVE_CALAMINE:
            for title, rows in _calamine_sheets(path):
                _add_grid(raw, shown, title, rows, limits.max_rows)
        else:
            for title, rows in _openpyxl_sheets(path):
                header = [cell_text(v) for v in next(rows, ())]
                found: set[str] = set()
                records = ((n, _row_text(cells, found)) for n, cells in enumerate(rows, start=2))
                add_table(raw, shown, title, header, _capped(raw, shown, title, records, limits.max_rows))
                if found and table_for(title):
                    raw.invisible.setdefault(table_for(title), set()).update(found)
    except (ValidationFailed, UnsupportedInput):
        raise
    except Exception as err:  # the readers raise many types for a corrupt/non-xlsx file
        raise ValidationFailed([file_problem(shown, f"无法读取工作簿 cannot open workbook ({err})",
                                             "用 Excel 打开并另存为 .xlsx。")],
                               source=shown) from err
    _sheet_warnings(raw, states, shown)
    return raw


def _sheet_warnings(raw: RawTables, states: dict, file: str) -> None:
    """Warn about each table read from a hidden sheet or from a sheet with merged cells."""
    for rt in raw.tables.values():
        hidden, merged = states.get(rt.sheet, (False, []))
        if hidden:
            raw.warnings.append(f"{file}：工作表“{rt.sheet}”是隐藏的，已照常读取；如不想载入，请删除该工作表。")
        if merged:
            raw.warnings.append(f"{file}，表 {rt.sheet}：有合并单元格（{'、'.join(merged)}）。合并后只有左上角一格有值，"
                                "其余读作空；请取消合并，并把值填到每一行。")


def _calamine_sheets(path: Path):
    """(title, rows) per worksheet; rows from sheet row 1 (calamine pads the empty rows above the
    first used one), cells from the first used column."""
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        yield name, iter(wb.get_sheet_by_name(name).iter_rows())


GRID_BLOCK = 20_000     # workbook rows turned into Arrow columns at a time


def _add_grid(raw: RawTables, file: str, sheet: str, rows, max_rows: int) -> None:
    """Add one worksheet read as rows of Python values (row 1 the header), column-wise: each block
    of rows becomes Arrow string columns cleaned as :func:`cell_text` would (text cells
    vectorised, other values one by one), so 200,000 rows take seconds and little memory."""
    header = [cell_text(v) for v in next(rows, ())]
    matched = _match_header(raw, file, sheet, header)
    if matched is None:
        return
    table, keep, has_header = matched
    ahead = list(itertools.islice(rows, LOOKAHEAD))
    texts = [(n, [cell_text(v) for v in r]) for n, r in enumerate(ahead, start=2)]
    if _header_misplaced(raw, file, sheet, table, keep, has_header, texts):
        return
    start = 2
    if texts and is_key_row(texts[0][1], keep):          # the template's row of column keys
        ahead, start = ahead[1:], 3
    rows = itertools.chain(ahead, rows)
    parts: dict[int, list[pa.Array]] = {i: [] for i in keep}
    numbers: list[np.ndarray] = []
    found: set[str] = set()
    width, first, too_many, beyond = len(header), start, False, []
    while True:
        block = list(itertools.islice(rows, GRID_BLOCK))
        if not block:
            break
        if start - first + len(block) > max_rows:
            block, too_many = block[:max_rows - (start - first)], True
        width = max(width, max(map(len, block)))
        filled = np.zeros(len(block), dtype=bool)
        example = np.zeros(len(block), dtype=bool)
        cols = {}
        for i, col in enumerate(itertools.zip_longest(*block, fillvalue="")):
            arr = _clean_cells(col, found)
            has = pc.not_equal(arr, "").to_numpy(zero_copy_only=False)
            filled |= has
            if i == 0:
                example = pc.starts_with(arr, EXAMPLE_MARK).to_numpy(zero_copy_only=False)
            if i >= len(header) and has.any():
                beyond += (np.flatnonzero(has) + start).tolist()
            if i in keep:
                cols[i] = arr
        filled &= ~example
        where = pa.array(filled)
        for i in keep:
            arr = cols.get(i)
            arr = pa.array([""] * len(block), pa.string()) if arr is None else arr
            parts[i].append(arr.filter(where))
        numbers.append(np.arange(start, start + len(block), dtype=np.int64)[filled])
        start += len(block)
        if too_many:
            raw.problems.append(too_many_rows(file, sheet, max_rows))
            break
    data = pa.table({keep[i]: pa.chunked_array(parts[i], pa.string()) for i in keep}) if keep else pa.table({})
    nums = np.concatenate(numbers) if numbers else np.empty(0, dtype=np.int64)
    rt = RawTable(table, file, sheet, list(keep.values()), data=data, numbers=nums)
    _extra_cells(raw, rt, len(header), [(n, []) for n in sorted(set(beyond))], is_csv=False)
    _finish(raw, rt, has_header)
    if found:
        raw.invisible.setdefault(table, set()).update(found)


_CLEAN_STEPS = [(ch, to or "") for ch, to in {**_ODD_SPACES, "\t": " ", "\r": " ", "\n": " "}.items()]


_CLEAN_ANY = "[" + "".join(ch for ch, _ in _CLEAN_STEPS) + "]"


def _clean_cells(values, found: set[str]) -> pa.Array:
    """A column of workbook values as cleaned text (exactly :func:`cell_text`); the cleaned text
    of cells that held zero-width characters goes to ``found``."""
    try:
        arr = pa.array(values, pa.string())         # all text (the usual case): one C call
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        arr = pa.array([v if v.__class__ is str else cell_text(v) for v in values], pa.string())
    invisible = None
    if not pc.any(pc.match_substring_regex(arr, _CLEAN_ANY)).as_py():
        return pc.utf8_trim(arr, characters=_WHITESPACE)
    for ch, to in _CLEAN_STEPS:
        hit = pc.match_substring(arr, ch)
        if pc.any(hit).as_py():
            if to == "":
                invisible = hit if invisible is None else pc.or_(invisible, hit)
            arr = pc.replace_substring(arr, ch, to)
    arr = pc.utf8_trim(arr, characters=_WHITESPACE)
    if invisible is not None:
        found.update(t for t in arr.filter(invisible).to_pylist() if t)
    return arr


def _openpyxl_sheets(path: Path):
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()   # some exporters write a wrong <dimension>, truncating reads
            yield ws.title, ws.iter_rows(values_only=True)
    finally:
        wb.close()
