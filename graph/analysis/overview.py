"""All chains side by side in one place: 链长, 链主, 本地配套率 and gap counts (the 总览).

:func:`chain_overview` diagnoses every chain in one pass, counts only
(:func:`graph.analysis.overview_counts.chain_summaries`, equal to the full diagnosis);
:func:`overview_frame` is the pure part, so a caller that already holds the reports (GapReports or
ChainSummaries) reuses them.

>>> import pandas as pd
>>> overview_frame(pd.DataFrame(columns=["chain_id", "name"]), pd.DataFrame(), {}, {}).empty
True
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from graph.options import DEFAULT_THRESHOLDS, Thresholds

COLUMNS = ["chain_id", "name", "chief", "lead_unit", "leaders", "links", "with_data", "local_rate",
           "key_weighted_rate", "covered", "weak", "missing", "broken", "missing_only", "weak_only",
           "no_data", "urgent", "local_enterprises",
           "unverified", "local_rate_max", "key_weighted_rate_max", "coverage", "unknown_enterprises"]


def _present(v) -> bool:
    return v is not None and v is not pd.NA and not (isinstance(v, float) and v != v) and str(v).strip() != ""


def overview_frame(chains: pd.DataFrame, roles: pd.DataFrame, enterprise_names: dict,
                   reports: dict) -> pd.DataFrame:
    """One row per chain (COLUMNS). ``reports``: chain_id -> GapReport (or ChainSummary) for the same place;
    ``roles``: the chain_roles table; ``enterprise_names``: enterprise id -> name.
    ``missing_only``/``weak_only`` count missing/weak links that are not also 断链; ``unverified``
    the 待核实 links, ``local_rate_max``/``key_weighted_rate_max`` the rates if they proved local,
    ``coverage`` the 本地配套率 as text with that range (gap_summary.coverage_text)."""
    from graph.analysis.gap_summary import coverage_text
    rows = []
    leads = _leaders(roles)
    for c in chains.to_dict(orient="records"):
        rep = reports[str(c["chain_id"])]
        s, links = rep.summary, rep.links
        leaders = [enterprise_names.get(str(e), str(e)) for e in leads.get(str(c["chain_id"]), ())]
        broken = _flags(links["broken"]) if len(links) else np.zeros(0, dtype=bool)
        status = links["status"].to_numpy(object) if len(links) else np.zeros(0, dtype=object)
        chief = " ".join(str(v) for v in (c.get("chief_title"), c.get("chief")) if _present(v))
        rows.append({
            "chain_id": c["chain_id"], "name": c["name"], "chief": chief or "—",
            "lead_unit": c.get("lead_unit") if _present(c.get("lead_unit")) else "—",
            "leaders": "、".join(leaders) or "—",
            "missing_only": int(((status == "missing") & ~broken).sum()),
            "weak_only": int(((status == "weak") & ~broken).sum()),
            **{k: s[k] for k in ("links", "with_data", "local_rate", "key_weighted_rate", "covered", "weak",
                                 "missing", "broken", "no_data", "urgent", "local_enterprises")},
            **{k: s.get(k, 0) for k in ("unverified", "local_rate_max", "key_weighted_rate_max",
                                        "unknown_enterprises")},
            "coverage": coverage_text(s),
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def _leaders(roles: pd.DataFrame) -> dict[str, list]:
    """chain id -> its 链主 enterprise ids, in table order."""
    out: dict[str, list] = {}
    if not len(roles):
        return out
    for chain, role, ent in zip(roles["chain"].astype(str).tolist(), roles["role"].tolist(),
                                roles["enterprise"].tolist()):
        if isinstance(role, str) and role == "链主":
            out.setdefault(chain, []).append(ent)
    return out


def _flags(values: pd.Series) -> np.ndarray:
    """``values.fillna(False).astype(bool)`` as a bool array."""
    return values.to_numpy(bool) if values.dtype == bool else values.fillna(False).astype(bool).to_numpy(bool)


def chain_overview(store, region: str, thresholds: Thresholds = DEFAULT_THRESHOLDS,
                   enclave_attribution: bool = True) -> pd.DataFrame:
    """Every chain of the store diagnosed in ``region`` (code/name or park), one row each."""
    from graph.analysis.overview_counts import chain_summaries
    chains, roles = store.table("chains"), store.table("chain_roles")
    reports = chain_summaries(store, [str(c) for c in chains["chain_id"]], region, thresholds=thresholds,
                              enclave_attribution=enclave_attribution)
    ids = roles["enterprise"].dropna().astype(str).unique().tolist() if len(roles) else []
    ents = store.enterprises(ids) if ids else pd.DataFrame(columns=["enterprise_id", "name"])
    return overview_frame(chains, roles, dict(zip(ents["enterprise_id"].astype(str), ents["name"])), reports)
