"""The first page's work without Streamlit: the place a first visit shows, its 总览, and that 总览
made by the load that changed the data.

A first visit (no query parameters) sees the 总览 of every chain in the first province
(:func:`default_place`), with the default thresholds and 飞地 counted for their home region.
Computing it is most of the server's work on the first app start after a load (~0.45 s of CPU
at 1M enterprises, on the same two cores the browser is starting on). :func:`prepare` — run by
``chainatlas load`` once the new data is committed — computes it then and keeps it where the app
reads its results back (ui.result_cache, under the same key as ui.state's 总览), so that start
reads it instead. Only for the embedded store with the result cache on; anything that goes wrong
is logged and leaves the load as it is.

>>> default_place(None, None) is None
True
"""
from __future__ import annotations

import logging
import time

import pandas as pd

from graph.options import DEFAULT_THRESHOLDS, Thresholds

log = logging.getLogger("chainatlas.ui")
DEFAULT_ENCLAVE = True          # 飞地园区按统计归属地计入 (the sidebar's default)


def province_order(chains: pd.DataFrame, tree) -> list[str]:
    """The provinces offered, the chains' own first (the first is the default choice)."""
    chain_provinces = [str(p) for p in chains["province"].dropna().astype(str).unique()]
    return sorted((c for c in tree.regions if tree.level(c) == "province"), key=lambda c: (c not in chain_provinces, c))


def default_place(chains: pd.DataFrame | None, tree) -> str | None:
    """The province a first visit shows (None when there is no chain or no province)."""
    if chains is None or len(chains) == 0:
        return None
    provinces = province_order(chains, tree)
    return provinces[0] if provinces else None


def key_items(options) -> tuple:
    """Options (thresholds, priority weights) as the sorted (name, value) pairs the app's caches are
    keyed by."""
    return tuple(sorted(options.as_dict().items()))


def overview(store, place_id: str, th: tuple, enclave: bool) -> pd.DataFrame:
    """One row per chain of the store: 链长, 链主, coverage and gap counts in ``place_id``
    (``th``: :func:`key_items` of the thresholds)."""
    from graph.analysis.overview import overview_frame
    from graph.analysis.overview_counts import chain_summaries
    chains, roles = store.table("chains"), store.table("chain_roles")
    ents = store.enterprises(roles["enterprise"].dropna().astype(str).unique().tolist()) if len(roles) else \
        pd.DataFrame(columns=["enterprise_id", "name"])
    # the counts only (equal to each chain's diagnosis): a page that shows one chain diagnoses it then
    reports = chain_summaries(store, chains["chain_id"].astype(str).tolist(), place_id,
                              thresholds=Thresholds(**dict(th)), enclave_attribution=enclave)
    return overview_frame(chains, roles, dict(zip(ents["enterprise_id"].astype(str), ents["name"])), reports)


def kept_overview(store, db: str, place_id: str, th: tuple, enclave: bool) -> pd.DataFrame:
    """:func:`overview`, kept in the app's result cache (ui.result_cache) under the one key both the
    app (ui.state) and :func:`prepare` use."""
    from ui import result_cache
    return result_cache.cached("overview", db, store.generation(), (place_id, th, enclave),
                               lambda: overview(store, place_id, th, enclave))


def prepare(settings=None, warn=None) -> float | None:
    """Compute the first visit's 总览 into the app's result cache; the seconds it took, or None
    when there is nothing to keep (not the embedded store, the cache off, no chain or province) or
    it failed — then ``warn(message)`` is told in one line (the details go to the debug log)."""
    from graph.analysis.scope import RegionTree
    from graph.settings import Settings
    from graph.store.factory import open_store
    from ui import result_cache

    settings = settings or Settings.from_env()
    if settings.backend != "embedded" or result_cache.cache_dir() is None:
        return None
    started = time.perf_counter()
    try:
        with open_store(settings) as store:
            if result_cache.store_stamp(settings.db, store.generation()) is None:
                return None
            place = default_place(store.table("chains"), RegionTree.from_store(store))
            if place is None:
                return None
            kept_overview(store, settings.db, place, key_items(DEFAULT_THRESHOLDS), DEFAULT_ENCLAVE)
    except Exception as err:  # noqa: BLE001 — the load has committed; the app computes it on its first start instead
        log.debug("could not prepare the app's first page", exc_info=True)
        if warn is not None:
            warn(f"应用首页未能预先准备（{type(err).__name__}: {err}），数据已写入；应用首次启动时会自行计算。"
                 f" The app's first page was not prepared; the data is loaded and the app computes it on its first start.")
        return None
    return time.perf_counter() - started
