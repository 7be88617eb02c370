"""Three-valued location: is an enterprise local to a place, outside it, or unknown?

For a place (region or park, see :mod:`graph.analysis.scope`) an enterprise is

- ``local``: its park or region puts it inside the place (the :class:`~graph.store.Scope` rule);
- ``outside``: its location is known and lies elsewhere — a park that decides (standing or
  counted elsewhere; for a park place, any other park), or a region of the region tree that is
  neither the place, inside it, nor an area that contains it;
- ``unknown``: nothing settles it — no region, a region code missing from the region tree, or a
  region coarser than the place that contains it (山西省 for a 运城市 query; a park's county for a
  park query). Unknown is never a negative verdict: such makers make a link 待核实, never 缺链.

>>> import pandas as pd
>>> from graph.analysis.scope import RegionTree, region_scope, place_of_region
>>> tree = RegionTree(pd.DataFrame({"code": ["14", "1408", "1401"], "name": ["晋", "运", "并"],
...                                  "level": ["province", "city", "city"], "parent": [None, "14", "14"]}))
>>> place = place_of_region(tree, "1408")
>>> classify(tree, place, region_scope(tree, "1408"), pd.Series(["1408", "1401", "14", None, "99"]),
...          pd.Series([None] * 5)).tolist()
['local', 'outside', 'unknown', 'unknown', 'unknown']
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from graph.analysis.frame_utils import in_scope
from graph.store import Scope

LOCAL, OUTSIDE, UNKNOWN = "local", "outside", "unknown"
LOCATION_CN = {LOCAL: "本地", OUTSIDE: "区域外", UNKNOWN: "待核实"}


def coarse_codes(tree, place: dict) -> frozenset[str]:
    """Region codes that contain the place but are coarser than it: an enterprise registered only
    there may or may not be in the place (for a park: its region and that region's ancestors)."""
    code = place.get("code")
    if not code:
        return frozenset()
    up = tree.ancestors(code)
    return frozenset(up if place.get("kind") == "park" else up[1:])


def settling_parks(tree, place: dict, scope: Scope) -> frozenset[str]:
    """Parks whose enterprises' location is settled by the park: for a park place every park; for a
    region, parks with a region or counted_for (and those the scope excludes)."""
    if place.get("kind") == "park":
        return frozenset(tree.parks)
    return frozenset(pid for pid, p in tree.parks.items()
                     if _present(p.get("region")) or _present(p.get("counted_for"))) | scope.exclude_parks


def _member(values: pd.Series, wanted: frozenset) -> np.ndarray:
    """``values.isin(wanted)`` as a bool array, looked up once per distinct value (wanted is large)."""
    codes, uniq = pd.factorize(values.to_numpy(object))
    hit = np.fromiter((u in wanted for u in uniq), dtype=bool, count=len(uniq))
    return np.append(hit, False)[np.where(codes < 0, len(uniq), codes)]


def _flags(values: pd.Series, *sets: frozenset) -> list[np.ndarray]:
    """``values.isin(S)`` as bool arrays for each S, looked up once per distinct value (missing
    values are in none: callers make sure no S holds a missing value)."""
    codes, uniq = pd.factorize(values.to_numpy(object))
    at = np.where(codes < 0, len(uniq), codes)
    return [np.append(np.fromiter((u in s for u in uniq), dtype=bool, count=len(uniq)), False)[at] for s in sets]


def _has_missing(values) -> bool:
    return any(v is None or v is pd.NA or (isinstance(v, float) and v != v) for v in values)


def _present(v) -> bool:
    return v is not None and not (isinstance(v, float) and np.isnan(v)) and str(v).strip() != ""


def with_unknown(tree, place: dict, scope: Scope) -> Scope:
    """The scope with ``settled_regions``/``settling_parks`` filled, so stores can return the
    makers of unknown location (``makers(side="unknown")``). Memoised on the tree."""
    def build():
        settled = frozenset(tree.regions) - coarse_codes(tree, place)
        return replace(scope, settled_regions=settled, settling_parks=settling_parks(tree, place, scope))
    return tree.cache(("with_unknown", place.get("kind"), str(place.get("id")), scope), build)


def classify(tree, place: dict, scope: Scope, region: pd.Series, park: pd.Series) -> pd.Series:
    """Vectorised: ``local`` / ``outside`` / ``unknown`` per row (same index); the same rule as
    ``makers(side="unknown")`` with :func:`with_unknown`."""
    if len(region) == 0:
        return pd.Series([], index=region.index, dtype=object)
    sc = scope if scope.settled_regions else with_unknown(tree, place, scope)
    sets = (sc.region_codes, sc.include_parks, sc.exclude_parks, sc.settled_regions, sc.settling_parks)
    if region.index.equals(park.index) and not any(_has_missing(w) for w in sets):
        r_in, r_settled = _flags(region, sc.region_codes, sc.settled_regions)   # one factorize per column
        p_in, p_out, p_settles = _flags(park, sc.include_parks, sc.exclude_parks, sc.settling_parks)
        local = p_in | (r_in & ~p_out)   # the rule of frame_utils.in_scope
        settled = r_settled | p_settles
    else:
        local = in_scope(region, park, sc).to_numpy(bool)
        settled = _member(region, sc.settled_regions) | _member(park, sc.settling_parks)
    out = np.where(local, LOCAL, np.where(settled, OUTSIDE, UNKNOWN))
    return pd.Series(out, index=region.index, dtype=object)


def why_unknown(tree, place: dict, region) -> str:
    """Why a region leaves the location unknown for the place (Chinese, for lists)."""
    if not _present(region):
        return "无所在地区"
    if str(region) not in tree.regions:
        return f"地区代码 {region} 不在区划表中"
    return f"只登记到{tree.name(region)}，无法确定是否在{place.get('name') or ''}"
