"""Reading CSV files (one, a folder, or zip members) into raw tables: Arrow for regular grids,
the csv module otherwise; encoding sniffed (UTF-8 with or without BOM, plausible GB18030)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from graph.errors import UnsupportedInput
from graph.settings import Settings
from loaders.encoding import sniff
from loaders.read_hints import LOOKAHEAD, delimiter as csv_delimiter
from loaders.read_core import EXAMPLE_MARK, RawTable, RawTables, _ODD, _ODD_SPACES, _ZERO_WIDTH_BYTES, _finish, _header_misplaced, _invisible_cells, _match_header, add_table, cell_text, check_size, clean_text, csv_records, decode, file_problem, is_key_row, table_for, too_many_rows

def _add_csv(raw: RawTables, display: str, stem: str, data: bytes, limits: Settings | None = None,
             table: str | None = None) -> None:
    """Decode one CSV file's bytes and add it (or a problem) to ``raw``; ``table`` when the user
    said which table the file is (its name is not a table name). A table of more than
    ``limits.max_rows`` data rows is a problem."""
    table = table or table_for(stem)
    utf8 = _add_csv_table(raw, display, stem, data, table)
    body = memoryview(data)[3:] if data.startswith(b"\xef\xbb\xbf") else data
    zero_width = _ZERO_WIDTH_UTF8 if utf8 else _ZERO_WIDTH_BYTES     # valid UTF-8 decodes as UTF-8
    if table and any(_holds(body, z) for z in zero_width):      # rare: look at the cells
        text = sniff(data).text
        if text:
            cells = _invisible_cells(text)
            if cells:
                raw.invisible.setdefault(table, set()).update(cells)
    check_rows(raw, display, stem, table, limits)


def check_rows(raw: RawTables, display: str, stem: str, table: str | None, limits: Settings | None) -> None:
    """A table of more than ``limits.max_rows`` data rows is a problem (the table is not ok)."""
    max_rows = (limits or Settings.from_env()).max_rows
    rt = raw.tables.get(table) if table else None
    if rt is not None and rt.file == display and rt.ok and len(rt) > max_rows:
        rt.ok = False
        raw.problems.append(too_many_rows(display, stem, max_rows))


_ZERO_WIDTH_UTF8 = tuple(z.encode("utf-8") for z in ("\u200b", "\ufeff"))


def _holds(body, needle: bytes) -> bool:
    return (body.obj.find(needle, 3) >= 0) if isinstance(body, memoryview) else needle in body


def _add_csv_table(raw: RawTables, display: str, stem: str, data: bytes, table: str | None) -> bool:
    """Add the table (or a problem); True when Arrow read the bytes as they are (valid UTF-8)."""
    if table is None:
        add_table(raw, display, stem, [], [])      # only warns
        return False
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    if _blank(body):
        raw.problems.append(file_problem(display, "文件为空 the file is empty",
                                         "至少写出表头行（列名），见导入模板。", stem))
        raw.tables.setdefault(table, RawTable(table, display, stem, [], ok=False))
        return False
    first = body[:body.find(b"\n")] if b"\n" in body else body
    if csv_delimiter(first.decode("utf-8", errors="replace")) == ";":
        raw.warnings.append(semicolon_warning(display))
    if _add_arrow_csv(raw, display, stem, body, table):    # valid UTF-8, a regular grid: the fast path
        return True
    found = sniff(data)
    text, utf8 = found.text, found.encoding != "gb18030"
    if text is None:
        raw.problems.append(file_problem(
            display, f"无法识别编码：第 {found.line} 行，字节偏移 {found.offset} {found.reason} "
                     f"(cannot decode the file: line {found.line}, byte offset {found.offset})",
            "用 Excel 另存为“CSV UTF-8”，或修正该位置的字符 save it as CSV UTF-8 "
            "(Excel: 另存为 → CSV UTF-8) or fix the character at that position.", stem))
        raw.tables.setdefault(table, RawTable(table, display, stem, [], ok=False))
        return False
    if not utf8:
        raw.warnings.append(f"{display}: 不是 UTF-8，已按 GB18030（简体中文 Windows）编码读取 "
                            "not UTF-8: read as GB18030; check the Chinese text looks right")
    if not utf8 and _add_arrow_csv(raw, display, stem, text.translate(_ODD).encode("utf-8"), table):
        return False                                        # GB18030, re-encoded
    header, records = csv_records(text)
    add_table(raw, display, stem, [cell_text(h) for h in header], records, table, is_csv=True)
    return False


def semicolon_warning(display: str) -> str:
    return (f"{display}：用分号（;）分隔，已按分号读取。若读出的列不对，请在 Excel 中另存为"
            "“CSV UTF-8（逗号分隔）”。")


def _blank(body: bytes) -> bool:
    """Is the file empty or only whitespace (as text)?"""
    if not (body[:65536].strip() or body.strip()):       # (no copy of a big file that has text up front)
        return True
    if len(body) > 4096:
        return False
    text = decode(body)
    return text is not None and not text.strip()


# UTF-8 bytes of the odd spaces _ODD rewrites, by lead byte (checked with memchr first).


_ODD_BYTES = {}


for _ch, _to in _ODD_SPACES.items():
    _ODD_BYTES.setdefault(_ch.encode("utf-8")[0], []).append((_ch.encode("utf-8"), (_to or "").encode("utf-8")))
# Python's whitespace (what str.strip() removes), for Arrow's trim.


_WHITESPACE = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())


def _odd_spaces(body: bytes) -> bytes:
    """``body`` (UTF-8) with the odd spaces of _ODD replaced, as translate(_ODD) does on text."""
    leads = [lead for lead in _ODD_BYTES if bytes([lead]) in body]
    if not leads:
        return body
    arr = np.frombuffer(body, dtype=np.uint8)
    for lead in leads:
        at = np.flatnonzero(arr == lead)
        for seq, repl in _ODD_BYTES[lead]:
            hit = at[at + len(seq) <= len(arr)]
            for k in range(1, len(seq)):
                hit = hit[arr[hit + k] == seq[k]]
            if len(hit):
                body = body.replace(seq, repl)
                arr = np.frombuffer(body, dtype=np.uint8)
                at = np.flatnonzero(arr == lead)
    return body


def _header_width(body: bytes, delimiter: str) -> int:
    head = body[:65536].decode("utf-8", errors="replace")
    return len(next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), []))


def _add_arrow_csv(raw: RawTables, display: str, stem: str, body: bytes, table: str | None = None) -> bool:
    """Parse UTF-8 CSV bytes with Arrow, column-wise, exactly as :func:`csv_records` would
    (cells stripped; cells holding a newline or tab cleaned with :func:`clean_text`). False when
    the bytes are not UTF-8 or a row has a different number of cells than the header; then the
    caller falls back to the csv module."""
    newline = body.find(b"\n")
    first = body if newline < 0 else body[:newline]
    delimiter = csv_delimiter(first.decode("utf-8", errors="replace"))
    body = _odd_spaces(body)
    width = _header_width(body, delimiter)
    quoted = b'"' in body
    messy = quoted or (delimiter == "," and b"\t" in body)    # cells that may hold a newline or a tab
    source = [pa.py_buffer(body)]
    del body
    return _add_arrow_source(raw, display, stem, source, delimiter, width, quoted, messy, table)


def _add_arrow_source(raw: RawTables, display: str, stem: str, source: list, delimiter: str, width: int,
                      quoted: bool, messy: bool, table: str | None = None) -> bool:
    """:func:`_add_arrow_csv` once the bytes have been looked at: ``source`` holds what Arrow reads
    (a buffer, or a file's path: read block by block, never all its bytes at once); it is emptied
    once parsed."""
    names = [f"c{i}" for i in range(width)]
    try:
        grid = pa_csv.read_csv(
            source.pop(),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:     # not UTF-8, or a row with more or fewer cells than the header
        return False
    header = [cell_text(v) for v in (grid.column(n)[0].as_py() if len(grid) else "" for n in names)]
    matched = _match_header(raw, display, stem, header, table)
    if matched is None:
        return True
    table, keep, has_header = matched
    ahead = [(r + 1, [cell_text(grid.column(n)[r].as_py()) for n in names])
             for r in range(1, min(len(grid), LOOKAHEAD + 1))]
    if _header_misplaced(raw, display, stem, table, keep, has_header, ahead):
        return True
    first_row = 2 if ahead and is_key_row(ahead[0][1], keep) else 1     # skip the template's row of keys
    grid = grid.slice(first_row)
    cleaned, filled = {}, None
    for i, n in enumerate(names):
        col = _clean_column(grid.column(n), messy)
        if i in keep:
            cleaned[keep[i]] = col
        has = pc.not_equal(col, "")
        filled = has if filled is None else pc.or_(filled, has)
    if names and grid.num_rows:
        filled = pc.and_(filled, pc.invert(pc.starts_with(grid.column(names[0]), EXAMPLE_MARK)))
    numbers = np.arange(first_row + 1, grid.num_rows + first_row + 1, dtype=np.int64)
    data = pa.table(cleaned)
    if filled is not None and not pc.all(filled).as_py():
        keep_rows = filled.combine_chunks().to_numpy(zero_copy_only=False)
        data = data.filter(pa.array(keep_rows)) if cleaned else data
        numbers = numbers[keep_rows]
    _finish(raw, RawTable(table, display, stem, list(keep.values()), data=data, numbers=numbers), has_header)
    return True


def _clean_column(col: pa.ChunkedArray, messy: bool) -> pa.ChunkedArray:
    """Cells stripped (Python's whitespace); with ``messy`` also the cells holding a newline or a
    tab cleaned as :func:`clean_text` does."""
    out = pc.utf8_trim(col, characters=_WHITESPACE)
    if pc.all(pc.equal(out, col)).as_py():
        out = col               # nothing to strip: keep the parsed column and let the copy go (memory)
    if messy:
        odd = pc.match_substring_regex(col, "[\n\t]")
        if pc.any(odd).as_py():
            flat = out.combine_chunks().to_numpy(zero_copy_only=False).astype(object)
            raw_text = col.combine_chunks().to_numpy(zero_copy_only=False)
            mask = odd.combine_chunks().to_numpy(zero_copy_only=False)
            flat[mask] = [clean_text(t) for t in raw_text[mask]]
            out = pa.chunked_array([pa.array(flat, pa.string())])
    return out


def _read_one_csv(path: Path, limits: Settings, chosen: dict[str, str], name: str | None) -> RawTables:
    """One CSV file: the table its name (or ``chosen``) says."""
    shown = name or path.name
    table = chosen.get(path.name) or table_for(path.stem)
    if table is None:
        raise UnsupportedInput(f"无法判断 {shown} 是哪张表 cannot tell which table {shown} holds",
                               "把文件改名为 <表名>.csv（如 products.csv 或 企业.csv），或用 --table 指定表，如 "
                               "chainatlas load 产品表.csv --table products。")
    check_size(shown, path.stat().st_size, limits)
    raw = RawTables(source=shown)
    _add_csv(raw, shown, path.stem, path.read_bytes(), limits, table)
    return raw


def _read_folder(folder: Path, limits: Settings, chosen: dict[str, str] | None = None,
                 name: str | None = None) -> RawTables:
    """Every ``*.csv`` file directly in ``folder`` (``chosen``: file name -> table for the files
    whose names are not table names; with ``name``, files are shown by their bare names)."""
    chosen = chosen or {}
    raw = RawTables(source=name or folder.name or str(folder))
    files = sorted(f for f in folder.iterdir() if f.suffix.lower() == ".csv" and not f.name.startswith("."))
    if not files:
        raise UnsupportedInput(f"文件夹里没有 CSV 文件 no .csv files in folder: {folder}",
                               "每张表放一个 <表名>.csv（如 products.csv、企业.csv）。")
    check_size(raw.source, sum(f.stat().st_size for f in files), limits)
    for f in files:
        _add_csv(raw, f.name if name else f"{folder.name}/{f.name}", f.stem, f.read_bytes(), limits,
                 chosen.get(f.name))
        pa.default_memory_pool().release_unused()    # a big file's parsing buffers: back to the system
    return raw
