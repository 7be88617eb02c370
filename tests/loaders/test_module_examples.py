"""The doc examples of the modules added for real-world imports (#11) run and hold."""
from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["loaders.region_infer", "loaders.ckg_companies", "loaders.reference_regions",
                                    "graph.analysis.draft", "graph.schema"])
def test_doc_examples(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0, result
