"""Cell parsers: one text cell -> a typed value, or :class:`BadCell` saying what is wrong and how to
fix it; and :func:`parse_distinct`, which applies them to a whole column at once.

A column is parsed through its *distinct* values (``pyarrow.compute.dictionary_encode``): each
distinct text is parsed once, then the results are spread back to the rows by index. Numbers take
a vectorised path (an ASCII-only pattern, then an Arrow cast that rounds exactly as ``float()``
does); every other distinct value goes through the per-cell parser, so messages and results are
exactly those of :func:`parse_cell`.

>>> parse_cell(schema.TABLES["chain_products"].column("stage"), "上游")
'upstream'
>>> parse_cell(schema.TABLES["enterprise_products"].column("revenue_share"), "60%")
0.6
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph import schema

_SEPARATORS = re.compile("[" + re.escape(schema.LIST_SEPARATORS) + "]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DATE_PATTERNS = (
    (re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"), 3),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), 3),
    (re.compile(r"(\d{4})[-/.年](\d{1,2})月?"), 2),
    (re.compile(r"(\d{4})年?"), 1),
)
# Texts the vectorised number path takes (RE2: \d is ASCII only). Anything else, e.g. "1,200",
# "60%", full-width digits or exponents, goes through the per-cell parser.
_FAST_FLOAT = r"^-?\d{1,15}(\.\d{1,15})?$"
_FAST_INT = r"^-?\d{1,15}$"
_FAST_SHARE = r"^\d{1,15}(\.\d{1,12})?$"      # <= 12 decimals: round(x, 12) is x itself


class BadCell(ValueError):
    """A cell that does not parse: ``message`` says what is wrong, ``fix`` how to fix it."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message, self.fix = message, fix


_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
#: Allowed ranges of number columns, by column name: (low, high, what is wrong, how to fix).
#: China's extent (incl. the South China Sea islands) is about lon 73.5–135.1 E, lat 3.8–53.6 N.
RANGES = {
    "lon": (73.0, 136.0, "经度超出中国范围 longitude outside China (73–136)",
            "填写十进制经度，如 111.007 write decimal degrees east, e.g. 111.007; check lon/lat are not swapped"),
    "lat": (3.0, 54.0, "纬度超出中国范围 latitude outside China (3–54)",
            "填写十进制纬度，如 35.026 write decimal degrees north, e.g. 35.026; check lon/lat are not swapped"),
    "revenue": (0.0, None, "营收不能为负 revenue must not be negative", "填写 0 或正数（万元） write 0 or more (万元)"),
    "employees": (0, None, "人数不能为负 employees must not be negative", "填写 0 或正整数 write 0 or more"),
    "year": (1949, 2100, "年份不合理 year out of range (1949–2100)", "填写四位年份，如 2022 write the year, e.g. 2022"),
}


def _number(text: str) -> float:
    t = unicodedata.normalize("NFKC", text).replace(" ", "")
    if "," in t:
        if _GROUPED.fullmatch(t):            # 1,200,000 or 12,345.6: commas group thousands
            t = t.replace(",", "")
        elif _DECIMAL_COMMA.fullmatch(t):
            raise BadCell("小数点用了逗号 decimal comma",
                          f"小数点请用“.”，如 {t.replace(',', '.')}；千位分隔只能每三位一个逗号 "
                          f"use a dot for decimals (e.g. {t.replace(',', '.')}); commas may only group thousands")
        else:
            raise BadCell("逗号位置不对 misplaced comma",
                          "千位分隔只能每三位一个逗号，如 1,200,000；或不写逗号 commas may only group thousands")
    if not _NUMBER.fullmatch(t):
        raise BadCell("不是数字 not a number", "只填数字，不带单位或文字 write digits only, e.g. 1200000")
    return float(t)


def _ranged(parse, name: str, text: str):
    """``parse(text)``, checked against :data:`RANGES` for column ``name``."""
    value = parse(text)
    lo, hi, message, fix = RANGES[name]
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if "," in text:                      # 111,007 as a longitude: a decimal comma read as grouping
            fix = f"看起来用了逗号作小数点 looks like a decimal comma: write {text.replace(',', '.')}; " + fix
        raise BadCell(message, fix)
    return value


