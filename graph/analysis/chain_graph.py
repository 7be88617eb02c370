"""A chain's product graph (networkx DiGraph: upstream input -> downstream output).

Nodes are the chain's product ids (attributes name, stage, segment, key_link); edges are the
chain's FEEDS flows. Centrality (:meth:`ChainGraph.centrality`) is the mean of two measures, each
divided by its maximum in the chain so it lies in 0–1:

- betweenness (directed, normalised): how much flow passes through the product;
- degree (in + out): how many products it directly feeds or is fed by.

>>> import pandas as pd
>>> from graph.store import ChainView
>>> v = ChainView({}, pd.DataFrame({"product_id": ["a", "b", "c"], "name": ["A", "B", "C"],
...     "stage": ["upstream", "midstream", "downstream"], "segment": None, "key_link": False}),
...     pd.DataFrame({"from_product": ["a", "b"], "to_product": ["b", "c"]}), pd.DataFrame(), pd.DataFrame())
>>> g = ChainGraph.from_view(v)
>>> g.upstream("b"), g.downstream("b"), float(g.centrality()["b"])
(['a'], ['c'], 1.0)
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import pandas as pd

from graph.store import ChainView


_CENTRALITY: "OrderedDict[tuple, pd.DataFrame]" = OrderedDict()
_CENTRALITY_LOCK = threading.Lock()


class ChainGraph:
    """Plain dicts (node order = first appearance; successors/predecessors in edge order, as a
    networkx DiGraph built the same way); ``g`` gives that networkx DiGraph when asked."""

    def __init__(self, g=None, *, nodes: dict | None = None, edges: list | None = None):
        if g is not None:
            nodes = {n: dict(a) for n, a in g.nodes(data=True)}
            edges = list(g.edges)
        self.nodes: dict[str, dict] = nodes or {}
        self.edges: list[tuple[str, str]] = edges or []
        self.succ: dict[str, list[str]] = {n: [] for n in self.nodes}
        self.pred: dict[str, list[str]] = {n: [] for n in self.nodes}
        for a, b in self.edges:
            self.succ[a].append(b)
            self.pred[b].append(a)
        self._g = g
        self._names: dict[str, str] = {}
        self._centrality: pd.DataFrame | None = None
        self._memo: dict = {}

    @classmethod
    def from_view(cls, view: ChainView) -> "ChainGraph":
        nodes: dict[str, dict] = {}
        p = view.products
        if len(p):
            cols = {c: p[c].tolist() if c in p.columns else [None] * len(p)
                    for c in ("product_id", "name", "stage", "segment", "key_link")}
            for pid, name, stage, segment, key in zip(*cols.values()):
                nodes.setdefault(str(pid), {}).update(name=name, stage=stage, segment=segment,
                                                      key_link=bool(key or False))
        flows = view.flows if len(view.flows) else pd.DataFrame(columns=["from_product", "to_product"])
        edges, seen = [], set()
        for a, b in zip(flows["from_product"].tolist(), flows["to_product"].tolist()):
            a, b = str(a), str(b)
            if a in nodes and b in nodes and a != b and (a, b) not in seen:
                seen.add((a, b))
                edges.append((a, b))
        return cls(nodes=nodes, edges=edges)

    @property
    def g(self):
        """The networkx DiGraph (built on first use)."""
        if self._g is None:
            import networkx as nx
            g = nx.DiGraph()
            for n, attrs in self.nodes.items():
                g.add_node(n, **attrs)
            g.add_edges_from(self.edges)
            self._g = g
        return self._g

    def memo(self, key, compute):
        """``compute()`` kept on this graph (values derived from the chain alone; treat as read-only)."""
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = compute()
        return hit

    def name(self, pid: str) -> str:
        hit = self._names.get(pid)
        if hit is None:
            node = self.nodes.get(pid)
            hit = self._names[pid] = str(node.get("name") or pid) if node is not None else str(pid)
        return hit

    def upstream(self, pid: str) -> list[str]:
        """Direct inputs of the product (sorted ids)."""
        return sorted(self.pred[pid]) if pid in self.pred else []

    def downstream(self, pid: str) -> list[str]:
        """Direct outputs the product feeds (sorted ids)."""
        return sorted(self.succ[pid]) if pid in self.succ else []

    def inputs_of(self, pids) -> list[str]:
        """Direct inputs of a set of products, minus the products themselves (self-supplied)."""
        made = {p for p in pids if p in self.pred}
        return sorted({u for p in made for u in self.pred[p]} - made)

    def centrality_frame(self) -> pd.DataFrame:
        """Index product_id; columns betweenness, degree (raw networkx values) and centrality (0–1).
        Memoised by the graph's nodes and edges (in order), as every diagnosis of a chain asks again."""
        if self._centrality is None:
            key = (tuple(self.nodes), tuple(self.edges))
            hit = _CENTRALITY.get(key)
            if hit is None:
                hit = self._compute_centrality()
                with _CENTRALITY_LOCK:
                    _CENTRALITY[key] = hit
                    while len(_CENTRALITY) > 64:
                        _CENTRALITY.popitem(last=False)
            self._centrality = hit.copy()
        return self._centrality

    def _compute_centrality(self) -> pd.DataFrame:
        nodes = list(self.nodes)
        if not nodes:
            return pd.DataFrame(columns=["betweenness", "degree", "centrality"], dtype=float)
        bc = betweenness(nodes, self.succ) if len(nodes) > 2 else {n: 0.0 for n in nodes}
        dc = degree(nodes, self.succ, self.pred) if len(nodes) > 1 else {n: 0.0 for n in nodes}
        # (what a frame of the two dicts, reindexed, gives: the same arithmetic on arrays, one frame built)
        cols = {"betweenness": np.array([bc[n] for n in nodes], dtype=float),
                "degree": np.array([dc[n] for n in nodes], dtype=float)}
        parts = [v / v.max() if v.max() > 0 else v * 0.0 for v in cols.values()]
        cols["centrality"] = (parts[0] + parts[1]) / 2
        return pd.DataFrame(cols, index=pd.Index(nodes))

    def centrality(self) -> pd.Series:
        return self.centrality_frame()["centrality"]


