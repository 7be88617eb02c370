"""Gap diagnosis (缺链/弱链/断链) of one chain in one region or park.

:func:`diagnose` fetches everything it needs with a fixed number of store calls (chain view,
regions and parks tables, local makers of the chain's products, maker counts anywhere, the
链主's products) and hands the frames to the pure functions in :mod:`graph.analysis.gap_rules`, which
hold the rules (documented in :mod:`graph.options`).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

import pandas as pd

from graph.analysis import gap_rules

from graph.analysis import gap_summary
from graph.analysis.chain_graph import ChainGraph
from graph.analysis.frame_utils import StoreLRU
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS, PriorityWeights, Thresholds
from graph.analysis.gap_rules import LINK_COLUMNS, STATUS_CN  # noqa: F401  (re-exported for the faces)
from graph.store import AtlasStore, ChainView, Scope

GAP_STATUSES = ("missing", "weak")


@dataclass
class GapReport:
    """The diagnosis of one chain in one place.

    chain:      the chains row (chain_id, name, province, …)
    region:     the place: ``kind`` ("region" | "park"), ``id`` (code or park_id), ``name``,
                ``level`` (province/city/county/park), ``code`` (region code; a park's region),
                ``province`` (province code), ``lon``/``lat`` (centroid, parent's as fallback)
    thresholds, priority, enclave_attribution: the options used
    scope:      the :class:`~graph.store.Scope` that decided which enterprises are local
    links:      one row per product of the chain, in stage order (columns LINK_COLUMNS):
        product_id, name, stage (upstream/midstream/downstream), stage_cn (上游/中游/下游), segment,
        key_link (bool, 关键环节);
        status (covered/weak/missing/unverified/no_data), status_cn (已配套/弱链/缺链/待核实/无数据:
        待核实 = the verdict hinges on makers whose location is unknown — never a gap), broken (bool,
        断链), label (status_cn, prefixed 断链· when broken);
        local_makers (distinct local enterprises making it or a subclass), local_large (of which
        规上 or 大型/中型), local_share_sum (sum of their known revenue_share; NaN if none known),
        local_share_known (how many shares are known), makers_total (makers anywhere),
        unknown_makers / unknown_maker_names / unknown_maker_ids (makers whose location is unknown
        for the place), local_scale_unknown (local makers with no scale and no 规上 tag),
        local_maker_names (``名称(规模·标签)`` 、-joined), local_maker_ids (;-joined) — at most 50
        each, then ``…等 N 家`` (the full list is ``makers``), reason (Chinese);
        upstream_ids / downstream_ids (;-joined direct FEEDS neighbours), upstream / downstream
        (their names, 、-joined);
        local_demand (distinct local makers of the direct downstream products), leader_consumers
        (链主 whose inputs include it, names, 本地 marked), leader_consumer_count,
        leader_consumers_local;
        betweenness, degree (networkx, raw), centrality (0–1, see graph.analysis.chain_graph);
        p_status, p_broken, p_key, p_demand, p_leaders, p_centrality (priority parts), priority
        (their sum), grade (紧急/重要/一般 for missing/weak links, "" otherwise);
        source, as_of, illustrative (of the chain–product fact).
    summary:    dict — ``links``, ``with_data``, ``covered``, ``weak``, ``missing``, ``broken``,
                ``no_data``, ``local`` (links with ≥1 local maker), ``local_rate`` (local /
                with_data; no-data links are left out of the denominator), ``key_links``,
                ``key_local``, ``key_weighted_rate`` (key links count ``key_weight`` times),
                ``urgent``/``important``/``normal`` (gap grades), ``local_enterprises``;
                ``unverified`` (待核实 links), ``unverified_open`` (of which no known local maker),
                ``local_rate_max`` / ``key_weighted_rate_max`` (the rates if every open 待核实 link
                proved local: the range the unknowns allow), ``unknown_enterprises``
    stages:     one row per stage: stage, stage_cn, links, with_data, covered, weak, missing,
                broken, no_data, local_rate, unverified, unverified_open, local_rate_max
    leaders:    one row per 链主 of the chain; columns graph.analysis.gap_summary.LEADER_COLUMNS (documented there)
    makers:     the local makers (store MAKER_COLUMNS + ``link_id``: the chain product a
                subclass maker counts for)
    unknown:    the makers whose location is unknown for the place (same columns; see
                graph.analysis.location): never local, never outside, never a target by default
    notes:      remarks in Chinese (no-data links, rules skipped, unknown data …)
    data:       provenance of the facts used: ``as_of_min``, ``as_of_max``, ``sources`` (list),
                ``facts``, ``illustrative_facts``
    roles:      the chain's 链主/链核 (ChainView.roles)
    link_of:    product id -> the chain product (link) it counts for (subclasses 小类 included)
    count_subclasses: whether makers of subclasses counted for their chain product (an option)
    """

    chain: dict
    region: dict
    thresholds: Thresholds
    priority: PriorityWeights
    enclave_attribution: bool
    scope: Scope
    links: pd.DataFrame
    summary: dict
    stages: pd.DataFrame
    leaders: pd.DataFrame
    makers: pd.DataFrame
    unknown: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    roles: pd.DataFrame = field(default_factory=pd.DataFrame)
    link_of: dict = field(default_factory=dict)
    count_subclasses: bool = True

    def gaps(self) -> pd.DataFrame:
        """Missing and weak links, most urgent first."""
        links = self.links
        status, prio, pids = (links[c].tolist() for c in ("status", "priority", "product_id"))
        pos = [i for i, st in enumerate(status) if st in GAP_STATUSES]
        if all(isinstance(prio[i], float) and prio[i] == prio[i] and isinstance(pids[i], str) for i in pos):
            pos.sort(key=lambda i: (-prio[i], pids[i]))   # stable, as sort_values(kind="stable")
            return links.take(pos).reset_index(drop=True)
        g = links[links["status"].isin(GAP_STATUSES)]
        return g.sort_values(["priority", "product_id"], ascending=[False, True], kind="stable") \
            .reset_index(drop=True)

    def options(self) -> dict:
        return {"thresholds": self.thresholds.as_dict(), "priority": self.priority.as_dict(),
                "enclave_attribution": self.enclave_attribution, "count_subclasses": self.count_subclasses}

    def to_dict(self) -> dict:
        """JSON-ready dict (DataFrames as lists of records; NaN as None)."""
        return json_safe({
            "chain": self.chain, "region": self.region, "options": self.options(),
            "summary": self.summary, "notes": self.notes, "data": self.data,
            "links": self.links, "stages": self.stages, "leaders": self.leaders,
        })


def json_safe(obj):
    """DataFrames -> records; NaN/NA -> None; numpy scalars -> Python (recursively)."""
    import math

    import numpy as np
    if isinstance(obj, pd.DataFrame):
        return json_safe(obj.to_dict(orient="records"))
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


#: Diagnoses kept per process (each caller gets a copy), keyed by store, data generation and arguments;
#: reports with more makers than MEMO_MAX_MAKERS are not kept (memory).
MEMO_MAX_MAKERS = 50_000
_REPORTS = StoreLRU(16)


def diagnose(store: AtlasStore, chain: str, region: str, thresholds: Thresholds = DEFAULT_THRESHOLDS,
             enclave_attribution: bool = True, priority: PriorityWeights = DEFAULT_PRIORITY,
             count_subclasses: bool = True) -> GapReport:
    """Diagnose ``chain`` (id or name) in ``region`` (region code/name or park id/name); see
    :func:`compute_diagnosis`. A repeat call on a store whose data has not changed (same exact
    ``store.generation()``) gets a copy of the earlier report instead of a recomputation."""
    key = (str(chain), str(region), thresholds, bool(enclave_attribution), priority, bool(count_subclasses))
    return _REPORTS.get(store, key, lambda: compute_diagnosis(store, chain, region, thresholds, enclave_attribution,
                                                              priority, count_subclasses),
                        copy=_copied, keep=lambda r: len(r.makers) + len(r.unknown) <= MEMO_MAX_MAKERS)


def _copied(rep: GapReport) -> GapReport:
    """A copy callers may change without touching the memo (frames, dicts and lists copied)."""
    return replace(rep, chain=copy.deepcopy(rep.chain), region=copy.deepcopy(rep.region),
                   links=rep.links.copy(), summary=copy.deepcopy(rep.summary), stages=rep.stages.copy(),
                   leaders=rep.leaders.copy(), makers=rep.makers.copy(), unknown=rep.unknown.copy(),
                   notes=list(rep.notes), data=copy.deepcopy(rep.data), roles=rep.roles.copy(),
                   link_of=dict(rep.link_of))


def compute_diagnosis(store: AtlasStore, chain: str, region: str, thresholds: Thresholds = DEFAULT_THRESHOLDS,
                      enclave_attribution: bool = True, priority: PriorityWeights = DEFAULT_PRIORITY,
                      count_subclasses: bool = True) -> GapReport:
    """Diagnose ``chain`` (id or name) in ``region`` (region code/name or park id/name).

    count_subclasses: a maker of a subclass (小类, product_subclasses) of a chain product counts as
    a maker of that chain product (default); off = only direct makers are local makers (subclass
    makers still show that the product is known, so such a link is missing, not no-data).

    Store calls: table chains, chain_view, table regions, table parks, table product_subclasses,
    makers (inside the scope, and of unknown location), maker_counts, enterprise_products of the
    链主 — a fixed number, each driven by the chain's product ids. Raises NotFound / Ambiguous for unknown names.
    """
    from graph.analysis import lookup
    from graph.analysis import scope as scope_mod

    from graph.analysis.frame_utils import memo
    chain_row = lookup.resolve_chain(store, chain)
    cid = chain_row["chain_id"]
    view = store.chain_view(cid)
    tree = scope_mod.RegionTree.from_store(store)
    place = lookup.resolve_place(store, region, tree=tree)
    sc = scope_mod.scope_for(tree, place, enclave_attribution=enclave_attribution)
    link_of, all_links = chain_links(store, view, count_subclasses)
    local, unknown = local_and_unknown(store, tree, place, sc, link_of)
    # what depends on the chain alone is kept per store until its data changes (shared: read-only)
    counts = memo(store, ("link_counts", cid), lambda: gap_rules.link_counts(store.maker_counts(sorted(all_links)),
                                                                            all_links))
    leader_products = memo(store, ("leader_products", cid), lambda: _leader_products(store, view))
    cg = memo(store, ("chain_graph", cid), lambda: ChainGraph.from_view(view))
    report = build_report(view, place, sc, local, counts, leader_products, link_of=link_of,
                          thresholds=thresholds, priority=priority, enclave_attribution=enclave_attribution,
                          unknown=unknown, tree=tree, graph=cg)
    report.count_subclasses = count_subclasses
    return report


def _leader_products(store: AtlasStore, view: ChainView) -> pd.DataFrame:
    """``enterprise_products`` of the chain's 链主."""
    leader_ids = view.roles.loc[view.roles["role"] == "链主", "enterprise_id"].astype(str).tolist() \
        if len(view.roles) else []
    return store.enterprise_products(leader_ids) if leader_ids else \
        pd.DataFrame(columns=["enterprise_id", "product_id", "product", "revenue_share"])


def local_and_unknown(store: AtlasStore, tree, place: dict, sc: Scope, link_of: dict
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(local makers, makers whose location is unknown for the place), both with ``link_id``: two
    ``makers`` calls (inside, unknown — see graph.analysis.location.with_unknown)."""
    from graph.analysis import location
    ids = sorted(link_of)
    local = store.makers(ids, sc, side="inside")
    unknown = store.makers(ids, location.with_unknown(tree, place, sc), side="unknown")
    return gap_rules.attach_links(local, link_of), gap_rules.attach_links(unknown, link_of)


def chain_links(store: AtlasStore, view: ChainView, count_subclasses: bool = True
                ) -> tuple[dict[str, str], dict[str, str]]:
    """(for local makers, for no-data): product id -> chain product it counts for.

    The second map always includes subclasses: a link whose only makers anywhere make a subclass
    is known to be produced, so it is never "no data" — with ``count_subclasses`` off it can be
    missing, since only direct makers are then local makers.
    """
    from graph.analysis.frame_utils import memo
    ids = view.products["product_id"].astype(str).tolist() if len(view.products) else []
    full = gap_rules.link_products(ids, memo(store, ("table", "product_subclasses"),
                                             lambda: table_or_empty(store, "product_subclasses")))
    return (full if count_subclasses else gap_rules.link_products(ids, None)), full


def build_report(view: ChainView, place: dict, sc: Scope, local: pd.DataFrame, counts: pd.DataFrame,
                 leader_products: pd.DataFrame, link_of: dict | None = None,
                 thresholds: Thresholds = DEFAULT_THRESHOLDS, priority: PriorityWeights = DEFAULT_PRIORITY,
                 enclave_attribution: bool = True, unknown: pd.DataFrame | None = None, tree=None,
                 graph: ChainGraph | None = None) -> GapReport:
    """Pure: assemble a GapReport from already-fetched frames (no store access).

    local: local makers with ``link_id`` (gap_rules.attach_links); counts: ``product_id``,
    ``makers`` per chain product (gap_rules.link_counts); unknown: makers whose location is
    unknown for the place, with ``link_id`` (see :func:`local_and_unknown`); tree: the RegionTree,
    to tell 链主 of unknown location (``leaders.location`` 待核实) from those elsewhere; graph: the
    view's ChainGraph, if already built.
    """
    cg = graph or ChainGraph.from_view(view)
    unknown = unknown if unknown is not None else pd.DataFrame(columns=list(local.columns))
    cols, notes = gap_rules.link_columns(view, local, counts, thresholds, graph=cg, unknown=unknown)
    leaders = gap_summary.leader_sourcing(view, cols, leader_products, sc, graph=cg, link_of=link_of)
    if tree is not None and len(leaders):
        from graph.analysis import location
        where = location.classify(tree, place, sc, leaders["region"], leaders["park"])
        leaders["location"] = where.map(location.LOCATION_CN).to_numpy(object)
    cols.update(gap_summary.scored_columns(cols, leaders, local, priority))   # (score_links, one frame built)
    links = pd.DataFrame({c: cols[c] for c in gap_rules.LINK_COLUMNS})
    summary, stages = gap_summary.summarise(links, thresholds)
    summary["local_enterprises"] = int(local["enterprise_id"].nunique()) if len(local) else 0
    summary["unknown_enterprises"] = int(unknown["enterprise_id"].nunique()) if len(unknown) else 0
    notes = notes + gap_summary.leader_notes(leaders) + gap_summary.unknown_notes(summary, place)
    if place.get("kind") == "region":
        notes.append("飞地园区按统计归属地计入。" if enclave_attribution
                     else "飞地园区按实际所在地计入（未启用飞地归属）。")
    return GapReport(chain=dict(view.chain), region=dict(place), thresholds=thresholds, priority=priority,
                     enclave_attribution=enclave_attribution, scope=sc, links=links, summary=summary,
                     stages=stages, leaders=leaders, makers=local, unknown=unknown, notes=notes,
                     data=gap_summary.provenance(view, local), roles=view.roles,
                     link_of=dict(link_of or {p: p for p in cg.nodes}))


def table_or_empty(store: AtlasStore, name: str) -> pd.DataFrame:
    try:
        return store.table(name)
    except KeyError:
        from graph import schema
        return pd.DataFrame(columns=schema.TABLES[name].column_names)
