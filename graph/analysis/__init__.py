"""graph.analysis — the engine: pure functions over what a store returns (networkx, pandas).

- :mod:`.gaps`: :func:`diagnose`, a chain's 缺链/弱链/断链 report for a place; its rules are in
  :mod:`.gap_rules` and its summary (priority, grade, coverage, 链主 sourcing) in :mod:`.gap_summary`.
- :mod:`.targets`: :func:`rank_targets`, enterprises elsewhere that could fill a gap, scored.
- :mod:`.scope`: places (province/city/county/park) and which enterprises count as local;
  :mod:`.location`: local / outside / unknown for a place (unknown is never a gap: 待核实);
  :mod:`.verify`: the 核实清单 (whose location to check first); :mod:`.geo`: provinces, neighbours,
  distances.
- :mod:`.compare`: the city/county × link matrix; :mod:`.overview`: every chain in one table.
- :mod:`.chain_graph`: a chain's product graph and centrality; :mod:`.frame_utils`: small frame helpers.
- :mod:`.lookup`: names or ids to rows, with suggestions; :mod:`.draft`: draft a chain from a
  product graph (CKG).

May import: graph's top-level modules and graph.store (the contract only, never an
implementation). Never graph.export, loaders/ or the faces.
"""
