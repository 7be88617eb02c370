"""Reference resolution (``ref:`` cells -> ids), duplicate keys and cycles of product flows, over the
column-wise tables of :mod:`loaders.validate`.

A reference is resolved once per distinct text: ids are recognised in bulk (Arrow ``is_in``
against the batch's ids, then the store's); only the other texts (names, aliases, typos) go
through :class:`Pool`, which is built lazily, so a batch that references by id never builds a
name index of a million enterprises.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph import schema
from graph.errors import InputProblem
from graph.store import AtlasStore
from loaders.cells import BadCell, is_text_kind as cells_are_values, spread
from loaders.problems import ProblemList, kind, take


@dataclass
class ParsedColumn:
    """One column, by distinct text: ``codes`` (per row) index ``distinct`` (Arrow texts) and
    ``values`` (parsed value, resolved id, or the text itself when bad); ``errors`` maps the index
    of each bad distinct text to its problem."""

    kind: str
    codes: np.ndarray
    distinct: pa.Array
    values: np.ndarray
    errors: dict[int, BadCell] = field(default_factory=dict)
    remapped: bool = False          # resolution mapped two distinct texts to one id

    @property
    def empty(self) -> int:
        """Index of the empty text among the distinct texts, -1 if no cell is empty."""
        return pc.index(self.distinct, "").as_py() if len(self.distinct) else -1

    def canonical(self) -> tuple[np.ndarray, bool]:
        """Per-row int64 codes, equal where the values are equal, -1 where the cell is empty; and
        whether every code is one distinct value (so the code count tells if values repeat)."""
        if cells_are_values(self.kind) and not self.remapped:
            codes, empty = self.codes.astype(np.int64), self.empty
            return (np.where(codes == empty, -1, codes) if empty >= 0 else codes), True
        vals = pd.Series([None if v == "" else v for v in self.values.tolist()], dtype=object)
        canon, _ = pd.factorize(vals, use_na_sentinel=True)
        return (canon[self.codes] if len(self.codes) else np.zeros(0, dtype=np.int64)), False

    def row_values(self) -> np.ndarray:
        """Per-row object array of the values (lists copied per row)."""
        return spread(self.values, self.codes, self.kind)

    def ok_rows(self) -> np.ndarray:
        """Per-row bool: the cell is filled and parsed/resolved without a problem."""
        good = np.array([v is not None and v != "" for v in self.values], dtype=bool) \
            if self.values.dtype == object else np.ones(len(self.values), dtype=bool)
        for i in self.errors:
            good[i] = False
        return good[self.codes] if len(self.codes) else np.zeros(0, dtype=bool)


@dataclass
class ParsedTable:
    """A table parsed column-wise: the raw table it came from, row numbers and every schema column."""

    rt: object                      # loaders.read.RawTable
    numbers: np.ndarray
    columns: dict[str, ParsedColumn]

    @property
    def name(self) -> str:
        return self.rt.table

    def __len__(self) -> int:
        return len(self.numbers)


def bad_cell_problems(pt: ParsedTable, column: str, problems: list[InputProblem], skip=()) -> None:
    """One problem per row whose cell in ``column`` is a bad distinct text (but not those in
    ``skip``, already reported)."""
    col = pt.columns[column]
    todo = [i for i in col.errors if i not in skip]
    if not todo:
        return
    rt = pt.rt
    rows = _capped_rows(pt, column, todo, problems)
    texts = col.distinct.to_numpy(zero_copy_only=False)
    for r in rows.tolist():
        code = int(col.codes[r])
        err = col.errors[code]
        problems.append(InputProblem(rt.file, rt.sheet, int(pt.numbers[r]), column, texts[code], err.message, err.fix))


def _capped_rows(pt: ParsedTable, column: str, bad_codes: list[int], problems: list[InputProblem]) -> np.ndarray:
    """Rows whose cell is one of ``bad_codes``, at most the room ``problems`` has per kind of
    error (the others counted as omitted), in row order."""
    col = pt.columns[column]
    bad = np.zeros(len(col.values), dtype=bool)
    bad[bad_codes] = True
    rows = np.flatnonzero(bad[col.codes])
    if not isinstance(problems, ProblemList) or len(rows) <= problems.cap:
        return rows
    kinds = sorted({kind(col.errors[i].message) for i in bad_codes})
    if len(kinds) == 1:
        return take(problems, pt.rt.file, pt.rt.sheet, column, col.errors[bad_codes[0]].message, rows)
    of = np.full(len(col.values), -1, dtype=np.int32)
    example = {}
    for i in bad_codes:
        k = kinds.index(kind(col.errors[i].message))
        of[i] = k
        example.setdefault(k, col.errors[i].message)
    row_kind = of[col.codes[rows]]
    kept = [take(problems, pt.rt.file, pt.rt.sheet, column, example[k], rows[row_kind == k]) for k in example]
    return np.sort(np.concatenate(kept))


ALIASED = ("products", "enterprises")     # node tables whose ``aliases`` name references may use


class Pool:
    """Ids, names and (for products and enterprises) aliases of one node table: this batch over the store."""

    def __init__(self, table: str, parsed: ParsedTable | None, existing: AtlasStore | None):
        t = schema.TABLES[table]
        self.table, self.label = table, t.label
        self.name_of: dict[str, str] = {}
        aliases: dict[str, list[str]] = {}
        if existing is not None:
            stored = existing.node_names(table)
            self.name_of.update((str(i), str(n) if n is not None else "") for i, n in zip(stored["id"], stored["name"]))
            if "aliases" in stored.columns:
                aliases.update((str(i), list(a) if isinstance(a, (list, tuple)) else [])
                               for i, a in zip(stored["id"], stored["aliases"]))
        if parsed is not None and len(parsed):
            keys = parsed.columns[t.key[0]].row_values()
            names = parsed.columns[t.name_column].row_values()
            als = parsed.columns["aliases"].row_values() if table in ALIASED and "aliases" in parsed.columns else None
            for i, (key, name) in enumerate(zip(keys.tolist(), names.tolist())):
                if isinstance(key, str) and key:
                    self.name_of[key] = name if isinstance(name, str) else ""
                    if als is not None:
                        aliases[key] = als[i] if isinstance(als[i], list) else []
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
        where = f"本文件或系统中已有的{self.label}（{self.table}）"
        raise BadCell(f"找不到引用的{self.label} unknown reference to {self.table}",
                      (f"您是不是要找：{'、'.join(cands)}；或先在“{self.label}”表中添加它 (did you mean …)"
                       if cands else f"填写{where}的编号或准确名称"))

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


def _strings(values) -> pa.Array:
    return pa.array([v for v in values if isinstance(v, str) and v], pa.string())


class Resolver:
    """Resolves every ``ref:`` cell of a batch to an id, against the batch and the store."""

    def __init__(self, parsed: dict[str, ParsedTable], existing: AtlasStore | None):
        self.parsed, self.existing = parsed, existing
        self.pools: dict[str, Pool] = {}
        self._ids: dict[str, pa.Array] = {}
        self._stored: dict[str, pa.Array] = {}
        self._cache: dict[tuple[str, str], object] = {}

    def pool(self, table: str) -> Pool:
        """The (lazily built, cached) names of ``table``."""
        if table not in self.pools:
            self.pools[table] = Pool(table, self.parsed.get(table), self.existing)
        return self.pools[table]

    def batch_ids(self, table: str) -> pa.Array:
        """Ids of the batch's rows of a node table (parsed key values, bad ones as text)."""
        if table not in self._ids:
            pt = self.parsed.get(table)
            col = pt.columns[schema.TABLES[table].key[0]] if pt is not None else None
            if col is None:
                self._ids[table] = pa.array([], pa.string())
            elif cells_are_values(col.kind):
                self._ids[table] = col.distinct.filter(pc.not_equal(col.distinct, ""))
            else:
                self._ids[table] = _strings(col.values)
        return self._ids[table]

    def stored_ids(self, table: str) -> pa.Array:
        if table not in self._stored:
            ids = self.existing.node_names(table)["id"] if self.existing is not None else []
            self._stored[table] = _strings(str(i) for i in ids if i is not None)
        return self._stored[table]

    def resolve_table(self, pt: ParsedTable, problems: list[InputProblem]) -> None:
        """Replace names by ids (per distinct text); report unknown and ambiguous references."""
        for c in schema.TABLES[pt.name].columns:
            if not c.kind.startswith("ref:") or not len(pt):
                continue
            target = c.kind.split(":", 1)[1]
            col = pt.columns[c.name]
            texts = col.values                      # distinct texts, None for the empty one
            filled = np.array([t is not None for t in texts], dtype=bool)
            todo = filled & ~pc.is_in(col.distinct, value_set=self.batch_ids(target)).to_numpy(zero_copy_only=False)
            reported = set(col.errors)          # too long: reported when parsed, not resolved
            todo[list(reported)] = False
            if todo.any() and self.existing is not None:
                left = np.flatnonzero(todo)
                stored = pc.is_in(col.distinct.take(pa.array(left)), value_set=self.stored_ids(target))
                todo[left[stored.to_numpy(zero_copy_only=False)]] = False
            for i in np.flatnonzero(todo).tolist():
                key = (target, texts[i])
                if key not in self._cache:
                    try:
                        self._cache[key] = self.pool(target).resolve(texts[i])
                    except BadCell as bad:
                        self._cache[key] = bad
                hit = self._cache[key]
                if isinstance(hit, BadCell):
                    col.errors[i] = hit
                elif hit != texts[i]:
                    texts[i], col.remapped = hit, True
            bad_cell_problems(pt, c.name, problems, skip=reported)