def _int(text: str) -> int:
    try:
        value = _number(text)
    except BadCell:
        raise BadCell("不是整数 not a whole number", "只填整数，不带单位或文字 write digits only, e.g. 8000") from None
    if not value.is_integer():
        raise BadCell("不是整数 not a whole number", "改成整数 round it to a whole number, e.g. 8000")
    return int(value)


def _share(text: str) -> float:
    percent = text.endswith(("%", "％"))
    value = _number(text[:-1] if percent else text) / (100 if percent else 1)
    if not 0 <= value <= 1:
        raise BadCell("比例应在 0–1 之间 share must be between 0 and 1",
                      "填 0 到 1 之间的小数，如 0.6（或 60%）write a fraction such as 0.6")
    return round(value, 12)


def _bool(text: str) -> bool:
    low = text.lower()
    if low in schema.TRUE_WORDS:
        return True
    if low in schema.FALSE_WORDS:
        return False
    raise BadCell("不是 是/否 not a yes/no value", "填 是 或 否（1/0、true/false 也可）write 是 or 否")


@functools.lru_cache(maxsize=4096)
def _date(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    for pattern, parts in _DATE_PATTERNS:
        m = pattern.fullmatch(t)
        if not m:
            continue
        y, mo, d = ([int(g) for g in m.groups()[:parts]] + [1, 1])[:3]
        try:
            dt.date(y, mo, d)
        except ValueError:
            break
        if 1900 <= y <= 2100:
            return "-".join([f"{y:04d}", f"{mo:02d}", f"{d:02d}"][:parts])
    raise BadCell("不是有效日期 not a valid date", "按 年-月-日、年-月 或 年 填写，如 2024-04-09 (YYYY-MM-DD, YYYY-MM or YYYY)")


def _code6(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    if not re.fullmatch(r"\d{6}", t):
        raise BadCell("行政区划代码应为 6 位数字 division code must be 6 digits",
                      "填 6 位代码，如 140800（运城市）；12 位代码只取前 6 位 write the 6-digit code")
    return t


def _list(text: str) -> list[str]:
    out: list[str] = []
    for part in _SEPARATORS.split(text):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


@functools.lru_cache(maxsize=4096)
def _enum(kind: str, text: str) -> str:
    mapping = schema.enum_values(kind)
    low = text.lower()
    for canonical, spellings in mapping.items():
        if low in (s.lower() for s in spellings):
            return canonical
    allowed = "; ".join(f"{c} ({'/'.join(s for s in sp if s != c)})" if len(sp) > 1 else c
                        for c, sp in mapping.items())
    raise BadCell("未知的取值 unknown value", f"可填 allowed: {allowed}")


_PARSERS = {"int": _int, "float": _number, "share": _share, "bool": _bool, "date": _date,
            "code6": _code6, "list": _list, "str": str}


def parser_for(column: schema.Column):
    """The text -> value function for ``column``; ``ref:`` cells stay text (resolved later)."""
    if column.kind.startswith("enum:"):
        return functools.partial(_enum, column.kind)
    if column.kind.startswith("ref:"):
        return str
    if column.name in RANGES and column.kind in ("int", "float"):
        return functools.partial(_ranged, _PARSERS[column.kind], column.name)
    return _PARSERS[column.kind]


def parse_cell(column: schema.Column, text: str):
    """Parse one non-empty, cleaned cell for ``column``. Raises :class:`BadCell`."""
    return parser_for(column)(text)


def empty_value(column: schema.Column):
    """What an empty cell becomes: ``False`` for bools, ``[]`` for lists, else ``None``."""
    return False if column.kind == "bool" else [] if column.kind == "list" else None


# --- whole columns ------------------------------------------------------------------------------
def is_text_kind(kind: str) -> bool:
    """Column kinds whose value is the cell text itself (``str`` and, until resolved, ``ref:``)."""
    return kind == "str" or kind.startswith("ref:")


def encode(texts: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, pa.Array]:
    """``(codes, distinct)``: the distinct texts of a column and, per row, the index of its text."""
    if len(texts) == 0:
        return np.empty(0, dtype=np.int32), pa.array([], pa.string())
    enc = pc.dictionary_encode(texts)      # chunk by chunk (no combined copy of the column): one hash
    if isinstance(enc, pa.Array):          # table, each chunk's dictionary is the whole one
        return enc.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False), enc.dictionary
    codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in enc.chunks]).astype(np.int32, copy=False)
    return codes, enc.chunks[-1].dictionary


