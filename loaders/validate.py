"""Validate text tables into a normalised :class:`graph.model.ImportBatch`, or raise
:class:`ValidationFailed` listing every problem at once (nothing is ever written half-checked).

Checks, in order: tables and columns present; each cell's type (numbers, shares, dates, 6-digit
codes, yes/no, enums); required cells; duplicate keys; references (an id, an exact name or a
product alias, in this batch or already in the store); undeclared cycles in product flows.

The work is column-wise: each column is parsed through its distinct texts (:mod:`loaders.cells`),
references are resolved per distinct text and duplicates found with hashing (:mod:`loaders.refs`);
a problem is made only for a row that has one, with its file, sheet, row number, column, value
and fix.

>>> parse_cell(schema.TABLES["chain_products"].column("stage"), "上游")
'upstream'
>>> parse_cell(schema.TABLES["enterprise_products"].column("revenue_share"), "60%")
0.6
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa

from graph import schema
from graph.errors import InputProblem, ValidationFailed
from graph.model import ImportBatch
from graph.settings import Settings
from graph.store import AtlasStore
from loaders.cells import BadCell, empty_value, encode, parse_cell, parse_distinct, parser_for  # noqa: F401
from loaders.parsed_frames import ParsedFrames
from loaders.problems import ProblemList, take
from loaders.read import RawTable, RawTables
from loaders.refs import ParsedColumn, ParsedTable, Resolver, bad_cell_problems, check_cycles, \
    check_duplicates, invisible_clashes  # noqa: F401

_NO_TEXT = pa.array([], pa.string())
_PARALLEL_ROWS = 50_000     # a table this long has its columns encoded two at a time
SOURCE_FIX = ("每行都要填写来源（网址或文件名）和数据日期；没有公开来源的示意数据，来源写“示意”，"
              "并在“示意数据”（illustrative）列填 是。")


def validate(raw: RawTables, existing: AtlasStore | None = None, max_problems: int | None = None, *,
             release: bool = False) -> ImportBatch:
    """Check and normalise ``raw`` (see graph/model.py), resolving references against this batch
    and ``existing``. Raises :class:`ValidationFailed` with every problem found — the first
    ``max_problems`` (default: the settings') of each kind per column, the rest counted.
    With ``release`` the cells of ``raw`` are dropped table by table once parsed (the caller
    will not look at them again): a national load then never holds two copies of its text."""
    problems = ProblemList(max_problems or Settings.from_env().max_problems)
    problems.extend(raw.problems)
    parsed: dict[str, ParsedTable] = {}
    if not raw.tables and not problems:
        problems.append(_no_table(raw))
    for name in schema.LOAD_ORDER:
        rt = raw.tables.get(name)
        if rt is not None and rt.ok:        # an absent table is left as loaded (one-table uploads)
            parsed[name] = _parse_table(rt, problems)
            if release:
                rt.release()
                pa.default_memory_pool().release_unused()   # give the text's memory back to the system
    resolver = Resolver(parsed, existing)
    for pt in parsed.values():
        resolver.resolve_table(pt, problems)
        check_duplicates(pt, problems)
    if "product_flows" in parsed and len(parsed["product_flows"]):
        check_cycles(parsed["product_flows"], resolver, existing, problems)
    clashes = invisible_clashes(raw, parsed, existing)
    if problems:
        problems.extend(clashes)
        raise ValidationFailed(sorted_problems(problems, raw), source=raw.source, omitted=problems.omitted_counts())
    for pt in parsed.values():            # the texts are not needed any more (memory of big loads)
        pt.rt = pt.rt.released()
        for col in pt.columns.values():
            col.distinct = _NO_TEXT
    pa.default_memory_pool().release_unused()
    return ImportBatch(ParsedFrames(parsed), source=raw.source,
                       warnings=list(raw.warnings) + _warnings(raw, parsed) + [str(p) for p in clashes])


def sorted_problems(problems: list[InputProblem], raw: RawTables) -> list[InputProblem]:
    """Problems in reading order: by table (load order), row, then column (table order)."""
    table_of = {rt.sheet: name for name, rt in raw.tables.items()}

    def key(p: InputProblem):
        table = table_of.get(p.sheet, p.sheet)
        order = schema.LOAD_ORDER.index(table) if table in schema.TABLES else -1
        names = schema.TABLES[table].column_names if table in schema.TABLES else []
        col = names.index(p.column) if p.column in names else len(names)
        return order, p.row or 0, col

    return sorted(problems, key=key)


def _no_table(raw: RawTables) -> InputProblem:
    """The problem for an input in which no sheet or file is an import table."""
    examples = "、".join(f"{t.label.replace('/', '')}（{t.name}）" for t in list(schema.TABLES.values())[:4])
    return InputProblem(raw.source, "", None, None, "", "没有找到可载入的表 no import table found",
                        f"工作表名或 CSV 文件名须为表名，如 {examples} 等；可下载导入模板对照。")


def _empty_fix(table: str, col: schema.Column) -> str:
    if col.name in ("source", "as_of"):
        return SOURCE_FIX
    return f"填写{schema.column_label(table, col.name)}（{col.doc}）" + (f"，如 {col.example}" if col.example else "")


def _parse_table(rt: RawTable, problems: list[InputProblem], release: bool = False) -> ParsedTable:
    """Parse every column of one table (by distinct text); bad cells are reported and kept as text.
    With ``release`` each column's text is let go once encoded (the caller releases ``rt`` after:
    the peak memory of a big table is then about one text column less at each step)."""
    table = schema.TABLES[rt.table]
    present = set(rt.columns)
    for col in table.columns:
        if col.required and col.name not in present:
            problems.append(InputProblem(rt.file, rt.sheet, None, col.name, "", "缺少必填列 missing required column",
                                         f"添加表头为“{schema.column_label(rt.table, col.name)}”（或 {col.name}）的列：{col.doc}"
                                         + (f", e.g. {col.example}" if col.example else "")))
    numbers, text = rt.text()
    n = len(numbers)
    pt = ParsedTable(rt, numbers, {})
    order = [c.name for c in table.columns if c.name in text]
    ahead: dict = {}
    with ThreadPoolExecutor(1) as pool:
        for col in table.columns:
            if col.name in text:
                k = order.index(col.name) + 1              # the next column is encoded (Arrow's hashing,
                if n >= _PARALLEL_ROWS and k < len(order):  # outside the GIL) while this one is parsed
                    ahead[order[k]] = pool.submit(encode, text[order[k]])
                done = ahead.pop(col.name, None)
                codes, distinct = done.result() if done is not None else encode(text[col.name])
                if release:
                    del text[col.name]
                    rt.drop(col.name)
                    pa.default_memory_pool().release_unused()
            else:
                codes, distinct = np.zeros(n, dtype=np.int32), pa.array([""], pa.string())
            values, errors = parse_distinct(col, distinct)
            pt.columns[col.name] = ParsedColumn(col.kind, codes, distinct, values, errors)
            if col.required and col.name in present and n:
                _empty_problems(pt, col, problems)
            bad_cell_problems(pt, col.name, problems)
    return pt


def _empty_problems(pt: ParsedTable, col: schema.Column, problems: list[InputProblem]) -> None:
    """One problem per row where a required column's cell is empty."""
    parsed = pt.columns[col.name]
    empty = parsed.empty
    if empty < 0:
        return
    message = "必填项为空 required value is empty"
    rows = take(problems, pt.rt.file, pt.rt.sheet, col.name, message, np.flatnonzero(parsed.codes == empty))
    fix = _empty_fix(pt.name, col)
    for r in rows.tolist():
        problems.append(InputProblem(pt.rt.file, pt.rt.sheet, int(pt.numbers[r]), col.name, "",
                                     message, fix))


def _warnings(raw: RawTables, parsed: dict[str, ParsedTable]) -> list[str]:
    """Things worth a look that are not errors."""
    out = []
    pt = parsed.get("parks")
    if pt is None or not len(pt):
        return out
    kind = pt.columns["kind"].row_values()
    counted = pt.columns["counted_for"].row_values()
    names = pt.columns["name"].row_values()
    for r in np.flatnonzero((kind == "飞地园区") & np.array([not c for c in counted], dtype=bool)).tolist():
        out.append(f"{raw.tables['parks'].sheet} row {int(pt.numbers[r])}: 飞地园区 {names[r]} has no counted_for "
                   "(统计归属区划); it counts only where it stands")
    return out
