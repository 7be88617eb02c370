"""Normalisation shared by the real-world loaders (CKG, 企业名录) and the chain drafter: one
import surface for three modules.

- :mod:`graph.text`: :func:`norm_text` / :func:`norm_series` / :func:`norm_key` /
  :func:`norm_header`, :func:`garbage_mask`, :func:`is_generic` / :func:`generic_mask`, :func:`isin`.
- :mod:`loaders.region_index`: :class:`RegionIndex` (division names → 6-digit codes),
  :func:`short_forms`, :func:`load_reference_regions`, :func:`missing_region_rows`.
- :mod:`loaders.batch_tables`: :func:`table_frame`, :func:`merge_stored`, :func:`check_batch`.

>>> norm_text("  锂\u3000电池（ＬＦＰ）  ")
'锂电池(LFP)'
"""
from __future__ import annotations

from loaders.batch_tables import check_batch, merge_stored, table_frame
from loaders.region_index import (REFERENCE_REGIONS, RegionIndex, load_reference_regions, missing_region_rows,
                                  short_forms)
from graph.text import (GENERIC_NAMES, JUNK_NAMES, MAX_NAME, garbage_mask, generic_mask, is_generic, isin,
                               norm_header, norm_key, norm_series, norm_text)

__all__ = ["GENERIC_NAMES", "JUNK_NAMES", "MAX_NAME", "REFERENCE_REGIONS", "RegionIndex", "check_batch",
           "garbage_mask", "generic_mask", "is_generic", "isin", "load_reference_regions", "merge_stored",
           "missing_region_rows", "norm_header", "norm_key", "norm_series", "norm_text", "short_forms",
           "table_frame"]
