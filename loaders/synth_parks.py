"""Parks of the synthetic data set: a few per province (more in richer ones), kinds from the
enum, a few 飞地园区 with ``counted_for``; each carries 1–3 chains."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from loaders import synth_vocab as V
from loaders.synth_arrays import cn_number, frame
from loaders.synth_chains import Chains
from loaders.synth_geo import Geo


@dataclass
class Parks:
    """The parks and park_chains tables, with the index arrays enterprises are placed by."""

    table: pd.DataFrame
    ids: np.ndarray
    loc: np.ndarray             # location index per park (sorted)
    carries: pd.DataFrame       # park_chains (raw)
    pc_park: np.ndarray         # per park_chains row (sorted by park)
    pc_chain: np.ndarray


def build_parks(geo: Geo, ch: Chains, rng: np.random.Generator) -> Parks:
    """Parks, their names and the chains they carry; draws from ``rng`` in a fixed order."""
    loc, kind, counted = _places_and_kinds(geo, rng)
    n = len(loc)
    names, kind = _park_names(geo, loc, kind, counted, rng)
    width = max(4, len(str(n)))
    ids = np.array([f"SYN-K{i + 1:0{width}d}" for i in range(n)], dtype=object)
    table = frame({
        "park_id": ids, "name": np.array(names, dtype=object), "kind": kind, "region": geo.loc_code[loc],
        "counted_for": np.where(counted >= 0, geo.loc_code[np.maximum(counted, 0)], None).astype(object),
    })

    n_chains = len(ch.ids)
    carry = np.minimum(rng.integers(1, 4, n), n_chains)
    pc_park = np.repeat(np.arange(n), carry)
    pc_chain = np.concatenate([rng.choice(n_chains, k, replace=False, p=ch.weight) for k in carry])
    order = np.lexsort((pc_chain, pc_park))
    pc_park, pc_chain = pc_park[order], pc_chain[order]
    carries = frame({"park": ids[pc_park], "chain": ch.ids[pc_chain]})
    return Parks(table, ids, loc, carries, pc_park, pc_chain)


def _places_and_kinds(geo: Geo, rng: np.random.Generator):
    """Per park (sorted by place): place index, kind, and for an enclave (飞地园区) the place it
    is counted for (else -1). At least three enclaves where there are three parks."""
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
    return loc[order], kind[order], counted[order]


def _park_names(geo: Geo, loc: np.ndarray, kind: np.ndarray, counted: np.ndarray, rng: np.random.Generator):
    """Unique park names from the kind's pattern, and the kinds (a second national zone of a kind
    in one place becomes provincial); clashes take another variety word, then a phase (二期 …)."""
    kind = kind.copy()
    n = len(loc)
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
            name = f"{base}{cn_number(k)}期"
            k += 1
        seen.add(name)
        names.append(name)
    return names, kind
