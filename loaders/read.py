"""Read import tables as text: an .xlsx workbook, a folder of ``<table>.csv`` files, or a .zip.

Nothing is interpreted here except layout: every cell becomes stripped text ('' when empty),
each row remembers its spreadsheet row number (the header is row 1), sheets and files are
matched to :data:`graph.schema.TABLES` by table name or Chinese label. Meaning (types, enums,
references) is checked by :mod:`loaders.validate`.

The work is split by format: :mod:`loaders.read_core` (raw tables, cleaning, header matching),
:mod:`loaders.read_xlsx`, :mod:`loaders.read_csv` and :mod:`loaders.read_zip`; this module is the
entry point and re-exports what other modules use.

CSV files are parsed by Arrow into string columns (a million rows in seconds) and cleaned
column-wise exactly as the csv module path would; a file Arrow cannot take as a regular grid
(a row with more or fewer cells than the header) or that is GB18030 goes through the csv module
(GB18030 is re-encoded and tried with Arrow first).

>>> cell_text(140800.0), cell_text(" 运城市\u3000"), cell_text(None)
('140800', '运城市', '')
"""
from __future__ import annotations

from pathlib import Path

from graph.errors import UnsupportedInput, ValidationFailed
from graph.settings import Settings
from loaders.read_core import (EXAMPLE_MARK, WORKBOOK_SUFFIXES, RawTable, RawTables, cell_text,  # noqa: F401
                                check_size, clean_text, csv_records, decode, file_problem, table_for)
from loaders.read_csv import _read_folder, _read_one_csv
from loaders.read_xlsx import _read_workbook
from loaders.read_zip import _read_zip, check_zip, read_member  # noqa: F401

__all__ = ["EXAMPLE_MARK", "RawTable", "RawTables", "cell_text", "check_zip", "clean_text", "csv_records", "decode",
           "read_member", "read_tables", "table_for"]


def read_tables(path, limits: Settings | None = None, *, tables: dict[str, str] | None = None,
                name: str | None = None) -> RawTables:
    """Read a workbook, one CSV file, a folder of CSV files or a .zip of CSV files into
    :class:`RawTables`. A file holding only some tables is fine (they merge into what is loaded).

    ``tables`` names the table of CSV files whose names are not table names (file name -> table,
    e.g. ``{"产品表.csv": "products"}``); ``name`` is what the user calls the input (an upload's own
    file name): files in a folder are then shown by their bare names.

    Raises :class:`UnsupportedInput` for a missing path or an unknown file type and
    :class:`ValidationFailed` when the file itself cannot be read (empty, corrupt).
    """
    p = Path(path)
    limits = limits or Settings.from_env()
    chosen = dict(tables or {})
    if not p.exists():
        raise UnsupportedInput(f"找不到输入 input not found: {p}",
                               "请给出 .xlsx 工作簿、<表名>.csv 文件、CSV 文件夹或 .zip 的路径。")
    if p.is_dir():
        return _read_folder(p, limits, chosen, name)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return _read_one_csv(p, limits, chosen, name)
    if suffix in WORKBOOK_SUFFIXES or suffix == ".zip":
        check_size(p.name, p.stat().st_size, limits)
        if p.stat().st_size == 0:
            raise ValidationFailed([file_problem(p.name, "文件为空 the file is empty",
                                                 "用 Excel 重新保存该工作簿，或使用导入模板（chainatlas template）。")],
                                   source=p.name)
        return _read_workbook(p, limits, name) if suffix != ".zip" else _read_zip(p, limits)
    hint = ("请另存为 .xlsx（Excel：另存为 → Excel 工作簿）。" if suffix in (".xls", ".et", ".ods", ".numbers")
            else "请使用 .xlsx 工作簿、<表名>.csv 文件、CSV 文件夹或其 .zip 压缩包。")
    raise UnsupportedInput(f"不支持的文件类型 unsupported input type '{suffix or '(none)'}': {p.name}", hint)
