"""graph.store.embedded — the default store: one SQLite database (WAL) in a directory, no server.

- :mod:`.store`: :class:`EmbeddedStore`, the contract's implementation (connections, reads).
- :mod:`.write`: plan and apply an ImportBatch in one transaction; :mod:`.lock`: the one-writer
  file lock; :mod:`.codec`: DDL and value encoding; :mod:`.explore`: chain views, search and
  neighbourhoods; :mod:`.makers`: the cached makers index behind ``makers()``.

May import: graph.store.contract and graph's top-level modules; nothing from the Neo4j store.
"""
