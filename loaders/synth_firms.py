"""Enterprises of the synthetic data set: lognormal revenue (万元), scale and employees from it,
tags with realistic rarity (规上 ≈ 30%, 高新技术, 专精特新, 小巨人, top-500 as 500强, a handful of
独角兽), some listed; placed in places weighted by economic weight, some in parks; names such as
运城华信汽车零部件有限公司."""
from __future__ import annotations

import numpy as np
import pandas as pd

from graph import schema
from graph.errors import ChainAtlasError
from loaders import synth_vocab as V
from loaders.synth_arrays import LIST_JOIN, cn_number, frame, pick
from loaders.synth_chains import Chains
from loaders.synth_geo import Geo
from loaders.synth_parks import Parks

# Knobs (changing one changes every seed's output).
REVENUE_MEDIAN, REVENUE_SIGMA = 700.0, 2.0     # 万元, lognormal
IN_PARK, IN_PARK_LARGE = 0.2, 0.45             # share of enterprises in a park (小微 / 规上)

# Six-digit A-share code ranges (first, count): 上交所主板, 深交所主板/中小板, 创业板, 科创板.
_STOCK_POOLS = ((600000, 6000), (1, 3999), (300001, 1999), (688001, 999))
_STOCK_ROOM = sum(size for _, size in _STOCK_POOLS)


def build_enterprises(n: int, geo: Geo, ch: Chains, pk: Parks, rng: np.random.Generator):
    """The enterprises table, and per enterprise its id, revenue and home chain (index)."""
    loc = rng.choice(len(geo.loc_code), n, p=geo.loc_weight)
    revenue = np.round(np.maximum(rng.lognormal(np.log(REVENUE_MEDIAN), REVENUE_SIGMA, n), 1.0), 1)
    guishang = revenue >= 2000
    scale_names = np.array(["微型", "小型", "中型", "大型"], dtype=object)
    scale = scale_names[np.searchsorted(np.array([300.0, 2000.0, 40000.0]), revenue, side="right")]
    productivity = rng.lognormal(np.log(60.0), 0.5, n)         # 万元 per employee
    employees = np.maximum(1, np.rint(revenue / productivity)).astype(np.int64)
    park = _parks_of(loc, guishang, geo, pk, rng)
    home = _home_chains(park, ch, pk, rng)
    tags, listed, stock = _tags(revenue, guishang, rng)
    large = listed | ((scale == "大型") & (rng.random(n) < 0.4)) | ((scale == "中型") & (rng.random(n) < 0.05))
    names = _enterprise_names(n, geo, loc, ch, home, large, rng)
    width = max(7, len(str(n)))
    ids = ("SYN-E" + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(width)).to_numpy(dtype=object)
    none = np.full(n, None, dtype=object)
    table = frame({
        "enterprise_id": ids, "name": names, "uscc": none, "region": geo.loc_code[loc],
        "park": np.where(park >= 0, pk.ids[np.maximum(park, 0)], None).astype(object),
        "scale": scale, "revenue": revenue, "employees": employees, "listed": listed, "stock_code": stock,
        "tags": tags, "industries": ch.industry[home], "evidence": none, "aliases": none,
        "region_source": none, "region_evidence": none,
    })
    return table, ids, revenue, home


def _parks_of(loc: np.ndarray, guishang: np.ndarray, geo: Geo, pk: Parks, rng: np.random.Generator) -> np.ndarray:
    """Park index per enterprise (-1: none); only parks of the enterprise's own place."""
    n = len(loc)
    n_loc = len(geo.loc_code)
    park_start = np.searchsorted(pk.loc, np.arange(n_loc))
    park_count = np.searchsorted(pk.loc, np.arange(n_loc), side="right") - park_start
    want = rng.random(n) < np.where(guishang, IN_PARK_LARGE, IN_PARK)
    u = rng.random(n)
    has = want & (park_count[loc] > 0)
    park = np.full(n, -1, dtype=np.int64)
    park[has] = pick(park_start[loc[has]], park_count[loc[has]], u[has])
    return park


def _home_chains(park: np.ndarray, ch: Chains, pk: Parks, rng: np.random.Generator) -> np.ndarray:
    """Home chain per enterprise: often one its park carries, else by chain size; every chain
    gets makers."""
    n, n_chains = len(park), len(ch.ids)
    home = rng.choice(n_chains, n, p=ch.weight)
    pc_start = np.searchsorted(pk.pc_park, np.arange(len(pk.ids)))
    pc_count = np.searchsorted(pk.pc_park, np.arange(len(pk.ids)), side="right") - pc_start
    follow = (park >= 0) & (rng.random(n) < 0.6)
    u = rng.random(n)
    fp = park[follow]
    home[follow] = pk.pc_chain[pick(pc_start[fp], pc_count[fp], u[follow])]
    cover = rng.permutation(n)[:min(n, n_chains)]
    home[cover] = np.arange(len(cover))
    return home


def _tags(revenue: np.ndarray, guishang: np.ndarray, rng: np.random.Generator):
    """Tags text, listed flag and stock code (None unless listed) per enterprise; 500强 = the
    top 500 by revenue (fewer below a million enterprises)."""
    n = len(revenue)
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
    stock = np.full(n, None, dtype=object)
    stock[listed] = _stock_codes(int(listed.sum()), rng)
    return _tag_table()[mask], listed, stock


def _enterprise_names(n: int, geo: Geo, loc: np.ndarray, ch: Chains, home: np.ndarray,
                      large: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unique names: place (sometimes the province) + two brand syllables + a word of the home
    chain (or a generic one) + 有限公司 / 股份有限公司 (large firms); clashes get three syllables,
    then a branch number (二分厂 …)."""
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
        m = len(dup)
        three = syl[rng.integers(0, s, m)] + syl[rng.integers(0, s, m)] + syl[rng.integers(0, s, m)]
        names[dup] = prefix[dup] + three + word[dup] + suffix[dup]
    dup = np.flatnonzero(pd.Series(names, dtype=object).duplicated().to_numpy())
    names[dup] = names[dup] + np.array([f"{cn_number(k % 99 + 1)}分厂" for k in range(len(dup))], dtype=object)
    if pd.Series(names, dtype=object).duplicated().any():  # pragma: no cover - practically unreachable
        raise ChainAtlasError("could not make enterprise names unique")
    return names


def _stock_codes(k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` distinct six-digit A-share codes (at most the pools' size)."""
    pool = np.concatenate([np.arange(start, start + size) for start, size in _STOCK_POOLS])
    picked = rng.choice(pool, size=min(k, len(pool)), replace=False)
    return np.array([f"{c:06d}" for c in picked], dtype=object)


def _tag_table() -> np.ndarray:
    """Tags text per bitmask (bit i = schema.KNOWN_TAGS[i]), in KNOWN_TAGS order."""
    tags = schema.KNOWN_TAGS
    return np.array([LIST_JOIN.join(t for i, t in enumerate(tags) if m >> i & 1) for m in range(1 << len(tags))],
                    dtype=object)