def betweenness(nodes: list[str], succ: dict[str, list[str]]) -> dict[str, float]:
    """networkx.betweenness_centrality(G, normalized=True) of a DiGraph, with the same operations
    in the same order (so the same floats), on integer positions instead of dicts.

    >>> betweenness(["a", "b", "c"], {"a": ["b"], "b": ["c"], "c": []})
    {'a': 0.0, 'b': 0.5, 'c': 0.0}
    """
    n = len(nodes)
    at = {v: i for i, v in enumerate(nodes)}
    adj = [[at[w] for w in succ[v]] for v in nodes]
    bc = [0.0] * n
    for s in range(n):   # Brandes: BFS from s, then accumulate dependencies backwards
        if not adj[s]:   # reaches nothing: no dependency to add
            continue
        preds, sigma, dist = [None] * n, [0.0] * n, [-1] * n
        sigma[s], dist[s] = 1.0, 0
        order = [s]      # the BFS queue (iterated while it grows)
        for v in order:
            dv, sv = dist[v] + 1, sigma[v]
            for w in adj[v]:
                dw = dist[w]
                if dw < 0:
                    order.append(w)
                    dist[w], preds[w], sigma[w] = dv, [v], sv   # (0.0 + sv is sv)
                elif dw == dv:
                    sigma[w] += sv
                    preds[w].append(v)
        delta = [0.0] * n
        for w in reversed(order):
            pw = preds[w]
            if pw is None:   # s itself
                continue
            d = delta[w]
            coeff = (1 + d) / sigma[w]
            for v in pw:
                delta[v] += sigma[v] * coeff
            if d:            # (adding 0.0 changes nothing)
                bc[w] += d
    if n - 1 >= 2:
        scale = 1 / ((n - 1) * (n - 2))
        if scale != 1:
            bc = [b * scale for b in bc]
    return dict(zip(nodes, bc))


def degree(nodes: list[str], succ: dict, pred: dict) -> dict[str, float]:
    """networkx.degree_centrality of a DiGraph (in + out degree over n - 1)."""
    s = 1.0 / (len(nodes) - 1.0)
    return {v: (len(pred[v]) + len(succ[v])) * s for v in nodes}