def _fast_numbers(column: schema.Column, distinct: pa.Array):
    """Mask of the distinct texts the vectorised path parsed, and their values (numpy)."""
    if column.kind == "int":
        fast = pc.match_substring_regex(distinct, _FAST_INT)
        values = pc.cast(pc.filter(distinct, fast), pa.int64()).to_numpy()
    else:
        fast = pc.match_substring_regex(distinct, _FAST_SHARE if column.kind == "share" else _FAST_FLOAT)
        values = pc.cast(pc.filter(distinct, fast), pa.float64()).to_numpy()
    mask = fast.to_numpy(zero_copy_only=False)
    lo, hi = (0, 1) if column.kind == "share" else RANGES.get(column.name, (None, None))[:2]
    if lo is not None or hi is not None:   # out of range: the per-cell parser says so
        ok = np.ones(len(values), dtype=bool)
        if lo is not None:
            ok &= values >= lo
        if hi is not None:
            ok &= values <= hi
        mask[np.flatnonzero(mask)[~ok]] = False
        values = values[ok]
    return mask, values


def parse_distinct(column: schema.Column, distinct: pa.Array) -> tuple[np.ndarray, dict[int, BadCell]]:
    """Parse every distinct text of a column.

    Returns ``(values, errors)``: ``values`` an object array (one per distinct text; the empty
    text gives :func:`empty_value`, a bad text keeps the text) and ``errors`` mapping the index of
    each bad text to its :class:`BadCell`.
    """
    texts = distinct.to_numpy(zero_copy_only=False)
    values = texts.astype(object, copy=True)
    errors: dict[int, BadCell] = {}
    if is_text_kind(column.kind):
        values[texts == ""] = None
        _too_long(column, distinct, errors)
        return values, errors
    todo = np.ones(len(texts), dtype=bool)
    if column.kind in ("int", "float", "share") and len(texts):
        mask, fast = _fast_numbers(column, distinct)
        values[mask] = fast.astype(object)
        todo &= ~mask
    parse = parser_for(column)
    empty = empty_value(column)
    for i in np.flatnonzero(todo).tolist():
        text = texts[i]
        if text == "":
            values[i] = empty
            continue
        try:
            values[i] = parse(text)
        except BadCell as bad:
            errors[i] = bad
    return values, errors


#: Longest text a cell may hold: names, ids and references; any other text (sources, notes).
MAX_NAME, MAX_TEXT = 200, 5000


def text_limit(column: schema.Column) -> int:
    """The longest text ``column`` takes (:data:`MAX_NAME` for names, ids and references)."""
    short = column.name in ("name", "id", "code") or column.name.endswith("_id") or column.kind.startswith("ref:")
    return MAX_NAME if short else MAX_TEXT


def _too_long(column: schema.Column, distinct: pa.Array, errors: dict[int, BadCell]) -> None:
    """Add a :class:`BadCell` for each distinct text longer than the column's limit."""
    limit = text_limit(column)
    if not len(distinct):
        return
    long = pc.greater(pc.utf8_length(distinct), limit).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(long).tolist():
        n = len(distinct[i].as_py())
        errors[i] = BadCell(f"文字过长 text too long ({n:,} 个字符 characters; at most {limit:,})",
                            f"请缩短到 {limit} 个字符以内，核对是否误粘贴了整段文字 shorten it to {limit} "
                            "characters or fewer; check a whole paragraph was not pasted into the cell")


def spread(values: np.ndarray, codes: np.ndarray, kind: str) -> np.ndarray:
    """Per-row object array from per-distinct ``values``; list cells get a list of their own."""
    out = values.take(codes) if len(codes) else np.empty(0, dtype=object)
    if kind == "list" and len(out):
        out = _copy_list(out)
    return out


_copy_list = np.frompyfunc(list, 1, 1)


# A person's decision in a review table (product tags, inferred regions): canonical -> spellings.
DECISIONS = {"accept": ("accept", "accepted", "yes", "y", "1", "true", "是", "接受", "采纳", "✓", "√"),
             "reject": ("reject", "rejected", "no", "n", "0", "false", "否", "拒绝", "不采纳", "✗", "×")}
