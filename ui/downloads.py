"""Download buttons for the 缺链补链招商清单 (gap list), built by :mod:`graph.export.build`.

The files are generated only when a button is clicked (``st.download_button`` with a callable,
run off the script thread), from one :func:`graph.export.build.build_export` shared by the formats and
memoised per (store generation, chain, place, options).
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import date

import streamlit as st

from graph.options import Weights
from ui import state

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MEMO: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\r\n\t]', "_", name)


safe_name = _safe  # a file name without characters Windows/macOS refuse


def build(store, key: tuple, chain_id: str, place_id: str, thresholds, weights: Weights, top: int, enclave: bool):
    """The GapExport for one chain in one place (memoised, 8 most recent)."""
    export = _export()
    with _LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
    result = export.build_export(store, chains=[chain_id], region=place_id, thresholds=thresholds, weights=weights,
                                 top=top, enclave_attribution=enclave)
    with _LOCK:
        _MEMO[key] = result
        while len(_MEMO) > 8:
            _MEMO.popitem(last=False)
    return result


def _export():
    """graph.export.build, imported when a file is made (it imports openpyxl: ~0.3 s on a first page)."""
    from graph.export import build as export
    return export


def makers(sel: state.Selection, weights: Weights, top: int) -> dict:
    """format -> (label, callable returning bytes, file name, mime)."""
    store = state.store()
    from ui.projects import project_token
    base = (state.db_key(), state.generation())

    def get():   # the projects are read when a file is made, not on every run of the page
        key = (*base, project_token(store), sel.chain_id, sel.place_id, sel.thresholds, weights, top, sel.enclave)
        return build(store, key, sel.chain_id, sel.place_id, sel.thresholds, weights, top, sel.enclave)
    stem = _safe(f"缺链补链招商清单_{sel.chain_name}_{sel.place_name}_{date.today():%Y%m%d}")
    return {
        "xlsx": ("⬇ Excel 清单（全部表）", lambda: _export().to_xlsx_bytes(get()), stem + ".xlsx", XLSX),
        "csv": ("⬇ CSV 缺口清单", lambda: _export().to_csv_bytes(get(), "gaps"), stem + "_缺口清单.csv", "text/csv"),
        "zip": ("⬇ CSV 全部表（zip）", lambda: _export().to_csv_zip_bytes(get()), stem + "_csv.zip", "application/zip"),
        "json": ("⬇ JSON", lambda: _export().to_json_bytes(get()), stem + ".json", "application/json"),
    }


def buttons(sel: state.Selection, weights: Weights, top: int) -> None:
    """One row of download buttons (xlsx / csv / zip of csv / json)."""
    cols = st.columns(4)
    for col, (fmt, (label, data, name, mime)) in zip(cols, makers(sel, weights, top).items()):
        col.download_button(label, data=data, file_name=name, mime=mime, key=f"download_{fmt}",
                            on_click="ignore", width="stretch")


def matching_button(sel: state.Selection, weights: Weights, top: int) -> None:
    """Download of the 链主供需对接清单 (the export's ``matching`` table) as CSV."""
    store = state.store()
    key = (state.db_key(), state.generation(), sel.chain_id, sel.place_id, sel.thresholds, weights, top, sel.enclave)
    stem = _safe(f"链主供需对接清单_{sel.chain_name}_{sel.place_name}_{date.today():%Y%m%d}")
    st.download_button("⬇ 下载供需对接清单（CSV，全部链主）", key="download_matching", on_click="ignore",
                       data=lambda: _export().to_csv_bytes(build(store, key, sel.chain_id, sel.place_id, sel.thresholds,
                                                              weights, top, sel.enclave), "matching"),
                       file_name=stem + ".csv", mime="text/csv")
