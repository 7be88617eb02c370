"""招商组合优化: the few enterprises that close the most, and the most important, gaps across chains.

:func:`plan` diagnoses each chosen chain in the region — only as far as the plan needs
(:func:`graph.analysis.plan_gaps.chain_gaps`: the gaps, their priorities and key-link flags, with the
values :func:`graph.analysis.gaps.diagnose` gives; the full diagnoses when the target score weighs
in) — and hands the results to :func:`optimise`, which

1. takes every missing or weak link (``GapReport.gaps()``; no-data and unverified links are not gaps)
   with its priority as the gap's weight (a weak link's weight times ``PlanWeights.weak``);
2. fetches, in one store call, the makers outside the region of every gap product (subclasses
   included, as the engine counts them) and drops those whose location is unknown for the place
   (no region, a region not in the atlas, or one coarser than the place that contains it), the
   excluded enterprises and provinces;
3. maximises the objective of :mod:`graph.analysis.plan_greedy` (the first maker of a gap brings its
   priority, a second ``second`` times as much, …; an enterprise is one pick however many gaps and
   chains it serves) with the lazy greedy, within 1 − 1/e of the best plan of the same size;
4. explains every pick: marginal gain, the links it closes (first maker) and strengthens, on which
   chains, and the coverage after it (the curve).

With ``PlanWeights.quality`` > 0 the target score of :func:`graph.analysis.targets.rank_targets`
scales each maker's value (``(1 − quality) + quality · score/100``) and candidates are that
function's top ``pool`` per gap.

A gap counts as *closed* in the plan once one picked enterprise makes its product; whether the link
then is 已配套 or still 弱链 under the thresholds is what :mod:`graph.analysis.whatif` shows.

>>> PlanWeights().second
0.3
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from graph.analysis import geo
from graph.analysis.plan_candidates import (candidate_filter, chain_products, eff_region,  # noqa: F401
                                             made_gaps, pairs_of)  # (chain_products: re-exported)
from graph.analysis.plan_greedy import Instance, greedy
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS, PriorityWeights, Thresholds, Weights


@dataclass(frozen=True)
class PlanWeights:
    """second: value of a second new maker of a link relative to the first (third: second², …);
    weak: multiplier of a weak link's priority (strengthening) — a missing link's is 1;
    quality: 0–1, how much the target score scales a maker's value (0 = coverage only);
    pool: with quality > 0, the candidates per gap taken from rank_targets."""

    second: float = 0.3
    weak: float = 1.0
    quality: float = 0.0
    pool: int = 50

    def with_(self, **changes) -> "PlanWeights":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_PLAN_WEIGHTS = PlanWeights()

#: Columns of Plan.picks, in order.
PICK_COLUMNS = [
    "pick", "enterprise_id", "name", "region", "region_name", "province", "province_name", "scale", "tags",
    "gain",              # marginal gain of this pick (priority points)
    "value",             # the plan's value after it
    "value_share",       # value / the whole plan's value (the curve: "5 picks give 70% of 20")
    "closed_share",      # priority of the gaps served so far (closed, or weak and strengthened) / all gaps
    "chains",            # names of the chains it counts for (、-joined)
    "closes",            # 链·环节 it is the first maker of (、-joined)
    "strengthens",       # 链·环节 it adds a further maker to (weak links, or already closed by a pick)
    "links_closed", "links_strengthened", "key_links_closed",
    "source", "as_of",   # of its MAKES facts used (、-joined sources; latest as_of)
]
#: Columns of Plan.gaps (every gap of the chosen chains), in order.
GAP_COLUMNS = ["chain_id", "chain", "product_id", "name", "status", "status_cn", "key_link", "priority",
               "weight", "candidates", "closed_by", "picks"]


@dataclass
class Plan:
    """region: the place dict; chains: [{chain_id, name}]; options: what was asked;
    picks: PICK_COLUMNS; gaps: GAP_COLUMNS; reports: the GapReports used (from :func:`plan` without
    quality weighting, the lighter graph.analysis.plan_gaps.ChainGaps); notes: Chinese remarks;
    counts: candidates, unknown_location, excluded_enterprises, excluded_provinces."""

    region: dict
    chains: list
    options: dict
    picks: pd.DataFrame
    gaps: pd.DataFrame
    reports: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def value(self) -> float:
        return float(self.picks["value"].iloc[-1]) if len(self.picks) else 0.0

    def curve(self) -> pd.DataFrame:
        """pick 0..k: value, value_share, closed_share after that many picks."""
        head = pd.DataFrame({"pick": [0], "value": [0.0], "value_share": [0.0], "closed_share": [0.0]})
        return pd.concat([head, self.picks[["pick", "value", "value_share", "closed_share"]]], ignore_index=True)

    def by_chain(self) -> dict[str, list[str]]:
        """chain id -> the picked enterprises that count for it (for a what-if)."""
        out: dict[str, list[str]] = {c["chain_id"]: [] for c in self.chains}
        for cid, eid in zip(self.gaps["chain_id"], self.gaps["picks"]):
            for e in (eid or "").split(";"):
                if e and e not in out.setdefault(cid, []):
                    out[cid].append(e)
        return out


def plan(store, region: str, chains: list[str] | None = None, k: int = 10,
         weights: PlanWeights = DEFAULT_PLAN_WEIGHTS, priority: PriorityWeights = DEFAULT_PRIORITY,
         thresholds: Thresholds = DEFAULT_THRESHOLDS, target_weights: Weights = DEFAULT_WEIGHTS,
         exclude: list[str] = (), exclude_provinces: list[str] = (), key_first: bool = False,
         chain_cap: int | None = None, enclave_attribution: bool = True, count_subclasses: bool = True) -> Plan:
    """Diagnose ``chains`` (ids or names; None = every chain) in ``region`` and optimise (see module doc).
    exclude: enterprise ids or names; exclude_provinces: province codes or names."""
    from graph.analysis import lookup
    from graph.analysis.gaps import diagnose
    from graph.analysis.plan_gaps import chain_gaps
    from graph.analysis.scope import RegionTree

    tree = RegionTree.from_store(store)
    place = lookup.resolve_place(store, region, tree=tree)
    ids = store.table("chains")["chain_id"].astype(str).tolist() if not chains else \
        [lookup.resolve_chain(store, c)["chain_id"] for c in chains]
    ids = list(dict.fromkeys(ids))
    if weights.quality > 0:   # rank_targets scores the candidates: it needs the full diagnoses
        prefetch = getattr(store, "prefetch_makers", None)
        if prefetch is not None and len(ids) > 1:
            prefetch(chain_products(store, ids))
        reports = [diagnose(store, c, place["id"], thresholds=thresholds, enclave_attribution=enclave_attribution,
                            priority=priority, count_subclasses=count_subclasses) for c in ids]
    else:                     # only the gaps, their priorities and link_of: one shared pass
        reports = chain_gaps(store, ids, place["id"], thresholds=thresholds, enclave_attribution=enclave_attribution,
                             priority=priority, count_subclasses=count_subclasses)
    return optimise(store, reports, k=k, weights=weights, target_weights=target_weights, exclude=exclude,
                    exclude_provinces=exclude_provinces, key_first=key_first, chain_cap=chain_cap, tree=tree)


def optimise(store, reports: list, k: int = 10, weights: PlanWeights = DEFAULT_PLAN_WEIGHTS,
             target_weights: Weights = DEFAULT_WEIGHTS, exclude=(), exclude_provinces=(), key_first: bool = False,
             chain_cap: int | None = None, tree=None) -> Plan:
    """The plan for already-diagnosed chains (all of one place). One store call for the candidates
    (plus one rank_targets per chain when ``weights.quality`` > 0)."""
    from graph.analysis.scope import RegionTree
    from graph.errors import ChainAtlasError

    if k < 1:
        raise ChainAtlasError(f"招商组合的企业数 k 须至少为 1（收到 {k}）", "请把 k 设为 1 或更大，例如 --k 10。")
    tree = tree or RegionTree.from_store(store)
    place = reports[0].region if reports else {}
    gaps = _gap_table(reports, weights)
    options = {"k": int(k), "weights": weights.as_dict(), "key_first": bool(key_first), "chain_cap": chain_cap,
               "exclude": list(exclude), "exclude_provinces": list(exclude_provinces),
               "priority": reports[0].priority.as_dict() if reports else {},
               "thresholds": reports[0].thresholds.as_dict() if reports else {}}
    chains = [{"chain_id": str(r.chain.get("chain_id")), "name": r.chain.get("name")} for r in reports]
    notes: list[str] = []
    if gaps.empty:
        return Plan(place, chains, options, pd.DataFrame(columns=PICK_COLUMNS), _gaps_out(gaps), reports,
                    ["所选产业链在本地没有缺链或弱链环节，无需招商组合。"], {"candidates": 0})
    made = made_gaps(reports, gaps)           # product id -> the gaps its makers serve
    makers = store.makers(sorted(made), reports[0].scope, side="outside")
    keep, counts = candidate_filter(makers, place, tree, exclude, exclude_provinces, store, reports[0].scope)
    cands = makers[keep].reset_index(drop=True)
    pairs = pairs_of(cands, made, len(gaps))
    if weights.quality > 0:
        pairs = _with_quality(store, reports, gaps, pairs, weights, target_weights, tree)
    inst, ent_ids = _instance(gaps, pairs)
    counts["candidates"] = len(ent_ids)
    picks = greedy(inst, k, second=weights.second, key_first=key_first, chain_cap=chain_cap)
    picked = {ent_ids[p.cand] for p in picks}
    mine = cands[cands["enterprise_id"].isin(picked)]
    info = mine.drop_duplicates("enterprise_id").set_index("enterprise_id")
    info["province"] = [tree.province(eff_region(r, pk, tree)) for r, pk in zip(info["region"], info["park"])]
    prov = _provenance(mine, picked)
    table = _pick_rows(picks, ent_ids, gaps, info, tree, prov, reports)
    gaps_out = _mark_gaps(gaps, picks, ent_ids, info, pairs)
    if counts.get("unknown_location"):
        notes.append(f"{counts['unknown_location']} 家区域外生产企业所在地未知（或只知到比本地更大的范围），"
                     "不列入招商组合（待核实）。")
    if len(table) < k:
        notes.append(f"只有 {len(table)} 家企业能带来增益，组合不足 {k} 家。")
    if len(table):
        total = float(gaps["weight"].sum())
        notes.append(f"组合共 {len(table)} 家企业，补齐 {int(table['links_closed'].sum())} 个缺链环节、"
                     f"加强 {int(table['links_strengthened'].sum())} 个环节"
                     f"（占全部缺口优先级的 {table['closed_share'].iloc[-1]:.0%}，缺口优先级合计 {total:.0f}）。")
    return Plan(place, chains, options, table, gaps_out, reports, notes, counts)


# --- steps ------------------------------------------------------------------------------------
def _gap_table(reports, weights: PlanWeights) -> pd.DataFrame:
    from graph.analysis.gaps import GAP_STATUSES
    cols = ["chain_pos", "chain_id", "chain", "product_id", "name", "status", "status_cn", "key_link", "priority"]
    parts: dict[str, list] = {c: [] for c in cols}
    for ci, r in enumerate(reports):
        links = r.links
        # what GapReport.gaps() lists (sorted below)
        gap = np.array([i for i, st in enumerate(links["status"].tolist()) if st in GAP_STATUSES], dtype=np.int64)
        n = len(gap)
        if not n:
            continue
        for c, v in (("chain_pos", np.full(n, ci, dtype=np.int64)),
                     ("chain_id", np.full(n, str(r.chain.get("chain_id")), dtype=object)),
                     ("chain", np.full(n, r.chain.get("name"), dtype=object)),
                     ("product_id", links["product_id"].to_numpy()[gap].astype(str).astype(object)),
                     ("name", links["name"].to_numpy()[gap]), ("status", links["status"].to_numpy()[gap]),
                     ("status_cn", links["status_cn"].to_numpy()[gap]),
                     ("key_link", _flags(links["key_link"].to_numpy()[gap])),
                     ("priority", links["priority"].to_numpy()[gap].astype(float))):
            parts[c].append(v)
    gaps = pd.DataFrame({c: np.concatenate(v) for c, v in parts.items()}) if parts["chain_pos"] else \
        pd.DataFrame(columns=cols)
    gaps = gaps.sort_values(["chain_id", "product_id"], kind="stable").reset_index(drop=True)
    gaps["weight"] = gaps["priority"] * np.where(gaps["status"] == "weak", weights.weak, 1.0)
    gaps["gap"] = np.arange(len(gaps))
    return gaps


def _flags(values: np.ndarray) -> np.ndarray:
    """A key_link column's values as bools, missing ones False (as .fillna(False).astype(bool)).

    >>> _flags(np.array([True, None, np.nan, 0], dtype=object)).tolist()
    [True, False, False, False]
    """
    if values.dtype == bool:
        return values
    return np.array([False if v is None or v is pd.NA or (isinstance(v, float) and v != v) else bool(v)
                     for v in values.tolist()], dtype=bool)


def _with_quality(store, reports, gaps, pairs, weights: PlanWeights, target_weights: Weights, tree):
    from graph.analysis.targets import rank_targets
    frames = []
    for ci, r in enumerate(reports):
        if not (gaps["chain_pos"] == ci).any():
            continue
        t = rank_targets(store, r, weights=target_weights, top=int(weights.pool), tree=tree)
        g = gaps.loc[gaps["chain_pos"] == ci, ["product_id", "gap"]]
        frames.append(t[["gap_product_id", "enterprise_id", "score"]].merge(
            g, left_on="gap_product_id", right_on="product_id")[["enterprise_id", "gap", "score"]])
    scored = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["enterprise_id", "gap", "score"])
    scored = scored.sort_values("score", ascending=False, kind="stable").drop_duplicates(["enterprise_id", "gap"])
    out = pairs.drop(columns=["value"]).merge(scored, on=["enterprise_id", "gap"])
    q = float(min(max(weights.quality, 0.0), 1.0))
    out["value"] = (1 - q) + q * np.clip(pd.to_numeric(out["score"], errors="coerce").fillna(0) / 100, 0, 1)
    out = out.sort_values(["enterprise_id", "gap"], kind="stable").reset_index(drop=True)
    return out.drop(columns=["score"])


def _instance(gaps: pd.DataFrame, pairs: pd.DataFrame) -> tuple[Instance, list[str]]:
    """The greedy's instance; candidates in enterprise-id order (so ties resolve the same on every
    store). ``pairs`` must be sorted by (enterprise_id, gap), as :func:`_pairs` returns them."""
    ent = pairs["enterprise_id"].to_numpy(object)
    new = np.ones(len(ent), dtype=bool)
    new[1:] = ent[1:] != ent[:-1]
    starts = np.flatnonzero(new)
    offsets = np.append(starts, len(ent)).astype(np.int64)
    inst = Instance(weights=gaps["weight"].to_numpy(float), key=gaps["key_link"].to_numpy(bool),
                    chain=gaps["chain_pos"].to_numpy(np.int64), cand_ids=ent[starts], offsets=offsets,
                    gap=pairs["gap"].to_numpy(np.int64), value=pairs["value"].to_numpy(float),
                    missing=(gaps["status"] == "missing").to_numpy(bool))
    return inst, inst.cand_ids


def _provenance(cands: pd.DataFrame, picked: set) -> dict:
    c = cands[cands["enterprise_id"].isin(picked)]
    out = {}
    for eid, src, asof in zip(c["enterprise_id"], c["source"], c["as_of"]):
        s, a = out.setdefault(eid, (set(), set()))
        if src is not None and not pd.isna(src):
            s.add(str(src))
        if asof is not None and not pd.isna(asof):
            a.add(str(asof))
    return {e: ("、".join(sorted(s)), max(a) if a else None) for e, (s, a) in out.items()}


def _pick_rows(picks, ent_ids, gaps, info, tree, prov, reports) -> pd.DataFrame:
    if not picks:
        return pd.DataFrame(columns=PICK_COLUMNS)
    label = (gaps["chain"].astype(str) + "·" + gaps["name"].astype(str)).tolist()
    key = gaps["key_link"].tolist()
    weight = gaps["weight"].to_numpy(float)
    total = float(weight.sum())
    names = [str(r.chain.get("name")) for r in reports]
    rows, value, closed = [], 0.0, 0.0
    for i, p in enumerate(picks, start=1):
        eid = ent_ids[p.cand]
        r = info.loc[eid]
        value += p.gain
        closed += float(weight[p.first].sum()) if p.first else 0.0
        region = r.get("region") if not pd.isna(r.get("region")) else None
        prov_code = r.get("province")
        rows.append({
            "pick": i, "enterprise_id": eid, "name": r.get("name"), "region": region,
            "region_name": tree.name(region) if region else "", "province": prov_code,
            "province_name": geo.PROVINCES.get(prov_code, "") if prov_code else "",
            "scale": r.get("scale"), "tags": "、".join(r.get("tags") or []) if isinstance(r.get("tags"), list) else "",
            "gain": round(p.gain, 4), "value": round(value, 4), "value_share": 0.0,
            "closed_share": closed / total if total else 0.0,
            "chains": "、".join(names[c] for c in p.chains),
            "closes": "、".join(label[g] for g in p.closed), "strengthens": "、".join(label[g] for g in p.strengthened),
            "links_closed": len(p.closed), "links_strengthened": len(p.strengthened),
            "key_links_closed": int(sum(bool(key[g]) for g in p.closed)),
            "source": prov.get(eid, ("", None))[0], "as_of": prov.get(eid, ("", None))[1]})
    out = pd.DataFrame(rows, columns=PICK_COLUMNS)
    out["value_share"] = out["value"] / value if value else 0.0
    return out


def _mark_gaps(gaps, picks, ent_ids, info, pairs) -> pd.DataFrame:
    out = gaps.copy()
    out["candidates"] = np.bincount(pairs["gap"].to_numpy(np.int64), minlength=len(out))[out["gap"].to_numpy()]
    by: dict[int, list[str]] = {}
    for p in picks:
        for g in p.closed + p.strengthened:
            by.setdefault(g, []).append(ent_ids[p.cand])
    out["picks"] = [";".join(by.get(g, [])) for g in out["gap"]]
    out["closed_by"] = ["、".join(str(info.at[e, "name"]) for e in by.get(g, [])) for g in out["gap"]]
    return _gaps_out(out)


def _gaps_out(gaps: pd.DataFrame) -> pd.DataFrame:
    g = gaps.copy()
    for c in GAP_COLUMNS:
        if c not in g.columns:
            g[c] = "" if c in ("closed_by", "picks") else 0
    return g[GAP_COLUMNS].reset_index(drop=True)
