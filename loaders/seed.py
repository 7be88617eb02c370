"""First start: fill an empty store with the configured seed dataset (CHAINATLAS_SEED)."""
from __future__ import annotations

from graph.model import LoadReport
from graph.settings import Settings
from graph.store import AtlasStore, Progress


def ensure_seeded(store: AtlasStore, settings: Settings,
                  progress: Progress | None = None) -> LoadReport | None:
    """Load ``settings.seed_path`` into ``store`` if the store is empty and the seed exists.

    Returns the load report, or None when nothing was loaded (store not empty, seeding
    turned off with ``CHAINATLAS_SEED=none``, or the seed path missing).
    """
    from loaders.workbook import load_path

    seed = settings.seed_path
    if seed is None or not seed.exists() or not store.is_empty():
        return None
    return load_path(store, seed, progress=progress)