def check_duplicates(pt: ParsedTable, problems: list[InputProblem]) -> None:
    """Report every row whose key (after resolving references) repeats an earlier row's."""
    key = schema.TABLES[pt.name].key
    combo, exact = None, True
    for c in key:
        codes, one = pt.columns[c].canonical()
        exact &= one
        if combo is None:
            combo = codes
        else:
            size = int(codes.max()) + 2 if len(codes) else 1
            combo = np.where((combo < 0) | (codes < 0), -1, combo * size + codes)
    rows = np.flatnonzero(combo >= 0)
    if not len(rows):
        return
    vals = combo[rows]
    col = pt.columns[key[0]]
    if exact and len(key) == 1 and len(rows) == len(col.distinct) - (col.empty >= 0):
        return                              # as many filled rows as distinct values: no repeat
    dup = pd.Series(vals).duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    uniq, first = np.unique(vals, return_index=True)
    first_row = rows[first[np.searchsorted(uniq, vals[dup])]]
    cols = [pt.columns[c] for c in key]
    rt = pt.rt
    dup_rows = take(problems, rt.file, rt.sheet, ", ".join(key), "重复的键 duplicate key", rows[dup])
    for r, f in zip(dup_rows.tolist(), first_row[:len(dup_rows)].tolist()):
        k = tuple(col.values[col.codes[r]] for col in cols)
        problems.append(InputProblem(
            rt.file, rt.sheet, int(pt.numbers[r]), ", ".join(key), " / ".join(map(str, k)),
            f"重复的键：与第 {int(pt.numbers[f])} 行相同 duplicate key",
            f"同一（{', '.join(key)}）只能出现一次：合并这两行或删除其一。"))


