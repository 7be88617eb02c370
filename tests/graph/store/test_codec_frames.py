"""codec.columns_frame: pandas' private fast constructor and the plain build behind it give one frame."""
from unittest import mock

import numpy as np
import pandas as pd

from graph.store.embedded import codec


def _plain(arrays, columns):
    with mock.patch.object(pd.DataFrame, "_from_arrays", side_effect=AttributeError):
        return codec.columns_frame(arrays, columns)


def test_columns_frame_equals_the_plain_build():
    for arrays in ([np.array(["甲", None, "乙"], dtype=object), np.array([1.5, np.nan, 2.0]),
                    np.array([True, None, False], dtype=object)],
                   [np.array([], dtype=object), np.array([], dtype=float), np.array([], dtype=object)]):
        fast, plain = codec.columns_frame(arrays, ["id", "x", "flag"]), _plain(arrays, ["id", "x", "flag"])
        pd.testing.assert_frame_equal(fast, plain)
        assert fast.dtypes.astype(str).tolist() == ["object", "float64", "object"]


def test_frame_decodes_rows_into_the_same_frame_either_way():
    rows = [("a", 1.0, '["x","y"]', 1), (None, None, None, 0)]
    kinds = {"x": "float", "tags": "list", "ok": "bool"}
    fast = codec.frame(rows, ["id", "x", "tags", "ok"], kinds)
    with mock.patch.object(pd.DataFrame, "_from_arrays", side_effect=AttributeError):
        plain = codec.frame(rows, ["id", "x", "tags", "ok"], kinds)
    pd.testing.assert_frame_equal(fast, plain)
    assert fast["ok"].tolist() == [True, False] and np.isnan(fast["x"].iloc[1])
