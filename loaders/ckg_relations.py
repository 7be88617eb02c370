"""product_product.json → product flows (上游材料 / 下游产品) and product subclasses (产品小类),
with the cycles of a noisy source handled: :func:`back_edges` finds the edges that close one."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from loaders.ckg_read import CkgReport
from graph.text import norm_series

FLOW_RELS = {"上游材料": ("to", "from"), "下游产品": ("from", "to")}    # relation -> (flow source, flow target) entity
SUBCLASS_REL = "产品小类"


def back_edges(src: list[str], dst: list[str]) -> set[tuple[str, str]]:
    """Edges whose removal leaves the graph acyclic: the back edges of a depth-first search
    (nodes visited in sorted order, so the result is deterministic), plus self-loops. Edges that
    cannot be on a cycle are peeled off first (vectorised); only strongly connected parts are
    searched.

    >>> sorted(back_edges(["a", "b", "c", "c", "d"], ["b", "c", "a", "d", "d"]))
    [('c', 'a'), ('d', 'd')]
    """
    out: set[tuple[str, str]] = {(u, v) for u, v in zip(src, dst) if u == v}
    codes, nodes = pd.factorize(pd.Series(list(src) + list(dst), dtype=object))
    tail, head = codes[:len(src)], codes[len(src):]
    keep = tail != head
    while True:    # peel edges that cannot be on a cycle (no way into their tail / out of their head)
        indeg = np.bincount(head[keep], minlength=len(nodes))
        outdeg = np.bincount(tail[keep], minlength=len(nodes))
        new = keep & (indeg[tail] > 0) & (outdeg[head] > 0)
        if new.sum() == keep.sum():
            break
        keep = new
    g = nx.DiGraph()
    g.add_edges_from(zip(nodes[tail[keep]].tolist(), nodes[head[keep]].tolist()))
    for comp in nx.strongly_connected_components(g):
        if len(comp) < 2:
            continue
        sub = {u: sorted(v for v in g.successors(u) if v in comp) for u in comp}
        state: dict[str, int] = {}          # 1 = on the stack, 2 = done
        for root in sorted(comp):
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(sub[root]))]
            while stack:
                u, it = stack[-1]
                v = next(it, None)
                if v is None:
                    state[u] = 2
                    stack.pop()
                elif state.get(v) == 1:
                    out.add((u, v))
                elif v not in state:
                    state[v] = 1
                    stack.append((v, iter(sub[v])))
    return out


def relation_tables(pp: pd.DataFrame, pid_of: dict, rep: CkgReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    """product_product.json as (product_flows, product_subclasses) rows: flows closing a cycle
    marked ``cycle_ok``, subclass links closing one dropped."""
    f = "product_product.json"
    if not len(pp):
        return pd.DataFrame(columns=["from_product", "to_product"]), pd.DataFrame(columns=["product", "parent"])
    pp = pp.assign(a=pp["from_entity"].astype("string").fillna("").str.strip().map(pid_of),
                   b=pp["to_entity"].astype("string").fillna("").str.strip().map(pid_of),
                   rel=norm_series(pp["rel"]))
    pp["raw"] = (pp["from_entity"].astype("string").fillna("") + " -" + pp["rel"].fillna("") + "-> "
                 + pp["to_entity"].astype("string").fillna(""))
    rep.drop(f, "empty or garbage product name", pp[pp["a"].isna() | pp["b"].isna()], "raw")
    pp = pp[pp["a"].notna() & pp["b"].notna()]
    rep.drop(f, "unknown relation", pp[~pp["rel"].isin([*FLOW_RELS, SUBCLASS_REL])], "raw")
    pp = pp[pp["rel"].isin([*FLOW_RELS, SUBCLASS_REL])]
    rep.drop(f, "self-loop", pp[pp["a"] == pp["b"]], "raw")
    pp = pp[pp["a"] != pp["b"]]
    end = {"from": "a", "to": "b"}
    flows = pd.concat([pd.DataFrame({"from_product": rows[end[src]], "to_product": rows[end[dst]],
                                     "_line": rows["_line"], "raw": rows["raw"]})
                       for rel, (src, dst) in FLOW_RELS.items() for rows in [pp[pp["rel"] == rel]]])
    flows = flows.sort_values("_line", kind="stable")
    rep.drop(f, "duplicate flow", flows[flows.duplicated(["from_product", "to_product"])], "raw")
    flows = flows.drop_duplicates(["from_product", "to_product"])
    flows["cycle_ok"] = _closes_cycle(flows, "from_product", "to_product")
    rep.cycle_ok = int(flows["cycle_ok"].sum())
    rep.merged["flows marked cycle_ok"] = rep.cycle_ok
    sc = pp[pp["rel"] == SUBCLASS_REL]
    subs = pd.DataFrame({"product": sc["b"], "parent": sc["a"], "_line": sc["_line"], "raw": sc["raw"]})
    rep.drop(f, "duplicate subclass", subs[subs.duplicated(["product", "parent"])], "raw")
    subs = subs.drop_duplicates(["product", "parent"])
    bad = _closes_cycle(subs, "product", "parent")
    rep.drop(f, "subclass cycle", subs[bad], "raw")
    subs = subs[[not x for x in bad]]
    rep.use(f, "product flows", len(flows))
    rep.use(f, "product subclasses", len(subs))
    return flows, subs


def _closes_cycle(edges: pd.DataFrame, tail: str, head: str) -> list[bool]:
    """Per row of ``edges``: is the edge ``tail`` → ``head`` one of the :func:`back_edges` of all rows?"""
    src, dst = edges[tail].tolist(), edges[head].tolist()
    back = back_edges(src, dst)
    return [(a, b) in back for a, b in zip(src, dst)]
