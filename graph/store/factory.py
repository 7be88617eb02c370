"""Open the store that the settings point at.

The factory lives apart from the contract (:mod:`graph.store.contract`) so that the two
implementations can import the contract without the contract importing them back.
"""
from __future__ import annotations

from graph.settings import Settings
from graph.store.contract import AtlasStore


def open_store(settings: Settings | None = None) -> AtlasStore:
    """Open the store the settings point at. Raises StoreUnavailable with a hint on failure.

    >>> from graph.settings import Settings
    >>> import tempfile
    >>> open_store(Settings(db=tempfile.mkdtemp())).is_empty()
    True
    """
    settings = settings or Settings.from_env()
    if settings.backend == "neo4j":
        from graph.store.neo4j.store import Neo4jStore
        return Neo4jStore.connect(settings)
    from graph.store.embedded.store import EmbeddedStore
    return EmbeddedStore(settings.db)
