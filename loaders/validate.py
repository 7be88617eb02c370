"""Validate text tables into a normalised :class:`graph.model.ImportBatch`, or raise
:class:`ValidationFailed` listing every problem at once (nothing is ever written half-checked).

Checks, in order: tables and columns present; each cell's type (numbers, shares, dates, 6-digit
codes, yes/no, enums); required cells; duplicate keys; references (an id, an exact name or a
product alias, in this batch or already in the store); undeclared cycles in product flows.

>>> parse_cell(schema.TABLES["chain_products"].column("stage"), "上游")
'upstream'
>>> parse_cell(schema.TABLES["enterprise_products"].column("revenue_share"), "60%")
0.6
"""
from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata

import pandas as pd

from graph import schema
from graph.errors import InputProblem, ValidationFailed
from graph.model import ImportBatch
from graph.store import AtlasStore
from loaders.read import RawTable, RawTables

_SEPARATORS = re.compile("[" + re.escape(schema.LIST_SEPARATORS) + "]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DATE_PATTERNS = (
    (re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"), 3),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), 3),
    (re.compile(r"(\d{4})[-/.年](\d{1,2})月?"), 2),
    (re.compile(r"(\d{4})年?"), 1),
)
SOURCE_FIX = ("每行都要写出处和数据日期。Write where the fact comes from (URL or document) and its date; "
              "for made-up rows write e.g. 示意 and set illustrative = 是.")


class BadCell(ValueError):
    """A cell that does not parse: ``message`` says what is wrong, ``fix`` how to fix it."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message, self.fix = message, fix


def _number(text: str) -> float:
    t = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")
    if not _NUMBER.fullmatch(t):
        raise BadCell("不是数字 not a number", "只填数字，不带单位或文字 write digits only, e.g. 1200000")
    return float(t)


def _int(text: str) -> int:
    try:
        value = _number(text)
    except BadCell:
        raise BadCell("不是整数 not a whole number", "只填整数，不带单位或文字 write digits only, e.g. 8000") from None
    if not value.is_integer():
        raise BadCell("不是整数 not a whole number", "Round it to a whole number, e.g. 8000")
    return int(value)


def _share(text: str) -> float:
    percent = text.endswith(("%", "％"))
    value = _number(text[:-1] if percent else text) / (100 if percent else 1)
    if not 0 <= value <= 1:
        raise BadCell("比例应在 0–1 之间 share must be between 0 and 1",
                      "Write a fraction such as 0.6 (or 60%)")
    return round(value, 12)


def _bool(text: str) -> bool:
    low = text.lower()
    if low in schema.TRUE_WORDS:
        return True
    if low in schema.FALSE_WORDS:
        return False
    raise BadCell("不是 是/否 not a yes/no value", "Write 是 or 否 (1/0, true/false also work)")


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
    raise BadCell("不是有效日期 not a valid date", "Write YYYY-MM-DD, YYYY-MM or YYYY, e.g. 2024-04-09")


def _code6(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    if not re.fullmatch(r"\d{6}", t):
        raise BadCell("行政区划代码应为 6 位数字 division code must be 6 digits",
                      "Write the 6-digit code, e.g. 140800 (运城市); 12-digit codes: keep the first 6")
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
    return _PARSERS[column.kind]


def parse_cell(column: schema.Column, text: str):
    """Parse one non-empty, cleaned cell for ``column``. Raises :class:`BadCell`."""
    return parser_for(column)(text)


def empty_value(column: schema.Column):
    """What an empty cell becomes: ``False`` for bools, ``[]`` for lists, else ``None``."""
    return False if column.kind == "bool" else [] if column.kind == "list" else None


def validate(raw: RawTables, existing: AtlasStore | None = None) -> ImportBatch:
    """Check and normalise ``raw`` (see graph/model.py), resolving references against this batch
    and ``existing``. Raises :class:`ValidationFailed` with every problem found."""
    problems: list[InputProblem] = list(raw.problems)
    parsed: dict[str, list[tuple[int, dict]]] = {}
    for name in schema.LOAD_ORDER:
        rt = raw.tables.get(name)
        if rt is None:
            if not schema.TABLES[name].optional:
                problems.append(_missing_table(raw.source, name))
        elif rt.ok:
            parsed[name] = _parse_table(rt, problems)
    sheets = {name: rt for name, rt in raw.tables.items() if name in parsed}
    resolver = Resolver(parsed, existing)
    for name, rows in parsed.items():
        resolver.resolve_table(sheets[name], rows, problems)
        _check_duplicates(sheets[name], rows, problems)
    if parsed.get("product_flows"):
        check_cycles(sheets["product_flows"], parsed["product_flows"], resolver, existing, problems)
    if problems:
        raise ValidationFailed(sorted_problems(problems, raw), source=raw.source)
    batch = ImportBatch.empty(source=raw.source)
    batch.warnings = list(raw.warnings) + _warnings(raw, parsed)
    for name, table in schema.TABLES.items():
        rows = [row for _, row in parsed.get(name, [])]
        batch.tables[name] = pd.DataFrame(rows, columns=table.column_names, dtype=object)
    return batch


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


def _missing_table(source: str, name: str) -> InputProblem:
    """The problem for a required table that is not in the input at all."""
    t = schema.TABLES[name]
    return InputProblem(source, name, None, None, "", f"缺少表 missing required table {name}（{t.label}）",
                        f"Add a sheet (or {name}.csv) named '{name}' or '{t.label.replace('/', '')}'; "
                        "a header row alone is fine. `chainatlas template` writes all sheets.")


def _parse_table(rt: RawTable, problems: list[InputProblem]) -> list[tuple[int, dict]]:
    """Parse every cell of one table; bad cells are reported and kept as text."""
    table = schema.TABLES[rt.table]
    present = set(rt.columns)
    for col in table.columns:
        if col.required and col.name not in present:
            problems.append(InputProblem(rt.file, rt.sheet, None, col.name, "", "缺少必填列 missing required column",
                                         f"Add a column headed '{col.name}' ({col.doc})"
                                         + (f", e.g. {col.example}" if col.example else "")))
    plan = [(col, parser_for(col), empty_value(col)) for col in table.columns]
    out = []
    for number, vals in rt.rows:
        row = {}
        for col, parse, empty in plan:
            text = vals.get(col.name, "")
            if text == "":
                row[col.name] = list(empty) if isinstance(empty, list) else empty
                if col.required and col.name in present:
                    fix = SOURCE_FIX if col.name in ("source", "as_of") else \
                        f"Fill in {col.name} ({col.doc})" + (f", e.g. {col.example}" if col.example else "")
                    problems.append(InputProblem(rt.file, rt.sheet, number, col.name, "",
                                                 "必填项为空 required value is empty", fix))
                continue
            try:
                row[col.name] = parse(text)
            except BadCell as bad:
                row[col.name] = text
                problems.append(InputProblem(rt.file, rt.sheet, number, col.name, text, bad.message, bad.fix))
        out.append((number, row))
    return out


def _check_duplicates(rt: RawTable, rows: list[tuple[int, dict]], problems: list[InputProblem]) -> None:
    """Report every row whose key (after resolving references) repeats an earlier row's."""
    key = schema.TABLES[rt.table].key
    seen: dict[tuple, int] = {}
    for number, row in rows:
        k = tuple(row[c] for c in key)
        if any(v in (None, "") for v in k):
            continue
        if k in seen:
            problems.append(InputProblem(
                rt.file, rt.sheet, number, ", ".join(key), " / ".join(map(str, k)),
                f"重复的键 duplicate key: same as row {seen[k]}",
                f"Each ({', '.join(key)}) may appear once: merge the two rows or delete one."))
        else:
            seen[k] = number


def _warnings(raw: RawTables, parsed: dict[str, list[tuple[int, dict]]]) -> list[str]:
    """Things worth a look that are not errors."""
    out = []
    for number, row in parsed.get("parks", []):
        if row["kind"] == "飞地园区" and not row["counted_for"]:
            out.append(f"{raw.tables['parks'].sheet} row {number}: 飞地园区 {row['name']} has no counted_for "
                       "(统计归属区划); it counts only where it stands")
    return out


class Pool:
    """Ids, names and (for products) aliases of one node table: this batch over the store."""

    def __init__(self, table: str, rows: list[tuple[int, dict]], existing: AtlasStore | None):
        t = schema.TABLES[table]
        self.table, self.label = table, t.label
        self.name_of: dict[str, str] = {}
        aliases: dict[str, list[str]] = {}
        if existing is not None:
            stored = existing.node_names(table)
            self.name_of.update((str(i), str(n) if n is not None else "") for i, n in zip(stored["id"], stored["name"]))
            if table == "products" and len(stored):
                old = existing.table("products")
                aliases.update((str(i), list(a) if isinstance(a, (list, tuple)) else [])
                               for i, a in zip(old["product_id"], old["aliases"]))
        for _, row in rows:
            key = row[t.key[0]]
            if isinstance(key, str) and key:
                self.name_of[key] = row[t.name_column] if isinstance(row[t.name_column], str) else ""
                if table == "products":
                    aliases[key] = row["aliases"] if isinstance(row["aliases"], list) else []
        self.by_name = _invert(self.name_of.items())
        self.by_alias = _invert((i, a) for i, names in aliases.items() for a in names)

    def resolve(self, text: str) -> str:
        """The id ``text`` names: an id, else an exact name, else an alias. Raises BadCell."""
        if text in self.name_of:
            return text
        for index in (self.by_name, self.by_alias):
            ids = index.get(text)
            if ids and len(ids) == 1:
                return next(iter(ids))
            if ids:
                raise BadCell(f"名称有多个匹配 name matches several {self.table}",
                              "请改用编号之一 use one of the ids: " + "、".join(
                                  f"{i}（{self.name_of.get(i, '')}）" for i in sorted(ids)))
        cands = self.candidates(text)
        where = f"a row of {self.table}（{self.label}）in this file or already loaded"
        raise BadCell(f"找不到引用的{self.label} unknown reference to {self.table}",
                      (f"您是不是要找 did you mean: {'、'.join(cands)}; or add it to {self.table}"
                       if cands else f"Use the id or the exact name of {where}"))

    def candidates(self, text: str, n: int = 5) -> list[str]:
        """Close names (and ids), formatted ``name (id)``."""
        names = list(self.by_name) + list(self.by_alias)
        found = [m for m in names if len(m) >= 2 and (text in m or m in text)][:n]
        if len(names) + len(self.name_of) <= 20000:
            found += difflib.get_close_matches(text, names + list(self.name_of), n=n, cutoff=0.5)
        out: list[str] = []
        for m in found:
            ids = self.by_name.get(m) or self.by_alias.get(m) or {m}
            for i in sorted(ids):
                label = f"{self.name_of.get(i, m)} ({i})"
                if label not in out:
                    out.append(label)
        return out[:n]


def _invert(pairs) -> dict[str, set[str]]:
    """``{name: {ids}}`` from ``(id, name)`` pairs (empty names skipped)."""
    out: dict[str, set[str]] = {}
    for i, name in pairs:
        if name:
            out.setdefault(name, set()).add(i)
    return out


class Resolver:
    """Resolves every ``ref:`` cell of a batch to an id, against the batch and the store."""

    def __init__(self, parsed: dict[str, list[tuple[int, dict]]], existing: AtlasStore | None):
        self.parsed, self.existing = parsed, existing
        self.pools: dict[str, Pool] = {}
        self._cache: dict[tuple[str, str], object] = {}

    def pool(self, table: str) -> Pool:
        """The (lazily built, cached) names of ``table``."""
        if table not in self.pools:
            self.pools[table] = Pool(table, self.parsed.get(table, []), self.existing)
        return self.pools[table]

    def resolve_table(self, rt: RawTable, rows: list[tuple[int, dict]], problems: list[InputProblem]) -> None:
        """Replace names by ids in place; report unknown and ambiguous references."""
        refs = [(c.name, c.kind.split(":", 1)[1]) for c in schema.TABLES[rt.table].columns
                if c.kind.startswith("ref:")]
        for number, row in rows:
            for col, target in refs:
                text = row[col]
                if not text:
                    continue
                key = (target, text)
                if key not in self._cache:
                    try:
                        self._cache[key] = self.pool(target).resolve(text)
                    except BadCell as bad:
                        self._cache[key] = bad
                hit = self._cache[key]
                if isinstance(hit, BadCell):
                    problems.append(InputProblem(rt.file, rt.sheet, number, col, text, hit.message, hit.fix))
                else:
                    row[col] = hit


def _truthy(value) -> bool:
    """A stored cycle_ok as a bool: None, NaN, NA and text count as False."""
    try:
        return not isinstance(value, str) and value == value and bool(value)
    except (TypeError, ValueError):
        return False


def check_cycles(rt: RawTable, rows: list[tuple[int, dict]], resolver: Resolver,
                 existing: AtlasStore | None, problems: list[InputProblem]) -> None:
    """Report each cycle of product flows (batch over store) that no flow declares ``cycle_ok``."""
    import networkx as nx

    pool = resolver.pool("products")
    edges: dict[tuple[str, str], tuple[bool, int | None]] = {}
    if existing is not None:
        old = existing.table("product_flows")
        for u, v, ok in zip(old["from_product"], old["to_product"], old["cycle_ok"]):
            edges[(str(u), str(v))] = (_truthy(ok), None)
    for number, row in rows:
        u, v = row["from_product"], row["to_product"]
        if u in pool.name_of and v in pool.name_of:
            edges[(u, v)] = (row["cycle_ok"] is True, number)
    g = nx.DiGraph(e for e, (ok, _) in edges.items() if not ok)
    for comp in nx.strongly_connected_components(g):
        first = next(iter(comp))
        if len(comp) == 1 and not g.has_edge(first, first):
            continue
        cycle = nx.find_cycle(g.subgraph(comp))
        numbers = sorted(edges[e][1] for e in cycle if edges[e][1] is not None)
        if not numbers:
            continue  # already in the store before this batch
        path = " → ".join(f"{pool.name_of.get(u) or u}({u})" for u, _ in cycle)
        path += f" → {pool.name_of.get(cycle[0][0]) or cycle[0][0]}({cycle[0][0]})"
        problems.append(InputProblem(
            rt.file, rt.sheet, numbers[0], None, path,
            f"产品流向成环 flows form a cycle (rows {', '.join(map(str, numbers))})",
            "Remove or reverse one of these flows, or set cycle_ok = 是 on one of them "
            "if the loop is real (e.g. recycling 回收利用)."))
