"""Draft a chain from product flows: the products around one or more core products.

:func:`draft_chain` walks the flow graph ``up`` levels upstream (inputs of inputs …) and
``down`` levels downstream from the core products and returns import tables a person edits and
loads: one chain, its products with stages by distance (ancestors 上游, core 中游, descendants
下游; ``segment`` says the level, e.g. 上游2级), and the flows among them. Noisy products are
left out and not walked through: hubs (more flow neighbours than ``max_degree``), products with
fewer than ``min_degree`` neighbours, and (``exclude_generic``) names that are too short or too
generic (其他, 产品, 服务, 业务 …). Core products are always kept.

:func:`loaders.template.write_draft_workbook` writes the tables as an import workbook (one sheet per table).

>>> flows = pd.DataFrame({"from_product": ["A", "B", "C"], "to_product": ["B", "C", "D"]})
>>> products = pd.DataFrame({"product_id": list("ABCD"), "name": ["矿石", "正极材料", "锂电池", "汽车"]})
>>> b = draft_chain(flows, products, ["锂电池"], up=1, down=1)
>>> b["chain_products"][["product", "stage", "segment"]].values.tolist()
[['B', 'upstream', '上游1级'], ['C', 'midstream', '核心'], ['D', 'downstream', '下游1级']]
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd

from graph.errors import NotFound
from graph.analysis.lookup import suggestions
from graph.model import ImportBatch
from graph.model import table_frame
from graph.text import is_generic, norm_key

SOURCE = "chainatlas draft-chain"
MAX_DEGREE = 60


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


def _walk(start: list[str], nxt: dict[str, set[str]], levels: int, blocked: set[str]) -> dict[str, int]:
    """Breadth-first distances (1..levels) from ``start`` along ``nxt``, not through ``blocked``."""
    dist: dict[str, int] = {}
    frontier = list(start)
    for d in range(1, levels + 1):
        new = []
        for u in frontier:
            for v in sorted(nxt.get(u, ())):
                if v not in dist and v not in start and v not in blocked:
                    dist[v] = d
                    new.append(v)
        frontier = new
    return dist


def draft_chain(flows: pd.DataFrame, products: pd.DataFrame, core: list[str], up: int = 3, down: int = 2,
                exclude_generic: bool = True, min_degree: int = 1, max_degree: int | None = MAX_DEGREE,
                chain_id: str | None = None, name: str | None = None, as_of: str | None = None,
                source: str = SOURCE, degrees: dict[str, int] | None = None) -> ImportBatch:
    """A draft chain around ``core`` (product ids, names or aliases) as an ImportBatch with
    ``chains``, ``products``, ``chain_products`` and ``product_flows`` filled.

    flows: ``from_product``, ``to_product`` (ids; ``cycle_ok`` and provenance kept if present).
    products: ``product_id``, ``name`` (``aliases`` and other product columns kept if present).
    degrees: flow neighbours per product in the whole graph, when ``flows`` is only a part of it
    (see :func:`draft_from_store`); otherwise counted from ``flows``.
    Raises :class:`~graph.errors.NotFound` for a core product that does not exist.
    """
    core_ids = _resolve(list(core), products)
    a, b = flows["from_product"].astype(str).tolist(), flows["to_product"].astype(str).tolist()
    succ: dict[str, set[str]] = defaultdict(set)
    pred: dict[str, set[str]] = defaultdict(set)
    for u, v in zip(a, b):
        if u != v:
            succ[u].add(v)
            pred[v].add(u)
    names = dict(zip(products["product_id"].astype(str), products["name"].astype(str)))
    blocked = set()
    for pid in set(succ) | set(pred) | set(names):
        degree = degrees.get(pid, 0) if degrees is not None else len(succ.get(pid, set()) | pred.get(pid, set()))
        if (max_degree is not None and degree > max_degree) or degree < min_degree \
                or (exclude_generic and is_generic(names.get(pid, pid))) or pid not in names:
            blocked.add(pid)
    blocked -= set(core_ids)
    ups, downs = _walk(core_ids, pred, up, blocked), _walk(core_ids, succ, down, blocked)
    rows = [(0, p, "midstream", "核心", True) for p in core_ids]
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
    return batch


def draft_from_store(store, core: list[str], up: int = 3, down: int = 2, exclude_generic: bool = True,
                     min_degree: int = 1, max_degree: int | None = MAX_DEGREE, **kw) -> ImportBatch:
    """:func:`draft_chain` reading only the neighbourhood it walks: the core products are found by
    id, name or alias, then level by level the flows of the products it may walk through (degree
    and name checked first, so hubs are never expanded), and finally the flows among what it saw.

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
        return pid in core_ids or ((max_degree is None or d <= max_degree) and d >= min_degree
                                   and not (exclude_generic and is_generic(names.get(pid, pid))))

    products, flows = [], []
    learn(core_ids)
    ups, downs = list(core_ids), list(core_ids)
    went_up, went_down = set(core_ids), set(core_ids)   # per direction, as draft_chain walks
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
                       degrees=degrees, **kw)
