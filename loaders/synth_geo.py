"""Geography of the synthetic data set: the regions reference read and turned into the places
enterprises and parks sit in (prefecture cities, or a province without any, i.e. a 直辖市), each
with a weight from its province's rough GDP share (:mod:`loaders.synth_vocab`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from graph import schema
from graph.errors import ChainAtlasError, UnsupportedInput
from loaders import synth_vocab as V
from loaders.region_index import REFERENCE_REGIONS
from loaders.synth_arrays import frame

# City-level rows of the reference that group counties rather than name a place.
PSEUDO_CITIES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位"})


def load_regions(regions: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """The regions reference as text columns code, name, level, parent, lon, lat (lon/lat may be
    empty). ``regions``: a DataFrame, a CSV path, or None for seeds/reference/china_regions.csv."""
    if isinstance(regions, pd.DataFrame):
        df = regions.copy()
    else:
        path = Path(regions) if regions is not None else REFERENCE_REGIONS
        if not path.is_file():
            raise UnsupportedInput(f"找不到行政区划参考表 regions reference not found: {path}",
                                   "seeds/reference/china_regions.csv ships with ChainAtlas; pass --regions "
                                   "with a CSV of code,name,level,parent (lon,lat optional).")
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = {"code", "name", "level"} - set(df.columns)
    if missing:
        raise UnsupportedInput(f"行政区划参考表缺少列 regions reference lacks columns: {sorted(missing)}",
                               "It needs code, name and level (province/city); parent, lon and lat are optional.")
    out = pd.DataFrame({c: (df[c] if c in df.columns else "") for c in ("code", "name", "level", "parent", "lon", "lat")})
    out = out.astype(object).where(out.notna(), "").astype(str)
    for c in out.columns:
        out[c] = out[c].str.strip()
    return out


@dataclass
class Geo:
    """The regions table to write and, per province and per place, codes, short names and weights."""

    regions: pd.DataFrame       # output regions table (code, name, level, parent, lon, lat)
    prov_code: np.ndarray       # per province
    prov_short: np.ndarray      # object
    prov_weight: np.ndarray     # sums to 1
    loc_code: np.ndarray        # per location (prefecture city, or a province without cities)
    loc_short: np.ndarray       # object
    loc_prov: np.ndarray        # province index of each location
    loc_weight: np.ndarray      # sums to 1


def _level(text: str) -> str:
    """A level as written (省, 市, province …) → its canonical name, or ''."""
    low = text.lower()
    for canonical, spellings in schema.REGION_LEVELS.items():
        if low in (s.lower() for s in spellings):
            return canonical
    return ""


def build_geography(ref: pd.DataFrame, rng: np.random.Generator) -> Geo:
    """Provinces and places from the reference (:func:`load_regions`); a place's weight is its
    province's GDP weight split at random among the province's places, the capital favoured."""
    code = ref["code"].str.replace(r"^(\d{6})(\d{6})$", r"\1", regex=True)
    level = ref["level"].map(_level)
    ok = code.str.fullmatch(r"\d{6}")
    prov_mask = ok & (level == "province") & code.str[:2].isin(list(V.PROVINCE_GDP)) & code.str.endswith("0000")
    provs = ref[prov_mask].assign(code=code[prov_mask]).drop_duplicates("code").sort_values("code", kind="stable")
    if provs.empty:
        raise ChainAtlasError("行政区划参考表里没有省级区划 no provinces in the regions reference",
                              "Use seeds/reference/china_regions.csv (31 provinces and their cities).")
    prov_prefix = provs["code"].str[:2].tolist()
    city_mask = (ok & (level == "city") & code.str[:2].isin(prov_prefix) & ~code.str.endswith("0000")
                 & ~ref["name"].isin(PSEUDO_CITIES))
    cities = ref[city_mask].assign(code=code[city_mask]).drop_duplicates("code").sort_values("code", kind="stable")
    cities = cities.assign(parent=cities["code"].str[:2] + "0000")

    prov_index = {p: i for i, p in enumerate(prov_prefix)}
    with_cities = set(cities["code"].str[:2])
    own = provs[~provs["code"].str[:2].isin(with_cities)]        # 直辖市: the province is the place
    locs = pd.concat([cities, own], ignore_index=True).sort_values("code", kind="stable").reset_index(drop=True)
    loc_prov = locs["code"].str[:2].map(prov_index).to_numpy(dtype=np.int64)

    gdp = np.array([V.PROVINCE_GDP[p] for p in prov_prefix]) ** V.PROVINCE_WEIGHT_POWER
    prov_weight = gdp / gdp.sum()
    raw = rng.lognormal(0.0, 0.6, len(locs))
    first = np.r_[True, loc_prov[1:] != loc_prov[:-1]]           # lowest code of a province: its capital
    raw[first & (locs["level"].map(_level).to_numpy() == "city")] *= 2.5
    per_prov = np.bincount(loc_prov, weights=raw, minlength=len(provs))
    loc_weight = prov_weight[loc_prov] * raw / per_prov[loc_prov]
    loc_weight = loc_weight / loc_weight.sum()

    out = pd.concat([provs.assign(level="province", parent=""), cities.assign(level="city")], ignore_index=True)
    out = out.sort_values("code", kind="stable").reset_index(drop=True)
    regions = frame({
        "code": out["code"].to_numpy(dtype=object), "name": out["name"].to_numpy(dtype=object),
        "level": out["level"].to_numpy(dtype=object),
        "parent": np.where(out["parent"].to_numpy(dtype=object) == "", None, out["parent"].to_numpy(dtype=object)),
        "lon": pd.to_numeric(out["lon"], errors="coerce").to_numpy(dtype=float),
        "lat": pd.to_numeric(out["lat"], errors="coerce").to_numpy(dtype=float),
    })
    prov_short = np.array([V.short_place(n) for n in provs["name"]], dtype=object)
    return Geo(regions, provs["code"].to_numpy(dtype=object), prov_short, prov_weight,
               locs["code"].to_numpy(dtype=object),
               np.array([V.short_place(n) for n in locs["name"]], dtype=object), loc_prov, loc_weight)

