"""graph.store — where the graph lives.

- :mod:`graph.store.contract`: the :class:`AtlasStore` interface every store implements, with the
  exact columns each read returns, and :class:`Scope` / :class:`ChainView`. Re-exported here.
- :mod:`graph.store.factory`: :func:`open_store`, which picks an implementation from the settings.
- :mod:`graph.store.embedded`: the default store, SQLite in a directory (no server).
- :mod:`graph.store.neo4j`: the Neo4j 5 store (official driver); all of its Cypher is in
  :mod:`graph.store.neo4j.cypher`.

May import: graph's top-level modules (schema, model, settings, errors, text). Never the
analysis engine, the export, loaders/ or the faces. Only the factory imports an implementation.
"""
from graph.store.contract import (HISTORY_COLUMNS, MAKER_COLUMNS, PROJECT_COLUMNS, AtlasStore, ChainView, Progress,
                                  Scope)

__all__ = ["HISTORY_COLUMNS", "MAKER_COLUMNS", "PROJECT_COLUMNS", "AtlasStore", "ChainView", "Progress", "Scope"]
