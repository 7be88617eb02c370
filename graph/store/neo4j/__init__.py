"""graph.store.neo4j — the Neo4j 5 store, through the official driver (one driver per process).

- :mod:`.store`: :class:`Neo4jStore`, the contract's implementation (connect, load, reads).
- :mod:`.cypher`: every Cypher statement the project runs, valid on Neo4j 5.3 and later; values
  are always parameters, labels and relationship types only from :mod:`graph.schema`.
- :mod:`.rows`: turns an ImportBatch into the parameter rows of the UNWIND batches.
- :mod:`.load`: loads in journaled batches (lock marker, rollback, ``recover``); :mod:`.journal`
  its pure bookkeeping.
- :mod:`.summary`: the provenance summary ``sources()`` reads (maintained by loads).
- :mod:`.bulk`: the offline path — neo4j-admin ``database import full`` files and command.

May import: graph.store.contract and graph's top-level modules; nothing from the embedded store.
"""
