"""Synthetic national data: a valid import folder of any size, for benchmarks and scale tests.

Every row is made up (``source`` = ``synthetic:seed=S``, ``illustrative`` = 是). The geography is
real: all 31 provinces and their prefecture-level cities from seeds/reference/china_regions.csv
(a province without prefecture cities, i.e. a 直辖市, is itself the place enterprises sit in).

What is generated (all from one ``numpy.random.Generator(seed)``, so a seed gives identical files):

- chains: ``n_chains``; the largest has ``products_per_chain`` products, the others linearly
  fewer down to a third of that. Products sit in layers; stage (上游/中游/下游) and segment follow
  the layer; about 10% of links are key links; flows only go from a layer to a later one (and a
  product shared between chains keeps one global position), so the flows are acyclic.
- parks: a few per province (more in richer ones), kinds from the enum, a few 飞地园区 with
  ``counted_for``; each carries 1–3 chains.
- enterprises: lognormal revenue (万元), scale and employees from it, tags with realistic rarity
  (规上 ≈ 30%, 高新技术, 专精特新, 小巨人, top-500 as 500强, a handful of 独角兽), some listed;
  placed in cities weighted by economic weight, some in parks; names such as 运城华信汽车零部件有限公司.
- about 3 products made per enterprise (clustered in one chain and neighbouring layers), with
  revenue shares summing to at most 1; 1–3 链主 and 3–8 链核 per chain among its largest makers;
  about 0.5 supply ties per enterprise, between makers of products joined by a flow.

API: :func:`generate` → ImportBatch (normalised, as :func:`loaders.validate` returns it),
:func:`write_folder` (ImportBatch → <table>.csv files), :func:`synthesize` (generate straight to a
folder: the fast path behind ``chainatlas synth``). A million enterprises take well under a minute.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from graph import schema
from graph.errors import ChainAtlasError, UnsupportedInput
from graph.model import ImportBatch
from graph.settings import REPO_ROOT
from loaders import synth_vocab as V

REFERENCE_REGIONS = REPO_ROOT / "seeds" / "reference" / "china_regions.csv"
AS_OF = "2024-12-31"
YES, NO = "是", "否"
LIST_JOIN = ";"
PROVENANCE = ("source", "as_of", "illustrative")
PSEUDO_CITIES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位"})

# Knobs of the generator (fractions and means); changing one changes every seed's output.
SHARED_PRODUCTS = 0.08      # share of a chain's products borrowed from other chains
KEY_LINKS = 0.10
MAKES_EXTRA_MEAN = 2.15     # products per enterprise = 1 + Poisson(this), capped
MAKES_CAP = 8
CROSS_CHAIN = 0.10          # a non-anchor product from another chain
SUPPLIES_PER_ENTERPRISE = 0.5
REVENUE_MEDIAN, REVENUE_SIGMA = 700.0, 2.0     # 万元, lognormal
IN_PARK, IN_PARK_LARGE = 0.2, 0.45             # share of enterprises in a park (小微 / 规上)


def source_of(seed: int) -> str:
    return f"synthetic:seed={seed}"


def _frame(columns: dict) -> pd.DataFrame:
    """A DataFrame that keeps object arrays as object columns (no conversion to pandas' str
    dtype: the values stay Python str/None, as an ImportBatch holds them)."""
    return pd.DataFrame({k: pd.Series(v, dtype=object) if isinstance(v, np.ndarray) and v.dtype == object else v
                         for k, v in columns.items()})


# --- inputs -------------------------------------------------------------------------------
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
class _Geo:
    regions: pd.DataFrame       # output regions table (code, name, level, parent, lon, lat)
    prov_code: np.ndarray       # per province
    prov_short: np.ndarray      # object
    prov_weight: np.ndarray     # sums to 1
    loc_code: np.ndarray        # per location (prefecture city, or a province without cities)
    loc_short: np.ndarray       # object
    loc_prov: np.ndarray        # province index of each location
    loc_weight: np.ndarray      # sums to 1


def _level(text: str) -> str:
    low = text.lower()
    for canonical, spellings in schema.REGION_LEVELS.items():
        if low in (s.lower() for s in spellings):
            return canonical
    return ""


def _geography(ref: pd.DataFrame, rng: np.random.Generator) -> _Geo:
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
    regions = _frame({
        "code": out["code"].to_numpy(dtype=object), "name": out["name"].to_numpy(dtype=object),
        "level": out["level"].to_numpy(dtype=object),
        "parent": np.where(out["parent"].to_numpy(dtype=object) == "", None, out["parent"].to_numpy(dtype=object)),
        "lon": pd.to_numeric(out["lon"], errors="coerce").to_numpy(dtype=float),
        "lat": pd.to_numeric(out["lat"], errors="coerce").to_numpy(dtype=float),
    })
    prov_short = np.array([V.short_place(n) for n in provs["name"]], dtype=object)
    return _Geo(regions, provs["code"].to_numpy(dtype=object), prov_short, prov_weight,
                locs["code"].to_numpy(dtype=object),
                np.array([V.short_place(n) for n in locs["name"]], dtype=object), loc_prov, loc_weight)


# --- chains and products -------------------------------------------------------------------
@dataclass
class _Chains:
    table: pd.DataFrame
    ids: np.ndarray
    words: list[tuple[str, ...]]
    industry: np.ndarray        # object, per chain
    weight: np.ndarray          # share of enterprises per chain (by size)
    layers: np.ndarray          # layer count per chain
    products: pd.DataFrame
    product_ids: np.ndarray
    cp: pd.DataFrame            # chain_products (raw)
    cp_chain: np.ndarray        # per chain_products row, sorted by chain, layer, product
    cp_prod: np.ndarray
    cp_layer: np.ndarray
    flows: pd.DataFrame
    flow_from: np.ndarray
    flow_to: np.ndarray


def _chain_sizes(n_chains: int, per_chain: int) -> np.ndarray:
    if n_chains == 1:
        return np.array([per_chain])
    sizes = np.rint(np.linspace(per_chain, per_chain / 3, n_chains)).astype(np.int64)
    return np.maximum(sizes, 3)


def _product_names(stages: np.ndarray, home: np.ndarray, words: list[tuple[str, ...]],
                   rng: np.random.Generator) -> np.ndarray:
    """Unique names: qualifier + noun of the stage; once those run out, the same with a use of
    the home chain in front (半导体用高纯靶材); any clash left gets a variant (二型, 三型 …)."""
    names = np.empty(len(stages), dtype=object)
    for s, nouns in enumerate(V.PRODUCT_NOUNS):
        where = np.flatnonzero(stages == s)
        combos = [q + n for q in V.PRODUCT_QUALIFIERS for n in nouns]
        combos = [combos[i] for i in rng.permutation(len(combos))]
        out = []
        for k, p in enumerate(where):
            round_, i = divmod(k, len(combos))
            use = words[home[p]][(round_ - 1) % len(words[home[p]])] + "用" if round_ else ""
            out.append(use + combos[i])
        names[where] = out
    seen: set[str] = set()
    for p, name in enumerate(names):
        k, base = 1, name
        while name in seen:
            name = base + (V.PRODUCT_VARIANTS[k] if k < len(V.PRODUCT_VARIANTS) else f"{k + 1}型")
            k += 1
        seen.add(name)
        names[p] = name
    return names


def _chains(n_chains: int, per_chain: int, geo: _Geo, rng: np.random.Generator) -> _Chains:
    sizes = _chain_sizes(n_chains, per_chain)
    n_tmpl = len(V.CHAIN_TEMPLATES)
    names, words, industry = [], [], []
    for i in range(n_chains):
        base, w, ind = V.CHAIN_TEMPLATES[i % n_tmpl]
        names.append(base if i < n_tmpl else f"{base}-{i // n_tmpl + 1}")
        words.append(w)
        industry.append(ind)
    width = max(3, len(str(n_chains)))
    ids = np.array([f"SYN-C{i + 1:0{width}d}" for i in range(n_chains)], dtype=object)
    chains = _frame({
        "chain_id": ids, "name": np.array(names, dtype=object), "chief": np.full(n_chains, None, dtype=object),
        "chief_title": np.full(n_chains, "副省长", dtype=object),
        "lead_unit": np.full(n_chains, "省工业和信息化厅", dtype=object),
        "batch": np.array(V.CHAIN_BATCHES, dtype=object)[rng.integers(0, len(V.CHAIN_BATCHES), n_chains)],
        "year": rng.integers(2021, 2025, n_chains),
        "province": geo.prov_code[rng.choice(len(geo.prov_code), n_chains, p=geo.prov_weight)],
    })

    shared = np.rint(sizes * SHARED_PRODUCTS).astype(np.int64) if n_chains > 1 else np.zeros(n_chains, np.int64)
    home = sizes - shared
    layers = np.clip(np.rint(np.log2(sizes)), 3, 8).astype(np.int64)
    layers = np.minimum(layers, home)

    # Home products, chain by chain, ordered by layer: a global position in [0, 1) per product.
    p_chain, p_layer = [], []
    for c in range(n_chains):
        lay = np.concatenate([np.arange(layers[c]), rng.integers(0, layers[c], home[c] - layers[c])])
        p_chain.append(np.full(home[c], c))
        p_layer.append(np.sort(lay))
    p_chain = np.concatenate(p_chain)
    p_layer = np.concatenate(p_layer)
    n_products = len(p_chain)
    pos = (p_layer + rng.uniform(0.02, 0.98, n_products)) / layers[p_chain]
    stage = np.minimum(3 * p_layer // layers[p_chain], 2)
    width = max(5, len(str(n_products)))
    product_ids = np.array([f"SYN-P{i + 1:0{width}d}" for i in range(n_products)], dtype=object)
    products = _frame({
        "product_id": product_ids, "name": _product_names(stage, p_chain, words, rng),
        "aliases": np.full(n_products, "", dtype=object), "gbt4754": np.full(n_products, None, dtype=object),
    })

    # Chain membership: own products plus a few borrowed ones placed by their global position.
    cp_chain, cp_prod, cp_layer = [p_chain], [np.arange(n_products)], [p_layer]
    for c in range(n_chains):
        if shared[c] == 0:
            continue
        others = np.flatnonzero(p_chain != c)
        take = np.sort(rng.choice(others, size=min(shared[c], len(others)), replace=False))
        cp_chain.append(np.full(len(take), c))
        cp_prod.append(take)
        cp_layer.append(np.minimum((pos[take] * layers[c]).astype(np.int64), layers[c] - 1))
    cp_chain, cp_prod, cp_layer = (np.concatenate(a) for a in (cp_chain, cp_prod, cp_layer))
    order = np.lexsort((cp_prod, cp_layer, cp_chain))
    cp_chain, cp_prod, cp_layer = cp_chain[order], cp_prod[order], cp_layer[order]
    n_cp = len(cp_chain)

    cp_layers = layers[cp_chain]
    cp_stage = np.minimum(3 * cp_layer // cp_layers, 2)
    # segment: the position of the layer among the layers of its stage
    first_of_stage = np.ceil(cp_stage * cp_layers / 3).astype(np.int64)
    next_stage = np.minimum(np.ceil((cp_stage + 1) * cp_layers / 3).astype(np.int64), cp_layers)
    span = np.maximum(next_stage - first_of_stage, 1)
    seg_i = np.minimum((cp_layer - first_of_stage) * 3 // span, 2)
    segments = np.array([s for stage_segs in V.SEGMENTS for s in stage_segs], dtype=object)
    key = rng.random(n_cp) < KEY_LINKS
    starts = np.searchsorted(cp_chain, np.arange(n_chains))
    ends = np.searchsorted(cp_chain, np.arange(n_chains), side="right")
    for c in range(n_chains):
        if not key[starts[c]:ends[c]].any():
            key[starts[c] + rng.integers(0, ends[c] - starts[c])] = True
    stage_names = np.array(list(schema.STAGES), dtype=object)
    cp = _frame({"chain": ids[cp_chain], "product": product_ids[cp_prod], "stage": stage_names[cp_stage],
                       "segment": segments[cp_stage * 3 + seg_i], "key_link": key})

    # Flows inside each chain from one layer to the next (sometimes the one after).
    f_from, f_to = [], []
    for c in range(n_chains):
        members = [cp_prod[starts[c]:ends[c]][cp_layer[starts[c]:ends[c]] == l] for l in range(layers[c])]
        for l in range(1, layers[c]):
            cur, prev = members[l], members[l - 1]
            m = rng.choice(np.array([1, 2, 3]), size=len(cur), p=[0.5, 0.35, 0.15])
            to = np.repeat(cur, m)
            inputs = prev[rng.integers(0, len(prev), len(to))]
            f_from.append(inputs)
            f_to.append(to)
            if l >= 2:
                skip = cur[rng.random(len(cur)) < 0.1]
                before = members[l - 2]
                f_from.append(before[rng.integers(0, len(before), len(skip))])
                f_to.append(skip)
            # every product of the previous layer feeds something
            orphans = prev[~np.isin(prev, inputs)]
            f_from.append(orphans)
            f_to.append(cur[rng.integers(0, len(cur), len(orphans))])
    f_from = np.concatenate(f_from) if f_from else np.zeros(0, np.int64)
    f_to = np.concatenate(f_to) if f_to else np.zeros(0, np.int64)
    _, first_idx = np.unique(f_from * n_products + f_to, return_index=True)
    keep = np.sort(first_idx)
    f_from, f_to = f_from[keep], f_to[keep]
    flows = _frame({"from_product": product_ids[f_from], "to_product": product_ids[f_to],
                          "cycle_ok": np.zeros(len(f_from), dtype=bool)})
    return _Chains(chains, ids, words, np.array(industry, dtype=object), sizes / sizes.sum(), layers,
                   products, product_ids, cp, cp_chain, cp_prod, cp_layer, flows, f_from, f_to)


# --- parks ---------------------------------------------------------------------------------
@dataclass
class _Parks:
    table: pd.DataFrame
    ids: np.ndarray
    loc: np.ndarray             # location index per park (sorted)
    carries: pd.DataFrame       # park_chains (raw)
    pc_park: np.ndarray         # per park_chains row (sorted by park)
    pc_chain: np.ndarray


def _parks(geo: _Geo, ch: _Chains, rng: np.random.Generator) -> _Parks:
    n_prov = len(geo.prov_code)
    rel = np.sqrt(geo.prov_weight / geo.prov_weight.max())
    per_prov = np.clip(np.rint(2 + 10 * rel), 2, 12).astype(np.int64)
    loc = []
    for p in range(n_prov):
        mine = np.flatnonzero(geo.loc_prov == p)
        w = geo.loc_weight[mine] / geo.loc_weight[mine].sum()
        loc.append(mine[rng.choice(len(mine), per_prov[p], p=w)])
    loc = np.sort(np.concatenate(loc))
    n = len(loc)
    kinds = np.array(list(V.PARK_KIND_WEIGHTS), dtype=object)
    kw = np.array(list(V.PARK_KIND_WEIGHTS.values()))
    kind = kinds[rng.choice(len(kinds), n, p=kw / kw.sum())]
    enclave = kind == "飞地园区"
    if enclave.sum() < min(3, n):
        extra = rng.choice(np.flatnonzero(~enclave), min(3, n) - enclave.sum(), replace=False)
        kind[extra] = "飞地园区"
        enclave = kind == "飞地园区"

    counted = np.full(n, -1)
    for i in np.flatnonzero(enclave):
        same = np.flatnonzero((geo.loc_prov == geo.loc_prov[loc[i]]) & (np.arange(len(geo.loc_code)) != loc[i]))
        pool = same if len(same) else np.flatnonzero(np.arange(len(geo.loc_code)) != loc[i])
        if len(pool):
            counted[i] = pool[rng.choice(len(pool), p=geo.loc_weight[pool] / geo.loc_weight[pool].sum())]
            if geo.loc_weight[counted[i]] < geo.loc_weight[loc[i]]:
                # an enclave stands in the poorer place and counts for the richer one that runs it
                loc[i], counted[i] = counted[i], loc[i]
        else:
            kind[i] = "其他"
    order = np.argsort(loc, kind="stable")
    loc, kind, counted = loc[order], kind[order], counted[order]
    names, seen = [], set()
    variety = rng.integers(0, len(V.PARK_VARIETY), n)
    for i in range(n):
        place = geo.loc_short[loc[i]]
        other = geo.loc_short[counted[i]] if counted[i] >= 0 else ""
        pattern = V.PARK_NAME_PATTERNS[kind[i]]
        name = pattern.format(p=place, q=other, w=V.PARK_VARIETY[variety[i]])
        if name in seen and "{w}" not in pattern and kind[i] != "飞地园区":
            kind[i] = "省级开发区"     # one national zone of a kind per place; the next is provincial
            pattern = V.PARK_NAME_PATTERNS[kind[i]]
            name = pattern.format(p=place, q=other, w=V.PARK_VARIETY[variety[i]])
        k = 1
        while name in seen and "{w}" in pattern and k < len(V.PARK_VARIETY):
            name = pattern.format(p=place, q=other, w=V.PARK_VARIETY[(variety[i] + k) % len(V.PARK_VARIETY)])
            k += 1
        base, k = name, 2
        while name in seen:
            name = f"{base}{_cn_number(k)}期"
            k += 1
        seen.add(name)
        names.append(name)
    width = max(4, len(str(n)))
    ids = np.array([f"SYN-K{i + 1:0{width}d}" for i in range(n)], dtype=object)
    table = _frame({
        "park_id": ids, "name": np.array(names, dtype=object), "kind": kind, "region": geo.loc_code[loc],
        "counted_for": np.where(counted >= 0, geo.loc_code[np.maximum(counted, 0)], None).astype(object),
    })

    n_chains = len(ch.ids)
    carry = np.minimum(rng.integers(1, 4, n), n_chains)
    pc_park = np.repeat(np.arange(n), carry)
    pc_chain = np.concatenate([rng.choice(n_chains, k, replace=False, p=ch.weight) for k in carry])
    order = np.lexsort((pc_chain, pc_park))
    pc_park, pc_chain = pc_park[order], pc_chain[order]
    carries = _frame({"park": ids[pc_park], "chain": ch.ids[pc_chain]})
    return _Parks(table, ids, loc, carries, pc_park, pc_chain)


def _cn_number(k: int) -> str:
    digits = "零一二三四五六七八九"
    if k < 10:
        return digits[k]
    tens, ones = divmod(k, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "") if k < 100 else str(k)


# --- enterprises ---------------------------------------------------------------------------
def _pick(start: np.ndarray, count: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index of a uniform pick in [start, start + count) per element (count > 0)."""
    return start + np.minimum((u * count).astype(np.int64), count - 1)


