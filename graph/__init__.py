"""graph — everything below the faces: the data model, the stores, the engine and the export.

Rooms:
- ``graph/store/``: where the graph lives — the contract, the embedded store, the Neo4j store.
- ``graph/analysis/``: the engine — gap diagnosis, rules, targets, scope, comparison, overview,
  drafting. Pure functions over what a store returns.
- ``graph/export/``: the 清单 tables and their writers, formula safety, snapshots and diff.

Shared pieces at this level, importable from every room: :mod:`graph.schema` (the allow-list of
labels, relationship types and import tables), :mod:`graph.model` (ImportBatch, LoadReport),
:mod:`graph.settings`, :mod:`graph.errors`, :mod:`graph.options` (engine defaults) and
:mod:`graph.text` (text normalisation shared with the loaders).

Layers point one way: loaders/ import graph, the faces (ui/, cli/, app.py) import both, and
graph imports nothing from loaders/, ui/ or cli/ (tests/test_layers.py checks it).
"""
