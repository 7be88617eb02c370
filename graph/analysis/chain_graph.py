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

import networkx as nx
import pandas as pd

from graph.store import ChainView


_CENTRALITY: "OrderedDict[tuple, pd.DataFrame]" = OrderedDict()
_CENTRALITY_LOCK = threading.Lock()


class ChainGraph:
    def __init__(self, g: nx.DiGraph):
        self.g = g
        self._centrality: pd.DataFrame | None = None

    @classmethod
    def from_view(cls, view: ChainView) -> "ChainGraph":
        g = nx.DiGraph()
        for r in view.products.to_dict(orient="records") if len(view.products) else []:
            g.add_node(str(r["product_id"]), name=r.get("name"), stage=r.get("stage"),
                       segment=r.get("segment"), key_link=bool(r.get("key_link") or False))
        flows = view.flows if len(view.flows) else pd.DataFrame(columns=["from_product", "to_product"])
        for a, b in zip(flows["from_product"], flows["to_product"]):
            a, b = str(a), str(b)
            if a in g and b in g and a != b:
                g.add_edge(a, b)
        return cls(g)

    def name(self, pid: str) -> str:
        return str(self.g.nodes[pid].get("name") or pid) if pid in self.g else str(pid)

    def upstream(self, pid: str) -> list[str]:
        """Direct inputs of the product (sorted ids)."""
        return sorted(self.g.predecessors(pid)) if pid in self.g else []

    def downstream(self, pid: str) -> list[str]:
        """Direct outputs the product feeds (sorted ids)."""
        return sorted(self.g.successors(pid)) if pid in self.g else []

    def inputs_of(self, pids) -> list[str]:
        """Direct inputs of a set of products, minus the products themselves (self-supplied)."""
        made = {p for p in pids if p in self.g}
        return sorted({u for p in made for u in self.g.predecessors(p)} - made)

    def centrality_frame(self) -> pd.DataFrame:
        """Index product_id; columns betweenness, degree (raw networkx values) and centrality (0–1).
        Memoised by the graph's nodes and edges (in order), as every diagnosis of a chain asks again."""
        if self._centrality is None:
            key = (tuple(self.g.nodes), tuple(self.g.edges))
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
        nodes = list(self.g.nodes)
        if not nodes:
            return pd.DataFrame(columns=["betweenness", "degree", "centrality"], dtype=float)
        bc = nx.betweenness_centrality(self.g, normalized=True) if len(nodes) > 2 else {n: 0.0 for n in nodes}
        dc = nx.degree_centrality(self.g) if len(nodes) > 1 else {n: 0.0 for n in nodes}
        f = pd.DataFrame({"betweenness": pd.Series(bc), "degree": pd.Series(dc)}).reindex(nodes).fillna(0.0)
        parts = [f[c] / f[c].max() if f[c].max() > 0 else f[c] * 0.0 for c in ("betweenness", "degree")]
        f["centrality"] = (parts[0] + parts[1]) / 2
        return f

    def centrality(self) -> pd.Series:
        return self.centrality_frame()["centrality"]