def _enterprise_names(n: int, geo: _Geo, loc: np.ndarray, ch: _Chains, home: np.ndarray,
                      large: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    syl = np.array(V.BRAND_SYLLABLES, dtype=object)
    s = len(syl)
    pairs = np.add.outer(syl, syl).ravel()
    prefix = np.where(rng.random(n) < 0.15, geo.prov_short[geo.loc_prov[loc]], geo.loc_short[loc])
    a = rng.integers(0, s, n)
    b = (a + 1 + rng.integers(0, s - 1, n)) % s
    brand = pairs[a * s + b]
    words = sorted({w for ws in ch.words for w in ws} | set(V.GENERIC_WORDS))
    word_index = {w: i for i, w in enumerate(words)}
    per_chain = np.array([[word_index[w] for w in ws] for ws in ch.words])
    generic = np.array([word_index[w] for w in V.GENERIC_WORDS])
    pick_chain = per_chain[home, rng.integers(0, per_chain.shape[1], n)]
    word = np.where(rng.random(n) < 0.75, pick_chain, generic[rng.integers(0, len(generic), n)])
    word = np.array(words, dtype=object)[word]
    suffix = np.where(large, "股份有限公司", "有限公司").astype(object)
    names = prefix + brand + word + suffix
    for _ in range(20):
        dup = np.flatnonzero(pd.Series(names, dtype=object).duplicated().to_numpy())
        if not len(dup):
            return names
        three = syl[rng.integers(0, s, len(dup))] + syl[rng.integers(0, s, len(dup))] + syl[rng.integers(0, s, len(dup))]
        names[dup] = prefix[dup] + three + word[dup] + suffix[dup]
    dup = np.flatnonzero(pd.Series(names, dtype=object).duplicated().to_numpy())
    names[dup] = names[dup] + np.array([f"{_cn_number(k % 99 + 1)}分厂" for k in range(len(dup))], dtype=object)
    if pd.Series(names, dtype=object).duplicated().any():  # pragma: no cover - practically unreachable
        raise ChainAtlasError("could not make enterprise names unique")
    return names


# Six-digit A-share code ranges (first, count): 上交所主板, 深交所主板/中小板, 创业板, 科创板.
_STOCK_POOLS = ((600000, 6000), (1, 3999), (300001, 1999), (688001, 999))
_STOCK_ROOM = sum(size for _, size in _STOCK_POOLS)


def _stock_codes(k: int, rng: np.random.Generator) -> np.ndarray:
    pool = np.concatenate([np.arange(start, start + size) for start, size in _STOCK_POOLS])
    picked = rng.choice(pool, size=min(k, len(pool)), replace=False)
    return np.array([f"{c:06d}" for c in picked], dtype=object)


def _tag_table() -> np.ndarray:
    """Tags text per bitmask (bit i = schema.KNOWN_TAGS[i]), in KNOWN_TAGS order."""
    tags = schema.KNOWN_TAGS
    return np.array([LIST_JOIN.join(t for i, t in enumerate(tags) if m >> i & 1) for m in range(1 << len(tags))],
                    dtype=object)


def _enterprises(n: int, geo: _Geo, ch: _Chains, pk: _Parks, rng: np.random.Generator):
    loc = rng.choice(len(geo.loc_code), n, p=geo.loc_weight)
    revenue = np.round(np.maximum(rng.lognormal(np.log(REVENUE_MEDIAN), REVENUE_SIGMA, n), 1.0), 1)
    guishang = revenue >= 2000
    scale_names = np.array(["微型", "小型", "中型", "大型"], dtype=object)
    scale = scale_names[np.searchsorted(np.array([300.0, 2000.0, 40000.0]), revenue, side="right")]
    productivity = rng.lognormal(np.log(60.0), 0.5, n)         # 万元 per employee
    employees = np.maximum(1, np.rint(revenue / productivity)).astype(np.int64)

    # parks: only parks of the enterprise's own place
    n_loc = len(geo.loc_code)
    park_start = np.searchsorted(pk.loc, np.arange(n_loc))
    park_count = np.searchsorted(pk.loc, np.arange(n_loc), side="right") - park_start
    want = rng.random(n) < np.where(guishang, IN_PARK_LARGE, IN_PARK)
    u = rng.random(n)
    has = want & (park_count[loc] > 0)
    park = np.full(n, -1, dtype=np.int64)
    park[has] = _pick(park_start[loc[has]], park_count[loc[has]], u[has])

    # home chain: often one the park carries, else by chain size; every chain gets makers
    n_chains = len(ch.ids)
    home = rng.choice(n_chains, n, p=ch.weight)
    pc_start = np.searchsorted(pk.pc_park, np.arange(len(pk.ids)))
    pc_count = np.searchsorted(pk.pc_park, np.arange(len(pk.ids)), side="right") - pc_start
    follow = (park >= 0) & (rng.random(n) < 0.6)
    u = rng.random(n)
    fp = park[follow]
    home[follow] = pk.pc_chain[_pick(pc_start[fp], pc_count[fp], u[follow])]
    cover = rng.permutation(n)[:min(n, n_chains)]
    home[cover] = np.arange(len(cover))

    # tags with realistic rarity; 500强 = the top 500 by revenue (fewer below a million)
    logrev = np.log(revenue)
    listed = rng.random(n) < 0.85 / (1 + np.exp(-(logrev - np.log(500000.0)) / 0.8))
    if listed.sum() > _STOCK_ROOM:
        listed[np.flatnonzero(listed)[_STOCK_ROOM:]] = False
    sme = guishang & (revenue < 200000)
    zjtx = rng.random(n) < np.where(sme, 0.03, 0.002)
    giant = zjtx & (rng.random(n) < 0.12)
    hightech = rng.random(n) < 0.04 + 0.10 * guishang + 0.10 * (revenue >= 40000)
    top = np.zeros(n, dtype=bool)
    k500 = min(500, max(1, n // 2000)) if n else 0
    if k500:
        top[np.argsort(-revenue, kind="stable")[:k500]] = True
    unicorn = ~listed & (revenue >= 10000) & (revenue < 1000000) & (rng.random(n) < 0.001)
    flags = {"规上": guishang, "专精特新": zjtx, "小巨人": giant, "高新技术": hightech, "500强": top,
             "独角兽": unicorn, "上市": listed}
    mask = np.zeros(n, dtype=np.int64)
    for bit, tag in enumerate(schema.KNOWN_TAGS):
        if tag in flags:
            mask |= flags[tag].astype(np.int64) << bit
    tag_strings = _tag_table()
    stock = np.full(n, None, dtype=object)
    stock[listed] = _stock_codes(int(listed.sum()), rng)

    large = listed | ((scale == "大型") & (rng.random(n) < 0.4)) | ((scale == "中型") & (rng.random(n) < 0.05))
    names = _enterprise_names(n, geo, loc, ch, home, large, rng)
    width = max(7, len(str(n)))
    ids = ("SYN-E" + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(width)).to_numpy(dtype=object)
    none = np.full(n, None, dtype=object)
    table = _frame({
        "enterprise_id": ids, "name": names, "uscc": none, "region": geo.loc_code[loc],
        "park": np.where(park >= 0, pk.ids[np.maximum(park, 0)], None).astype(object) if len(pk.ids) else none,
        "scale": scale, "revenue": revenue, "employees": employees, "listed": listed, "stock_code": stock,
        "tags": tag_strings[mask], "industries": ch.industry[home], "evidence": none,
    })
    return table, ids, revenue, home


def _makes(n: int, ids: np.ndarray, home: np.ndarray, ch: _Chains, rng: np.random.Generator):
    n_chains, lmax = len(ch.ids), int(ch.layers.max())
    c_start = np.searchsorted(ch.cp_chain, np.arange(n_chains))
    c_count = np.searchsorted(ch.cp_chain, np.arange(n_chains), side="right") - c_start
    cl_key = ch.cp_chain * lmax + ch.cp_layer
    cl_start = np.searchsorted(cl_key, np.arange(n_chains * lmax))
    cl_count = np.searchsorted(cl_key, np.arange(n_chains * lmax), side="right") - cl_start

    anchor = _pick(c_start[home], c_count[home], rng.random(n))
    a_prod, a_layer = ch.cp_prod[anchor], ch.cp_layer[anchor]
    extra = np.minimum(rng.poisson(MAKES_EXTRA_MEAN, n), MAKES_CAP - 1)
    e_other = np.repeat(np.arange(n), extra)
    m = len(e_other)
    cross = rng.random(m) < CROSS_CHAIN
    other_chain = rng.choice(n_chains, m, p=ch.weight)
    delta = rng.choice(np.array([-1, 0, 1]), m, p=[0.2, 0.6, 0.2])
    u = rng.random(m)
    c = home[e_other]
    layer = np.clip(a_layer[e_other] + delta, 0, ch.layers[c] - 1)
    near = _pick(cl_start[c * lmax + layer], cl_count[c * lmax + layer], u)
    far = _pick(c_start[other_chain], c_count[other_chain], u)
    o_prod = ch.cp_prod[np.where(cross, far, near)]

    ent = np.concatenate([np.arange(n), e_other])
    prod = np.concatenate([a_prod, o_prod])
    is_anchor = np.concatenate([np.ones(n, dtype=bool), np.zeros(m, dtype=bool)])
    n_products = len(ch.product_ids)
    _, first = np.unique(ent.astype(np.int64) * n_products + prod, return_index=True)
    ent, prod, is_anchor = ent[first], prod[first], is_anchor[first]   # sorted by enterprise, product

    weight = rng.gamma(1.0, 1.0, len(ent)) + 1.5 * is_anchor
    total = np.bincount(ent, weights=weight, minlength=n)
    covered = rng.uniform(0.5, 0.95, n)
    share = np.floor(weight / total[ent] * covered[ent] * 1000) / 1000
    share = np.maximum(share, 0.001)
    table = _frame({"enterprise": ids[ent], "product": ch.product_ids[prod], "revenue_share": share})
    return table, ent, prod


def _roles(n: int, ids: np.ndarray, revenue: np.ndarray, ent: np.ndarray, prod: np.ndarray, ch: _Chains,
           rng: np.random.Generator) -> pd.DataFrame:
    n_chains, n_products = len(ch.ids), len(ch.product_ids)
    by_prod = np.argsort(ch.cp_prod, kind="stable")
    p_chain = ch.cp_chain[by_prod]
    p_start = np.searchsorted(ch.cp_prod[by_prod], np.arange(n_products))
    p_count = np.bincount(ch.cp_prod, minlength=n_products)
    rep = p_count[prod]
    offs = np.arange(rep.sum()) - np.repeat(np.cumsum(rep) - rep, rep)
    chain_of = p_chain[np.repeat(p_start[prod], rep) + offs]
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(-revenue, kind="stable")] = np.arange(n)
    keys = np.unique(chain_of.astype(np.int64) * max(n, 1) + rank[np.repeat(ent, rep)])
    k_chain, k_rank = keys // max(n, 1), keys % max(n, 1)
    start = np.searchsorted(k_chain, np.arange(n_chains))
    count = np.searchsorted(k_chain, np.arange(n_chains), side="right") - start
    by_rank = np.argsort(rank)
    leads = rng.integers(1, 4, n_chains)
    cores = rng.integers(3, 9, n_chains)
    rows_c, rows_e, rows_r = [], [], []
    for c in range(n_chains):
        top = by_rank[k_rank[start[c]:start[c] + min(count[c], leads[c] + cores[c])]]
        nl = min(leads[c], len(top))
        rows_c.append(np.full(len(top), c))
        rows_e.append(top)
        rows_r.append(np.where(np.arange(len(top)) < nl, "链主", "链核"))
    rc, re_, rr = (np.concatenate(a) if a else np.zeros(0) for a in (rows_c, rows_e, rows_r))
    return _frame({"chain": ch.ids[rc.astype(np.int64)], "enterprise": ids[re_.astype(np.int64)],
                         "role": rr.astype(object), "evidence": np.full(len(rc), "合成数据：按营收排名", dtype=object)})


def _supplies(n: int, ids: np.ndarray, ent: np.ndarray, prod: np.ndarray, ch: _Chains,
              rng: np.random.Generator) -> pd.DataFrame:
    empty = _frame({"supplier": np.zeros(0, dtype=object), "customer": np.zeros(0, dtype=object),
                          "product": np.zeros(0, dtype=object)})
    target = int(round(n * SUPPLIES_PER_ENTERPRISE))
    if target == 0 or len(ch.flow_from) == 0:
        return empty
    n_products = len(ch.product_ids)
    order = np.argsort(prod, kind="stable")
    maker = ent[order]
    m_start = np.searchsorted(prod[order], np.arange(n_products))
    m_count = np.bincount(prod, minlength=n_products)
    a, b = ch.flow_from, ch.flow_to
    w = np.sqrt(m_count[a] * m_count[b].astype(float))
    if w.sum() == 0:
        return empty
    draw = int(target * 1.3) + 10
    f = rng.choice(len(a), draw, p=w / w.sum())
    sup = maker[_pick(m_start[a[f]], m_count[a[f]], rng.random(draw))]
    cus = maker[_pick(m_start[b[f]], m_count[b[f]], rng.random(draw))]
    ok = sup != cus
    sup, cus, via = sup[ok], cus[ok], a[f][ok]
    _, first = np.unique(sup.astype(np.int64) * n + cus, return_index=True)
    first = np.sort(first)[:target]
    return _frame({"supplier": ids[sup[first]], "customer": ids[cus[first]],
                         "product": ch.product_ids[via[first]]})


# --- assembling -----------------------------------------------------------------------------
def _build(n_enterprises: int, n_chains: int, products_per_chain: int, seed: int,
           regions=None) -> dict[str, pd.DataFrame]:
    """Every table without provenance columns; list columns joined by ``;``, bools as numpy
    bools, missing text as None, missing floats as NaN."""
    if n_enterprises < 0 or n_chains < 1 or products_per_chain < 3 or seed < 0:
        raise ChainAtlasError("synth: need enterprises >= 0, chains >= 1, products per chain >= 3, seed >= 0")
    ref = load_regions(regions)
    rng = np.random.default_rng(seed)
    geo = _geography(ref, rng)
    ch = _chains(n_chains, products_per_chain, geo, rng)
    pk = _parks(geo, ch, rng)
    enterprises, ids, revenue, home = _enterprises(n_enterprises, geo, ch, pk, rng)
    makes, ent, prod = _makes(n_enterprises, ids, home, ch, rng)
    roles = _roles(n_enterprises, ids, revenue, ent, prod, ch, rng)
    supplies = _supplies(n_enterprises, ids, ent, prod, ch, rng)
    subclasses = _frame({"product": np.zeros(0, dtype=object), "parent": np.zeros(0, dtype=object)})
    return {"regions": geo.regions, "chains": ch.table, "products": ch.products, "parks": pk.table,
            "enterprises": enterprises, "chain_products": ch.cp, "product_flows": ch.flows,
            "product_subclasses": subclasses, "park_chains": pk.carries, "enterprise_products": makes,
            "chain_roles": roles, "supplies": supplies}


def _object_values(series: pd.Series, kind: str) -> np.ndarray:
    """A raw column as the object array an ImportBatch holds (Python values, None for missing)."""
    values = series.to_numpy()
    if kind == "list":
        codes, uniques = pd.factorize(series.fillna(""), sort=False)
        lists = [u.split(LIST_JOIN) if u else [] for u in uniques]
        out = np.empty(len(codes), dtype=object)
        out[:] = [list(lists[c]) for c in codes]
        return out
    out = values.astype(object)
    if values.dtype.kind == "f":
        out[np.isnan(values)] = None
    elif values.dtype.kind == "O":
        out[pd.isna(values)] = None
    return out


def _to_batch(raw: dict[str, pd.DataFrame], source: str, as_of: str) -> ImportBatch:
    batch = ImportBatch.empty(source=source)
    for name, table in schema.TABLES.items():
        df = raw[name]
        n = len(df)
        cols = {}
        for col in table.columns:
            if col.name == "source":
                vals = np.full(n, source, dtype=object)
            elif col.name == "as_of":
                vals = np.full(n, as_of, dtype=object)
            elif col.name == "illustrative":
                vals = np.full(n, True, dtype=object)
            else:
                vals = _object_values(df[col.name], col.kind)
            cols[col.name] = pd.Series(vals, dtype=object)
        batch.tables[name] = pd.DataFrame(cols, columns=table.column_names)
    return batch


def generate(n_enterprises: int = 10_000, n_chains: int = 10, products_per_chain: int = 60, seed: int = 1,
             *, regions=None, as_of: str = AS_OF) -> ImportBatch:
    """A synthetic national data set as a normalised ImportBatch (object columns, Python values,
    lists as lists, ids in every ``ref:`` column), exactly what validating the folder written by
    :func:`synthesize` with the same arguments gives. ``regions``: see :func:`load_regions`."""
    raw = _build(n_enterprises, n_chains, products_per_chain, seed, regions)
    return _to_batch(raw, source_of(seed), as_of)


# --- writing --------------------------------------------------------------------------------
def _constant(value: str, n: int, index) -> pd.Series:
    """A column holding one text ``n`` times, as a categorical (no n-sized object array)."""
    return pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [value]), index=index)


