"""Cached engine calls of the 招商组合 page: the plan over the chosen chains (diagnoses come from
:func:`ui.state.report`, shared with the other pages) and the what-if of its picks on one chain."""
from __future__ import annotations

import streamlit as st

from graph.analysis.plan import PlanWeights
from ui import state


@st.cache_data(show_spinner="正在优化招商组合…", ttl=state.TTL, max_entries=32)
def _plan(db: str, gen: str, sel: state.Selection, chains: tuple, k: int, pw: tuple, key_first: bool,
          cap: int | None, exclude_provinces: tuple, exclude: tuple):
    from graph.analysis.plan import optimise
    reports = [state.report(sel, chain_id=c) for c in chains]
    return optimise(state.store(), reports, k=k, weights=PlanWeights(**dict(pw)), key_first=key_first,
                    chain_cap=cap, exclude_provinces=list(exclude_provinces), exclude=list(exclude), tree=state.tree())


def plan(sel: state.Selection, chains: list[str], k: int, weights: PlanWeights, key_first: bool = False,
         cap: int | None = None, exclude_provinces: list[str] = (), exclude: list[str] = ()):
    return _plan(state.db_key(), state.generation(), sel, tuple(chains), int(k), tuple(sorted(weights.as_dict().items())),
                 bool(key_first), cap, tuple(exclude_provinces), tuple(exclude))


@st.cache_data(show_spinner="正在模拟引进后的产业链…", ttl=state.TTL, max_entries=64)
def _what_if(db: str, gen: str, sel: state.Selection, chain_id: str, enterprises: tuple):
    from graph.analysis.whatif import plant_place, resolve_enterprises, simulate
    rep = state.report(sel, chain_id=chain_id)
    ids = list(dict.fromkeys(resolve_enterprises(state.store(), list(enterprises))))
    return simulate(state.store(), rep, ids, plant_place(state.store(), rep, None))


def what_if(sel: state.Selection, chain_id: str, enterprises: list[str]):
    """The chain as if ``enterprises`` (ids or names) had a plant in the selected place."""
    return _what_if(state.db_key(), state.generation(), sel, chain_id, tuple(enterprises))


def save(sel: state.Selection, name: str, chain_id: str, enterprises: list[str]):
    """Save the what-if as a named scenario (graph.analysis.scenarios); returns the file path."""
    from graph.analysis.scenarios import save_scenario
    options = {"thresholds": sel.thresholds.as_dict(), "enclave_attribution": sel.enclave}
    return save_scenario(state.settings().scenarios_dir, name, sel.place_id, enterprises, [chain_id], None, options)