def _truthy(value) -> bool:
    """A stored cycle_ok as a bool: None, NaN, NA and text count as False."""
    try:
        return not isinstance(value, str) and value == value and bool(value)
    except (TypeError, ValueError):
        return False


def check_cycles(pt: ParsedTable, resolver: Resolver, existing: AtlasStore | None,
                 problems: list[InputProblem]) -> None:
    """Report each cycle of product flows (batch over store) that no flow declares ``cycle_ok``."""
    import networkx as nx

    edges: dict[tuple[str, str], tuple[bool, int | None]] = {}
    if existing is not None:
        old = existing.table("product_flows")
        for u, v, ok in zip(old["from_product"], old["to_product"], old["cycle_ok"]):
            edges[(str(u), str(v))] = (_truthy(ok), None)
    cols = pt.columns
    good = cols["from_product"].ok_rows() & cols["to_product"].ok_rows()
    us, vs = cols["from_product"].row_values(), cols["to_product"].row_values()
    oks = cols["cycle_ok"].row_values()
    for r in np.flatnonzero(good).tolist():
        edges[(us[r], vs[r])] = (oks[r] is True, int(pt.numbers[r]))
    g = nx.DiGraph(e for e, (ok, _) in edges.items() if not ok)
    for comp in sorted(nx.strongly_connected_components(g), key=min):
        first = min(comp)           # deterministic: the cycle starts at the smallest product id
        if len(comp) == 1 and not g.has_edge(first, first):
            continue
        cycle = nx.find_cycle(g.subgraph(comp), source=first)
        start = min(range(len(cycle)), key=lambda i: cycle[i][0])
        cycle = cycle[start:] + cycle[:start]
        numbers = sorted(edges[e][1] for e in cycle if edges[e][1] is not None)
        if not numbers:
            continue  # already in the store before this batch
        pool = resolver.pool("products")
        path = " → ".join(f"{pool.name_of.get(u) or u}({u})" for u, _ in cycle)
        path += f" → {pool.name_of.get(cycle[0][0]) or cycle[0][0]}({cycle[0][0]})"
        problems.append(InputProblem(
            pt.rt.file, pt.rt.sheet, numbers[0], None, path,
            f"产品流向成环 flows form a cycle (rows {', '.join(map(str, numbers))})",
            "删除或反转其中一条流向；若循环确实存在（如回收利用），在其中一条的“允许循环”（cycle_ok）填 是。"))



