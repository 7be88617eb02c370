"""Draft a chain from product flows: the products around one or more core products.

:func:`draft_chain` walks the flow graph ``up`` levels upstream (inputs of inputs …) and
``down`` levels downstream from the core products and returns import tables a person edits and
loads: one chain, its products with stages by distance (ancestors 上游, core 中游, descendants
下游; ``segment`` says the level, e.g. 上游2级), and the flows among them. With ``subclasses``
(product, parent rows: CKG's 产品小类) the core's subclasses (two levels down) join the core as
中游 ``核心小类`` and are walked from too, so 锂电池 drafts its 正极材料/电解液/电芯. Noisy
products are left out and not walked through: hubs (more flow neighbours than ``max_degree``,
e.g. recipe hubs such as 鸡蛋/面粉), products with fewer than ``min_degree`` neighbours, and
(``exclude_generic``) names that are too short or too generic (其他, 产品, 服务 …), truncated
model codes (SUV-, XK-2) or not names at all. Core products are always kept. What was left out
next to the draft, and why, is in ``batch.warnings`` (:func:`draft_notes` splits them out); a
draft of fewer than :data:`HANDFUL` products carries a warning too.

:func:`loaders.template.write_draft_workbook` writes the tables as an import workbook (one sheet per table).

>>> flows = pd.DataFrame({"from_product": ["A", "B", "C"], "to_product": ["B", "C", "D"]})
>>> products = pd.DataFrame({"product_id": list("ABCD"), "name": ["矿石", "正极材料", "锂电池", "汽车"]})
>>> b = draft_chain(flows, products, ["锂电池"], up=1, down=1)
>>> b["chain_products"][["product", "stage", "segment"]].values.tolist()
[['B', 'upstream', '上游1级'], ['C', 'midstream', '核心'], ['D', 'downstream', '下游1级']]
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pandas as pd

from graph.errors import NotFound
from graph.analysis.lookup import suggestions
from graph.model import ImportBatch
from graph.model import table_frame
from graph.text import garbage_mask, is_generic, norm_key

SOURCE = "chainatlas draft-chain"
MAX_DEGREE = 60
HANDFUL = 5             # a draft with fewer products is hardly a chain: say so
SUBCLASS_DEPTH = 2
_MODEL_CODE = re.compile(r"^(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9]+(?:[-_./][A-Za-z0-9]*)+$|.*[-_/.(（,，、]$")
FILTERED = "已排除 left out"
SMALL = "草稿过小 small draft"


def noise_reason(name: str, degree: int, min_degree: int, max_degree: int | None, exclude_generic: bool,
                 junk: bool | None = None, links: int | None = None) -> str | None:
    """Why a product is left out of a draft (None: kept). ``degree``: flow neighbours; ``links``:
    neighbours counting subclass links too (default ``degree``), held against ``min_degree``;
    ``junk``: :func:`graph.text.garbage_mask` of the name when already known.

    >>> [noise_reason(n, d, 1, 60, True) for n, d in (("鸡蛋", 240), ("SUV-", 3), ("XK-2", 2), ("其他", 5),
    ...                                               ("---", 1), ("正极材料", 12))]
    ['枢纽 hub: 240 个流向邻居 > 60', '截断的型号 truncated model code', '截断的型号 truncated model code', '名称过于笼统 generic name', '不是名称 not a name', None]
    """
    if max_degree is not None and degree > max_degree:
        return f"枢纽 hub: {degree} 个流向邻居 > {max_degree}"
    if (degree if links is None else links) < min_degree:
        return f"邻居过少 too few neighbours {degree if links is None else links} < {min_degree}"
    if exclude_generic:
        if is_generic(name):
            return "名称过于笼统 generic name"
        if junk if junk is not None else bool(garbage_mask(pd.Series([name])).iloc[0]):
            return "不是名称 not a name"
        if _MODEL_CODE.match(name):
            return "截断的型号 truncated model code"
    return None


def _resolve(core: list[str], products: pd.DataFrame) -> list[str]:
    ids = products["product_id"].astype(str).tolist()
    by_id = set(ids)
    by_name: dict[str, list[str]] = defaultdict(list)
    aliases = products["aliases"].tolist() if "aliases" in products.columns else [[]] * len(ids)
    for pid, name, al in zip(ids, products["name"].tolist(), aliases):
        by_name[norm_key(name)].append(pid)
        for a in al if isinstance(al, (list, tuple)) else []:
            if pid not in by_name[norm_key(a)]:
                by_name[norm_key(a)].append(pid)
    out = []
    for text in core:
        hits = [text] if text in by_id else by_name.get(norm_key(text), [])
        if not hits:
            raise NotFound("产品", text, suggestions(text, products["name"].astype(str).tolist()))
        out += [h for h in hits[:1] if h not in out]
    return out


def _walk(start: list[str], nxt: dict[str, set[str]], levels: int, blocked: set[str],
          met: set[str] | None = None) -> dict[str, int]:
    """Breadth-first distances (1..levels) from ``start`` along ``nxt``, not through ``blocked``
    (the blocked products met on the way are added to ``met``)."""
    dist: dict[str, int] = {}
    frontier = list(start)
    for d in range(1, levels + 1):
        new = []
        for u in frontier:
            for v in sorted(nxt.get(u, ())):
                if v in blocked and met is not None:
                    met.add(v)
                if v not in dist and v not in start and v not in blocked:
                    dist[v] = d
                    new.append(v)
        frontier = new
    return dist


def draft_chain(flows: pd.DataFrame, products: pd.DataFrame, core: list[str], up: int = 3, down: int = 2,
                exclude_generic: bool = True, min_degree: int = 1, max_degree: int | None = MAX_DEGREE,
                chain_id: str | None = None, name: str | None = None, as_of: str | None = None,
                source: str = SOURCE, degrees: dict[str, int] | None = None,
                subclasses: pd.DataFrame | None = None) -> ImportBatch:
    """A draft chain around ``core`` (product ids, names or aliases) as an ImportBatch with
    ``chains``, ``products``, ``chain_products`` and ``product_flows`` filled.

    flows: ``from_product``, ``to_product`` (ids; ``cycle_ok`` and provenance kept if present).
    products: ``product_id``, ``name`` (``aliases`` and other product columns kept if present).
    degrees: flow neighbours per product in the whole graph, when ``flows`` is only a part of it
    (see :func:`draft_from_store`); otherwise counted from ``flows``.
    subclasses: ``product``, ``parent`` (optional): the core's subclasses join the core.
    Raises :class:`~graph.errors.NotFound` for a core product that does not exist.
    """
    core_ids = _resolve(list(core), products)
    core_set = set(core_ids)
    a, b = flows["from_product"].astype(str).tolist(), flows["to_product"].astype(str).tolist()
    succ: dict[str, set[str]] = defaultdict(set)
    pred: dict[str, set[str]] = defaultdict(set)
    for u, v in zip(a, b):
        if u != v:
            succ[u].add(v)
            pred[v].add(u)
    names = dict(zip(products["product_id"].astype(str), products["name"].astype(str)))
    junk = dict(zip(names, garbage_mask(pd.Series(list(names.values()), dtype=object)).tolist()))
    sub_links: dict[str, int] = defaultdict(int)
    if subclasses is not None and len(subclasses):
        for p in subclasses["product"].astype(str).tolist() + subclasses["parent"].astype(str).tolist():
            sub_links[p] += 1
    why: dict[str, str] = {}
    for pid in set(succ) | set(pred) | set(names):
        degree = degrees.get(pid, 0) if degrees is not None else len(succ.get(pid, set()) | pred.get(pid, set()))
        reason = "未知产品 unknown product" if pid not in names else \
            noise_reason(names[pid], degree, min_degree, max_degree, exclude_generic, junk[pid],
                         degree + sub_links.get(pid, 0))
        if reason and pid not in core_set:
            why[pid] = reason
    blocked = set(why)
    met: set[str] = set()
    children = _subclasses(core_ids, subclasses, blocked, met)
    start = core_ids + children
    ups, downs = _walk(start, pred, up, blocked, met), _walk(start, succ, down, blocked, met)
    rows = [(0, p, "midstream", "核心", True) for p in core_ids]
    rows += [(0, p, "midstream", "核心小类", False) for p in children]
    for p in set(ups) | set(downs):
        if ups.get(p, 99) <= downs.get(p, 99):
            rows.append((-ups[p], p, "upstream", f"上游{ups[p]}级", False))
        else:
            rows.append((downs[p], p, "downstream", f"下游{downs[p]}级", False))
    rows = [r[1:] for r in sorted(rows, key=lambda r: (r[0], names.get(r[1], r[1]), r[1]))]
    keep = [r[0] for r in rows]
    as_of = as_of or dt.date.today().isoformat()
    core_names = [names[c] for c in core_ids]
    chain_id = chain_id or "DRAFT-" + "-".join(core_names)
    batch = ImportBatch.empty(source=source)
    kw = dict(source=source, as_of=as_of)
    batch.tables["chains"] = table_frame("chains", pd.DataFrame(
        {"chain_id": [chain_id], "name": [name or "、".join(core_names) + "产业链"]}), **kw)
    batch.tables["chain_products"] = table_frame("chain_products", pd.DataFrame(
        rows, columns=["product", "stage", "segment", "key_link"]).assign(chain=chain_id), **kw)
    prods = products[products["product_id"].astype(str).isin(keep)].copy()
    prods["_o"] = prods["product_id"].astype(str).map({p: i for i, p in enumerate(keep)})
    batch.tables["products"] = table_frame("products", prods.sort_values("_o"), **kw)
    mask = flows["from_product"].astype(str).isin(keep) & flows["to_product"].astype(str).isin(keep)
    fl = flows[mask & (flows["from_product"].astype(str) != flows["to_product"].astype(str))]
    fl = fl.drop_duplicates(["from_product", "to_product"])
    if "cycle_ok" in fl.columns:
        fl = fl.assign(cycle_ok=fl["cycle_ok"].map(lambda v: v is True or v == 1))
    batch.tables["product_flows"] = table_frame("product_flows", fl, **kw)
    batch.warnings = [f"{FILTERED}: {names.get(p, p)} — {why[p]}" for p in sorted(met, key=lambda p: names.get(p, p))]
    if len(keep) < HANDFUL:
        batch.warnings.append(f"{SMALL}: 只有 {len(keep)} 个产品 only {len(keep)} products (< {HANDFUL}); "
                              "widen --up/--down, raise --max-degree or pick another core product")
    return batch


def draft_from_store(store, core: list[str], up: int = 3, down: int = 2, exclude_generic: bool = True,
                     min_degree: int = 1, max_degree: int | None = MAX_DEGREE,
                     subclasses: pd.DataFrame | None = None, **kw) -> ImportBatch:
    """:func:`draft_chain` reading only the neighbourhood it walks: the core products are found by
    id, name or alias (with ``subclasses``, their 产品小类 join them), then level by level the flows
    of the products it may walk through (degree and name checked first, so hubs are never
    expanded), and finally the flows among what it saw.

    >>> import tempfile
    >>> from graph.store.embedded.store import EmbeddedStore
    >>> draft_from_store(EmbeddedStore(tempfile.mkdtemp()), ["锂电池"])
    Traceback (most recent call last):
    ...
    graph.errors.NotFound: 未找到产品“锂电池”
    """
    found = store.find_products(core)
    if len(found) < len(set(core)):   # a spelling that only matches after normalising: the id/name list
        found = store.node_names("products").rename(columns={"id": "product_id"})
    core_ids = _resolve(list(core), found)
    seen, degrees, names = set(), {}, {}

    def learn(ids) -> None:
        new = [i for i in ids if i not in seen]
        seen.update(new)
        if new:
            deg = store.flow_degrees(new)
            degrees.update(zip(deg["product_id"], deg["degree"].astype(int)))
            rows = store.products(new)
            names.update(zip(rows["product_id"].astype(str), rows["name"].astype(str)))
            products.append(rows)

    def walkable(pid: str) -> bool:
        d = degrees.get(pid, 0)
        return pid in start or ((max_degree is None or d <= max_degree) and d >= min_degree
                                and not (exclude_generic and is_generic(names.get(pid, pid))))

    products, flows = [], []
    learn(core_ids)
    start = list(core_ids)
    if subclasses is not None and len(subclasses):      # the core's subclasses are walked from too
        kids: dict[str, set[str]] = defaultdict(set)
        for child, parent in zip(subclasses["product"].astype(str), subclasses["parent"].astype(str)):
            kids[parent].add(child)
        start += list(_walk(core_ids, kids, SUBCLASS_DEPTH, set()))
        learn(start)
    ups, downs = list(start), list(start)
    went_up, went_down = set(start), set(start)   # per direction, as draft_chain walks
    for level in range(max(up, down)):
        ups = [p for p in ups if walkable(p)] if level < up else []
        downs = [p for p in downs if walkable(p)] if level < down else []
        f = store.product_flows_of(set(ups) | set(downs))
        flows.append(f)
        a, b = f["from_product"].astype(str), f["to_product"].astype(str)
        ups, downs = sorted(set(a[b.isin(ups)]) - went_up), sorted(set(b[a.isin(downs)]) - went_down)
        went_up.update(ups)
        went_down.update(downs)
        learn(ups + downs)
    last = [p for p in set(ups) | set(downs) if walkable(p)]   # flows among the last level's products
    flows.append(store.product_flows_of(last))
    all_flows = (pd.concat(flows, ignore_index=True).drop_duplicates(["from_product", "to_product"])
                 .sort_values(["from_product", "to_product"], ignore_index=True))
    inside = all_flows["from_product"].isin(seen) & all_flows["to_product"].isin(seen)
    return draft_chain(all_flows[inside], pd.concat(products, ignore_index=True), core_ids, up=up, down=down,
                       exclude_generic=exclude_generic, min_degree=min_degree, max_degree=max_degree,
                       degrees=degrees, subclasses=subclasses, **kw)


def _subclasses(core: list[str], subclasses: pd.DataFrame | None, blocked: set[str], met: set[str]) -> list[str]:
    """Subclasses of the core products, up to :data:`SUBCLASS_DEPTH` levels down, noise left out."""
    if subclasses is None or not len(subclasses):
        return []
    kids: dict[str, set[str]] = defaultdict(set)
    for child, parent in zip(subclasses["product"].astype(str), subclasses["parent"].astype(str)):
        kids[parent].add(child)
    found = _walk(core, kids, SUBCLASS_DEPTH, blocked, met)
    return sorted(found, key=lambda p: (found[p], p))


def draft_notes(batch: ImportBatch) -> tuple[list[str], list[str]]:
    """(left-out products with their reason, other warnings) of a draft."""
    left = [w.split(": ", 1)[1] for w in batch.warnings if w.startswith(FILTERED + ": ")]
    return left, [w for w in batch.warnings if not w.startswith(FILTERED + ": ")]

