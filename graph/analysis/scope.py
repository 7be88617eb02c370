"""The region tree and the scopes built from it.

A *place* is a region (province/city/county, by 6-digit code) or a park. Its :class:`Scope` says
which enterprises count as local (see :class:`graph.store.Scope` for how stores apply it):

- a region: the region and all its descendants; parks decide for the enterprises in them:
  * 飞地 attribution **on** (default): a park with ``counted_for`` R counts for R and not for where
    it stands — parks counted for the subtree are included, parks standing in the subtree but
    counted for elsewhere are excluded;
  * **off**: by physical location — parks standing in the subtree are included, parks standing
    elsewhere (even if counted for the subtree) are excluded.
  Parks standing in the subtree without ``counted_for`` are always included, so enterprises with
  a park but no region still count.
- a park: just that park's enterprises.

The same rule attributes a single enterprise to a region (:meth:`RegionTree.attribute`): an
enterprise in a 飞地园区 (park with ``counted_for``) belongs to ``counted_for`` (on) or to the
park's region (off); otherwise to its own region, else its park's region.
"""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from graph import schema

from graph.analysis import geo
from graph.store import Scope

LEVEL_CN = {"province": "省", "city": "市", "county": "县区", "park": "园区"}
_MISSING = object()


def _clean(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    s = str(v).strip()
    return s or None


class RegionTree:
    """Regions (from ``table('regions')``) and parks (from ``table('parks')``), indexed."""

    def __init__(self, regions: pd.DataFrame, parks: pd.DataFrame | None = None):
        cols = schema.TABLES["regions"].column_names
        regions = regions if len(regions.columns) else pd.DataFrame(columns=cols)
        parks = parks if parks is not None and len(parks.columns) else \
            pd.DataFrame(columns=schema.TABLES["parks"].column_names)
        self.regions = {str(r["code"]): {k: r.get(k) for k in cols}
                        for r in regions.to_dict(orient="records")}
        self.parks = {str(p["park_id"]): p for p in parks.to_dict(orient="records")}
        self.children_of: dict[str, list[str]] = {}
        for code, r in self.regions.items():
            parent = _clean(r.get("parent"))
            if parent:
                self.children_of.setdefault(parent, []).append(code)
        for kids in self.children_of.values():
            kids.sort()
        self._parent = {code: _clean(r.get("parent")) for code, r in self.regions.items()}
        self._level = {code: _clean(r.get("level")) for code, r in self.regions.items()}
        self._province: dict = {}
        self._located: dict = {}   # region code -> (lon, lat, province) as locate() gives them
        self._memo: dict = {}
        self._memo_lock = threading.Lock()
        self._frame: pd.DataFrame | None = None

    @classmethod
    def from_store(cls, store, cached: bool = True) -> "RegionTree":
        """The tree of the store's regions and parks. ``cached``: one shared tree per store until
        its data generation changes (see graph.analysis.frame_utils.memo) — treat it as read-only."""
        if not cached:
            return cls(store.table("regions"), store.table("parks"))
        from graph.analysis.frame_utils import memo
        return memo(store, "region_tree", lambda: cls(store.table("regions"), store.table("parks")))

    def cache(self, key, compute):
        """``compute()`` memoised on this tree (derived values that depend only on the tree)."""
        hit = self._memo.get(key, _MISSING)
        if hit is _MISSING:
            hit = compute()
            with self._memo_lock:
                if len(self._memo) > 4096:  # keyed by what users typed: keep it bounded
                    self._memo.clear()
                self._memo[key] = hit
        return hit

    # --- regions ---------------------------------------------------------------
    def name(self, code) -> str:
        r = self.regions.get(str(code))
        return str(r["name"]) if r else str(code or "")

    def level(self, code) -> str | None:
        return self._level.get(str(code))

    def parent(self, code) -> str | None:
        return self._parent.get(str(code))

    def children(self, code) -> list[str]:
        return list(self.children_of.get(str(code), []))

    def descendants(self, code) -> set[str]:
        """The region and everything below it."""
        out, todo = set(), [str(code)]
        while todo:
            c = todo.pop()
            if c not in out:
                out.add(c)
                todo.extend(self.children_of.get(c, ()))
        return out

    def ancestors(self, code) -> list[str]:
        """The region, its parent, … up to the root (cycle-safe)."""
        out, c, parent = [], _clean(code), self._parent
        while c and c not in out:
            out.append(c)
            c = parent.get(c)
        return out

    def province(self, code) -> str | None:
        key = _clean(code)
        hit = self._province.get(key, _MISSING)
        if hit is _MISSING:
            hit = next((c for c in self.ancestors(key) if self._level.get(c) == "province"), None) \
                or geo.province_of_code(key)
            self._province[key] = hit
        return hit

    def centroid(self, code) -> tuple[float, float] | None:
        """lon/lat of the region, else of its nearest ancestor that has one."""
        f = self.frame()
        c = _clean(code)
        if c in f.index and not np.isnan(f.at[c, "lon"]):
            return float(f.at[c, "lon"]), float(f.at[c, "lat"])
        return None

    def frame(self) -> pd.DataFrame:
        """Index code; columns name, level, lon, lat (ancestor fallback), province."""
        if self._frame is None:
            rows = []
            own = {}
            for code, r in self.regions.items():
                lon, lat = _num(r.get("lon")), _num(r.get("lat"))
                if lon is not None and lat is not None:
                    own[code] = (lon, lat)
            for code, r in self.regions.items():
                lon = lat = np.nan
                for c in self.ancestors(code):
                    if c in own:
                        lon, lat = own[c]
                        break
                rows.append({"code": code, "name": r.get("name"), "level": r.get("level"),
                             "lon": lon, "lat": lat, "province": self.province(code)})
            f = pd.DataFrame(rows, columns=["code", "name", "level", "lon", "lat", "province"])
            f["lon"] = f["lon"].astype(float)
            f["lat"] = f["lat"].astype(float)
            self._frame = f.set_index("code")
        return self._frame

    def locate(self, codes: pd.Series) -> pd.DataFrame:
        """Vectorised: lon, lat, province for region codes (same index). Codes missing from the
        table fall back to their city (``xxxx00``) and province (``xx0000``) codes.

        Worked out once per distinct code (a few hundred), then spread to the rows."""
        lon, lat, prov = self.locate_values(codes.to_numpy(object))
        out = pd.DataFrame({"lon": lon, "lat": lat}, index=codes.index)
        out["province"] = pd.Series(prov, index=codes.index, dtype=object)
        return out

    def locate_values(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`locate` of an object array of codes as arrays (lon, lat, province)."""
        pos, uniq = pd.factorize(codes, use_na_sentinel=True)  # missing -> -1
        known = self._located
        new = [u for u in uniq if u not in known]
        if new:
            u = self._locate(pd.Series(new, dtype=object))
            with self._memo_lock:
                known.update(zip(new, zip(u["lon"].to_numpy(float), u["lat"].to_numpy(float),
                                          u["province"].to_numpy(object))))
        rows = [known[u] for u in uniq] + [(np.nan, np.nan, None)]
        take = np.where(pos < 0, len(uniq), pos)
        lon = np.array([r[0] for r in rows], dtype=float)[take]
        lat = np.array([r[1] for r in rows], dtype=float)[take]
        prov = np.array([r[2] for r in rows], dtype=object)[take]
        return lon, lat, prov

    def _locate(self, codes: pd.Series) -> pd.DataFrame:
        f = self.frame()
        codes = codes.astype(object).where(codes.notna(), None)
        out = pd.DataFrame(index=codes.index, columns=["lon", "lat", "province"])
        out["lon"] = np.nan
        out["lat"] = np.nan
        out["province"] = None
        key = codes.astype("string")
        for cand in (key, key.str.slice(0, 4) + "00", key.str.slice(0, 2) + "0000"):
            todo = out["lon"].isna() & key.notna()
            if not todo.any():
                break
            hit = cand[todo].map(f["lon"])
            out.loc[todo, "lon"] = hit.astype(float)
            out.loc[todo, "lat"] = cand[todo].map(f["lat"]).astype(float)
        prov = key.map(f["province"]).astype(object)
        out["province"] = prov.where(prov.notna(), _prefix_province(key)).astype(object)
        out["province"] = out["province"].where(key.notna(), None)
        return out

    # --- parks -----------------------------------------------------------------
    def park(self, park_id) -> dict | None:
        return self.parks.get(str(park_id))

    def attribute(self, region: pd.Series, park: pd.Series, enclave_attribution: bool = True) -> pd.Series:
        """Vectorised: the region code each enterprise counts for (see module doc)."""
        pk = pd.DataFrame.from_dict(self.parks, orient="index")
        if pk.empty:
            pk = pd.DataFrame(columns=["region", "counted_for"])
        park_region = park.map(pk["region"]) if len(pk) else pd.Series(None, index=park.index)
        counted = park.map(pk["counted_for"]) if len(pk) else pd.Series(None, index=park.index)
        own = region.where(region.notna(), park_region)
        if enclave_attribution:
            enclave = counted.where(counted.notna(), None)
        else:
            enclave = park_region.where(counted.notna(), None)
        return enclave.where(enclave.notna(), own).astype(object)

    def parks_in(self, codes: set[str]) -> list[str]:
        return sorted(pid for pid, p in self.parks.items() if _clean(p.get("region")) in codes)


def _num(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


def _prefix_province(key: pd.Series) -> pd.Series:
    p = key.str.slice(0, 2) + "0000"
    return p.where(p.isin(list(geo.PROVINCES)), None).astype(object)


def region_scope(tree: RegionTree, code: str, enclave_attribution: bool = True) -> Scope:
    """Scope of a region and all its descendants (see module doc for parks)."""
    codes = tree.descendants(code)
    include, exclude = set(), set()
    for pid, p in tree.parks.items():
        where, counted = _clean(p.get("region")), _clean(p.get("counted_for"))
        inside, counted_inside = where in codes, counted in codes if counted else None
        if enclave_attribution:
            if counted_inside or (inside and counted is None):
                include.add(pid)
            elif inside and counted is not None:
                exclude.add(pid)
        else:
            if inside:
                include.add(pid)
            elif counted_inside:
                exclude.add(pid)
    return Scope(region_codes=frozenset(codes), include_parks=frozenset(include),
                 exclude_parks=frozenset(exclude))


def park_scope(park_id: str) -> Scope:
    return Scope(include_parks=frozenset([str(park_id)]))


def scope_for(tree: RegionTree, place: dict, enclave_attribution: bool = True) -> Scope:
    """Scope of a place dict from :func:`graph.analysis.lookup.resolve_place` (memoised on the tree)."""
    if place.get("kind") == "park":
        return park_scope(place["id"])
    code = place["code"]
    return tree.cache(("scope", str(code), bool(enclave_attribution)),
                      lambda: region_scope(tree, code, enclave_attribution))


def place_of_region(tree: RegionTree, code: str) -> dict:
    """The place dict of a region code."""
    c = tree.centroid(code)
    return {"kind": "region", "id": code, "code": code, "name": tree.name(code),
            "level": tree.level(code), "province": tree.province(code),
            "lon": c[0] if c else None, "lat": c[1] if c else None}


def place_of_park(tree: RegionTree, park_id: str) -> dict:
    p = tree.park(park_id) or {}
    where = _clean(p.get("region"))
    c = tree.centroid(where) if where else None
    return {"kind": "park", "id": str(park_id), "code": where, "name": p.get("name", park_id),
            "level": "park", "province": tree.province(where) if where else None,
            "park_kind": p.get("kind"), "counted_for": _clean(p.get("counted_for")),
            "lon": c[0] if c else None, "lat": c[1] if c else None}