def invisible_clashes(raw, parsed: dict[str, ParsedTable], existing: AtlasStore | None) -> list[InputProblem]:
    """Names that became identical to another row's (in this batch or already stored) only because
    zero-width characters were removed while reading (``raw.invisible``): a warning when the
    batch is valid, a problem beside the ambiguous references otherwise."""
    out = []
    for table, cleaned in raw.invisible.items():
        t = schema.TABLES[table]
        pt = parsed.get(table)
        if t.name_column is None or pt is None or not len(pt):
            continue
        names = pt.columns[t.name_column].row_values()
        keys = pt.columns[t.key[0]].row_values()
        rows_of: dict[str, list[tuple[int, str]]] = {}
        for r in np.flatnonzero(np.isin(names, list(cleaned))).tolist():
            rows_of.setdefault(names[r], []).append((int(pt.numbers[r]), str(keys[r])))
        if not rows_of:
            continue
        stored: dict[str, set[str]] = {}
        if existing is not None:
            old = existing.node_names(table)
            for i, n in zip(old["id"], old["name"]):
                if n in rows_of:
                    stored.setdefault(n, set()).add(str(i))
        every = {}
        for r, (n, k) in enumerate(zip(names.tolist(), keys.tolist())):
            if n in rows_of:
                every.setdefault(n, []).append((int(pt.numbers[r]), str(k)))
        for name, hits in rows_of.items():
            ids = {k for _, k in every[name]} | stored.get(name, set())
            if len(ids) < 2:
                continue
            rows = "、".join(str(n) for n, _ in every[name])
            out.append(InputProblem(
                pt.rt.file, pt.rt.sheet, hits[0][0], t.name_column, name,
                f"名称去掉零宽字符后与其他记录同名（rows {rows}; ids {'、'.join(sorted(ids))}） name identical to "
                f"another {table} row after removing zero-width characters",
                "按名称引用会有歧义：请改用编号引用，或改名加以区分 references by this name are ambiguous: "
                "use the ids, or rename one of them"))
    return out
