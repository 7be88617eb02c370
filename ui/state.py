"""App state: the store, cached engine queries and the current selection.

- The store is opened once per process and settings (``st.cache_resource``); on a first start with
  an empty store the configured seed is loaded there (``loaders.seed.ensure_seeded``).
- Every engine query goes through ``st.cache_data`` keyed on ``(db, generation, …)``; the first
  page's (overview, map) are also kept on disk between app starts (:mod:`ui.result_cache`). The
  generation is a per-store counter; :func:`bump` (called after a load) increments it and clears
  ``st.cache_data``, so nothing stale survives a load. Cached entries also expire after
  ``TTL`` so data loaded by the CLI in another process shows up without a restart.
- The sidebar's choices (chain, place, thresholds, 飞地) are widgets bound to URL query
  parameters (``bind="query-params"``); :func:`selection` hands pages the resolved
  :class:`Selection`.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from graph.errors import ChainAtlasError
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS, PriorityWeights, Thresholds, Weights
from graph.settings import Settings
from ui.first_page import key_items

TTL = 600  # seconds a cached query lives at most (catches loads made by other processes)
SELECTION_KEY = "_atlas_selection"


class EmptyAtlas(ChainAtlasError):
    """The store holds no chain yet (``held``: what it does hold, e.g. "120 家企业、900 个产品")."""

    def __init__(self, held: str = ""):
        super().__init__(f"图谱中还没有产业链（已有{held}）/ no chain is loaded yet" if held else
                         "图谱中还没有产业链数据 / the atlas is empty",
                         ("在“数据”页“起草产业链”由产品流向起草一条产业链，或上传产业链工作簿。" if held else
                          "打开“数据”页下载导入模板、填好后上传载入；或设置 CHAINATLAS_SEED 指向种子数据目录后重启"
                          "（默认 seeds/shanxi，CHAINATLAS_SEED=none 表示不自动载入）。"))


def why_no_selection() -> ChainAtlasError:
    """What stops the sidebar from making a selection, said exactly: no regions (while chains
    are loaded), no chain (while other data is), or an empty atlas."""
    from graph.errors import NoRegions

    n = store().counts()
    if n.get("Chain") and not n.get("Region"):
        return NoRegions(f" {n['Chain']} 条产业链")
    held = "、".join(f"{n[k]} {unit}" for k, unit in (("Enterprise", "家企业"), ("Product", "个产品"),
                                                     ("Region", "个行政区划")) if n.get(k))
    return EmptyAtlas(held)


# --- the store -----------------------------------------------------------------------------------
@dataclass
class Atlas:
    """One opened store and what happened when it was opened."""

    store: object
    seeded: object = None               # LoadReport of the first-start seed load, or None
    seed_error: ChainAtlasError | None = None   # why the first-start seed load failed, if it did
    seed_announced: bool = False        # the first-start message was shown
    generation: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def settings() -> Settings:
    return Settings.from_env()


def seed_label() -> str:
    """The seed the atlas was started with, as users call it: its folder name, never a server path."""
    return Path(str(settings().seed)).name or str(settings().seed)


@st.cache_resource(show_spinner="正在打开图谱；首次启动会自动载入内置种子数据，请稍候…")
def _open(db: str, seed: str, user: str, database: str) -> Atlas:
    from graph.store.factory import open_store

    s = settings()
    store = open_store(s)
    try:
        seed = s.seed_path
        if seed is None or not seed.exists() or not store.is_empty():
            return Atlas(store=store)     # what ensure_seeded decides, without importing the loaders
        from loaders.seed import ensure_seeded
        return Atlas(store=store, seeded=ensure_seeded(store, s))
    except ChainAtlasError as err:  # a broken seed must not lock the user out of the 数据 page
        return Atlas(store=store, seed_error=err)


def atlas() -> Atlas:
    """The opened store (raises StoreUnavailable / ValidationFailed of the seed with a hint)."""
    s = settings()
    return _open(s.db, s.seed, s.neo4j_user, s.neo4j_database)


def store():
    return atlas().store


def db_key() -> str:
    return settings().db


def generation() -> str:
    """Changes after a load in this app (bump) or by anyone else (the store's own generation)."""
    a = atlas()
    return f"{a.generation}:{a.store.generation()}"


def bump() -> None:
    """After a load: new generation, every cached query dropped."""
    a = atlas()
    with a.lock:
        a.generation += 1
    st.cache_data.clear()


_items = key_items      # options as the sorted (name, value) pairs every cache here is keyed by


# --- cached reads ----------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, ttl=TTL, max_entries=64)
def _table(db: str, gen: str, name: str) -> pd.DataFrame:
    return store().table(name)


def table(name: str) -> pd.DataFrame:
    return _table(db_key(), generation(), name)


@st.cache_data(show_spinner=False, ttl=TTL, max_entries=8)
def _counts(db: str, gen: str) -> dict:
    return store().counts()


def counts() -> dict:
    return _counts(db_key(), generation())


@st.cache_data(show_spinner=False, ttl=TTL, max_entries=8)
def _sources(db: str, gen: str) -> pd.DataFrame:
    return store().sources()


def sources() -> pd.DataFrame:
    return _sources(db_key(), generation())


@st.cache_resource(show_spinner=False, ttl=TTL, max_entries=8)  # shared read-only object, not copied
def _tree(db: str, gen: str):
    from graph.analysis.scope import RegionTree
    t = RegionTree.from_store(store())
    t.frame()
    return t


def tree():
    """The RegionTree (regions and parks) of the store."""
    return _tree(db_key(), generation())


@st.cache_data(show_spinner="正在诊断产业链…", ttl=TTL, max_entries=256)
def _report(db: str, gen: str, chain_id: str, place_id: str, th: tuple, enclave: bool, pr: tuple):
    from graph.analysis.gaps import diagnose
    return diagnose(store(), chain_id, place_id, Thresholds(**dict(th)), enclave, PriorityWeights(**dict(pr)))


def report(sel: "Selection", chain_id: str | None = None, priority: PriorityWeights = DEFAULT_PRIORITY):
    """The GapReport of the selected (or given) chain in the selected place."""
    return _report(db_key(), generation(), chain_id or sel.chain_id, sel.place_id, _items(sel.thresholds),
                   sel.enclave, _items(priority))


@st.cache_data(show_spinner="正在计算招商目标…", ttl=TTL, max_entries=128)
def _targets(db: str, gen: str, chain_id: str, place_id: str, th: tuple, enclave: bool, pr: tuple,
             w: tuple, top: int, products: tuple, include_unverified: bool = False) -> tuple[pd.DataFrame, list]:
    from graph.analysis.targets import rank_targets
    rep = _report(db, gen, chain_id, place_id, th, enclave, pr)
    df = rank_targets(store(), rep, Weights(**dict(w)), top=top, products=list(products) or None, tree=tree(),
                      include_unverified=include_unverified)
    return df, list(df.attrs.get("notes", []))


def targets(sel: "Selection", weights: Weights = DEFAULT_WEIGHTS, top: int = 10,
            products: list[str] | None = None, include_unverified: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """(targets frame, notes) for the selected chain's gaps (or the given link products);
    ``include_unverified``: also makers whose location is unknown for the place (marked 待核实)."""
    return _targets(db_key(), generation(), sel.chain_id, sel.place_id, _items(sel.thresholds), sel.enclave,
                    _items(DEFAULT_PRIORITY), _items(weights), int(top), tuple(products or ()),
                    bool(include_unverified))


@st.cache_data(show_spinner="正在生成核实清单…", ttl=TTL, max_entries=64)
def _verify(db: str, gen: str, chain_id: str, place_id: str, th: tuple, enclave: bool) -> pd.DataFrame:
    from graph.analysis.verify import verification_list
    return verification_list([_report(db, gen, chain_id, place_id, th, enclave, _items(DEFAULT_PRIORITY))], tree())


def verify(sel: "Selection") -> pd.DataFrame:
    """The 核实清单 of the selected chain in the selected place (graph.analysis.verify)."""
    return _verify(db_key(), generation(), sel.chain_id, sel.place_id, _items(sel.thresholds), sel.enclave)


def fill_in_workbook(sel: "Selection"):
    """A callable making the fill-in workbook of the 核实清单 (enterprises to locate; load it back
    after filling in) — for ``st.download_button``, which calls it only when clicked (the workbook
    needs openpyxl: ~0.3 s to import, ~0.1 s to write)."""
    from graph.analysis.verify import fill_in_tables
    s, v = store(), verify(sel)

    def make() -> bytes:
        from graph.export.fill_in import fill_in_workbook_bytes
        return fill_in_workbook_bytes(fill_in_tables(s, v))
    return make


@st.cache_data(show_spinner="正在汇总全部产业链…", ttl=TTL, max_entries=32)
def _overview(db: str, gen: str, place_id: str, th: tuple, enclave: bool) -> pd.DataFrame:
    from ui.first_page import kept_overview
    return kept_overview(store(), db, place_id, th, enclave)


def overview(sel: "Selection") -> pd.DataFrame:
    """One row per chain: 链长, 链主, coverage and gap counts in the selected place."""
    return _overview(db_key(), generation(), sel.place_id, _items(sel.thresholds), sel.enclave)


@st.cache_data(show_spinner="正在分区比较…", ttl=TTL, max_entries=64)
def _compare(db: str, gen: str, chain_id: str, region: str, th: tuple, enclave: bool):
    from ui import result_cache

    def compute():
        from graph.analysis.compare import compare_regions     # (the engine is imported only when needed)
        return compare_regions(store(), chain_id, region, Thresholds(**dict(th)), enclave)
    return result_cache.cached("compare", db, store().generation(), (chain_id, region, th, enclave), compute)


def compare(sel: "Selection", region: str):
    return _compare(db_key(), generation(), sel.chain_id, region, _items(sel.thresholds), sel.enclave)


@st.cache_data(show_spinner=False, ttl=TTL, max_entries=128)
def _search(db: str, gen: str, text: str, limit: int) -> pd.DataFrame:
    return store().search(text, limit=limit)


def search(text: str, limit: int = 50) -> pd.DataFrame:
    return _search(db_key(), generation(), text, limit)


@st.cache_data(show_spinner=False, ttl=TTL, max_entries=256)
def _neighbourhood(db: str, gen: str, label: str, node_id: str, limit: int):
    return store().neighbourhood(label, node_id, limit=limit)


def neighbourhood(label: str, node_id: str, limit: int = 60):
    return _neighbourhood(db_key(), generation(), label, node_id, limit)


@st.cache_data(show_spinner=False, ttl=TTL, max_entries=256)
def _enterprises(db: str, gen: str, ids: tuple) -> pd.DataFrame:
    return store().enterprises(list(ids))


def enterprises(ids) -> pd.DataFrame:
    return _enterprises(db_key(), generation(), tuple(sorted(map(str, ids))))


@st.cache_data(show_spinner=False, ttl=TTL, max_entries=256)
def _enterprise_products(db: str, gen: str, ids: tuple) -> pd.DataFrame:
    return store().enterprise_products(list(ids))


def enterprise_products(ids) -> pd.DataFrame:
    return _enterprise_products(db_key(), generation(), tuple(sorted(map(str, ids))))


# --- the selection ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Selection:
    """What the sidebar chose, resolved."""

    chain_id: str
    chain_name: str
    place_id: str                  # region code, or park id when a park is chosen
    place_name: str
    place_kind: str                # "region" | "park"
    region_code: str               # the region (a park's own region when a park is chosen)
    province: str                  # province code of the place
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    enclave: bool = True

    @property
    def title(self) -> str:
        return f"{self.chain_name} · {self.place_name}"


def set_selection(sel: Selection | None) -> None:
    st.session_state[SELECTION_KEY] = sel


def selection() -> Selection:
    """The sidebar's current choice; raises a ChainAtlasError with what to do when there is none."""
    sel = st.session_state.get(SELECTION_KEY)
    if sel is None:
        raise why_no_selection()
    return sel