_MILLI_TEXT = [repr(k / 1000) for k in range(1001)]


def _csv_frame(df: pd.DataFrame, table: schema.Table, provenance: tuple[str, str, bool] | None) -> pd.DataFrame:
    """``df`` (raw or ImportBatch form) as text-ready columns in schema order. Repeated texts
    (provenance, 是/否, shares in thousandths) become categoricals: same CSV, much faster."""
    cols = {}
    n = len(df)
    for col in table.columns:
        if provenance is not None and col.name in PROVENANCE:
            value = dict(zip(PROVENANCE, provenance))[col.name]
            value = (YES if value else NO) if col.name == "illustrative" else value
            cols[col.name] = _constant(value, n, df.index)
            continue
        s = df[col.name]
        if col.kind == "share" and s.dtype.kind == "f" and n:
            v = s.to_numpy()
            milli = np.rint(np.nan_to_num(v, nan=-1.0) * 1000)
            if (np.array_equal(milli / 1000, np.nan_to_num(v, nan=-0.001))     # all thousandths (or missing)
                    and milli.min() >= -1 and milli.max() <= 1000):
                s = pd.Series(pd.Categorical.from_codes(milli.astype(np.int16), _MILLI_TEXT), index=df.index)
        elif col.kind == "bool":
            v = s.to_numpy()
            if v.dtype != bool:
                v = s.astype(object).fillna(False).to_numpy().astype(bool)
            s = pd.Series(pd.Categorical.from_codes(v.astype(np.int8), [NO, YES]), index=df.index)
        elif col.kind == "list" and s.dtype == object and n and isinstance(s.iloc[0], list):
            s = pd.Series([LIST_JOIN.join(x) if isinstance(x, list) else (x or "") for x in s],
                          index=df.index, dtype=object)
        cols[col.name] = s
    return pd.DataFrame(cols, columns=table.column_names)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", na_rep="", chunksize=50_000)


def write_folder(batch: ImportBatch, out_dir) -> dict[str, Path]:
    """Write ``batch`` as an import folder: one ``<table>.csv`` per table (UTF-8, schema columns
    in order, 是/否 for yes/no, lists joined by ``;``). Returns the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in schema.LOAD_ORDER:
        path = out / f"{name}.csv"
        _write_csv(_csv_frame(batch.tables[name], schema.TABLES[name], None), path)
        written[name] = path
    return written


def synthesize(out_dir, n_enterprises: int = 10_000, n_chains: int = 10, products_per_chain: int = 60,
               seed: int = 1, *, regions=None, as_of: str = AS_OF) -> dict[str, int]:
    """Generate and write straight to ``out_dir`` (no per-row Python objects for lists);
    the files equal ``write_folder(generate(...))``. Returns rows per table."""
    raw = _build(n_enterprises, n_chains, products_per_chain, seed, regions)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    provenance = (source_of(seed), as_of, True)
    rows = {}
    for name in schema.LOAD_ORDER:
        _write_csv(_csv_frame(raw[name], schema.TABLES[name], provenance), out / f"{name}.csv")
        rows[name] = len(raw[name])
    return rows
