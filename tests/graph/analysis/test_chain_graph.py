"""ChainGraph centrality: the same floats as networkx and as the frame-based computation."""
import random

import networkx as nx
import pandas as pd
import pytest

from graph.analysis.chain_graph import ChainGraph, betweenness


def _graphs(count: int = 120):
    rnd = random.Random(7)
    for k in range(count):
        g = nx.gnp_random_graph(rnd.randint(0, 30), rnd.random() * 0.3, directed=True, seed=k)
        if k % 2:   # chains are DAGs: edges upstream -> downstream only
            dag = nx.DiGraph([(u, v) for u, v in g.edges if u < v])
            dag.add_nodes_from(g.nodes)
            g = dag
        yield nx.relabel_nodes(g, {v: f"P{v:03d}" for v in g.nodes})


@pytest.mark.parametrize("g", list(_graphs()), ids=lambda g: f"{len(g)}n{g.number_of_edges()}e")
def test_betweenness_is_networkx_exactly(g):
    nodes = list(g.nodes)
    succ = {v: list(g.successors(v)) for v in nodes}
    ours = betweenness(nodes, succ) if len(nodes) > 2 else None
    if ours is not None:
        assert ours == nx.betweenness_centrality(g)   # equal floats, not approximately
        assert list(ours) == nodes


@pytest.mark.parametrize("g", list(_graphs(40)), ids=lambda g: f"{len(g)}n{g.number_of_edges()}e")
def test_centrality_frame_as_the_frame_of_networkx_measures(g):
    cg = ChainGraph(nodes={v: {} for v in g.nodes}, edges=[e for e in g.edges if e[0] != e[1]])
    got = cg.centrality_frame()
    nodes = list(g.nodes)
    if not nodes:
        assert got.empty and list(got.columns) == ["betweenness", "degree", "centrality"]
        return
    plain = nx.DiGraph()
    plain.add_nodes_from(nodes)   # (node order decides the order of the sums)
    plain.add_edges_from(cg.edges)
    bc = nx.betweenness_centrality(plain) if len(nodes) > 2 else {n: 0.0 for n in nodes}
    dc = nx.degree_centrality(plain) if len(nodes) > 1 else {n: 0.0 for n in nodes}
    want = pd.DataFrame({"betweenness": pd.Series(bc), "degree": pd.Series(dc)}).reindex(nodes).fillna(0.0)
    parts = [want[c] / want[c].max() if want[c].max() > 0 else want[c] * 0.0 for c in ("betweenness", "degree")]
    want["centrality"] = (parts[0] + parts[1]) / 2
    pd.testing.assert_frame_equal(got, want, check_exact=True)
