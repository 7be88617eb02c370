"""Gap lists planners can hand on (缺链补链招商清单): Excel, CSV and JSON exports.

API (all bytes-returning functions are meant for download buttons):

- ``build_export(store, chains=None, region=..., thresholds=..., weights=..., top=10,
  enclave_attribution=True, priority=..., generated_at=None) -> GapExport`` — one
  :func:`graph.analysis.gaps.diagnose` and one :func:`graph.analysis.targets.rank_targets` per chain
  (``chains``: ids or names; ``None`` = every chain of the store).
- ``to_xlsx_bytes(export)`` — the workbook (sheets 说明, 汇总, 缺口清单, 招商目标, 招商组合, 本地企业,
  链主供需对接, 招商项目 and the hidden ``_snapshot``; see graph.export.xlsx).
- ``to_csv_bytes(export, key)`` — one table as CSV (UTF-8 with BOM, Chinese headers); ``key`` is
  one of ``about``, ``summary``, ``gaps``, ``targets``, ``makers`` (or the sheet name).
- ``to_csv_zip_bytes(export)`` — every table as ``<sheet>.csv`` plus ``_snapshot.json``, zipped.
- ``to_json_bytes(export)`` — ``{"format", "meta", "snapshot", "tables": {key: records}}`` with
  English column keys (the engine's column names; see graph.export.tables.HEADERS).
- ``write(export, path) -> Path`` — by suffix: ``.xlsx``; ``.zip`` (CSV zip); ``.json``;
  ``.csv`` or no suffix: a folder of CSVs (``gaps.csv`` -> folder ``gaps``).
- ``diff_exports(old, new) -> DataFrame`` and ``load_snapshot(source)`` (re-exported from
  graph.export.snapshot): compare two exports (files, bytes or GapExport objects).
- ``bench_export(store, region="山西省") -> float`` — seconds for all chains to xlsx bytes.

``GapExport.sheet(key)`` gives a table with Chinese headers and display values (what the xlsx and
CSV hold); ``GapExport.tables[key]`` the raw table. Text that spreadsheets could run as a formula
is neutralised in xlsx and CSV (graph.export.safe).
"""
from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.export import tables as T
from graph.errors import UnsupportedInput
from graph.export.json_columns import json_columns
from graph.export.reuse import ReusingStore
from graph.export.safe import csv_bytes
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS, PriorityWeights, Thresholds, Weights
from graph.export.project_sheet import project_rows, snapshot_projects
from graph.export.quiet_gc import fewer_collections
from graph.export.snapshot import SNAPSHOT_FILE, diff_exports, load_snapshot, make_snapshot  # noqa: F401 (re-exported)

SHEETS = T.SHEETS
HEADERS = T.HEADERS
DEFAULT_NAME = "缺链补链招商清单"


@dataclass
class GapExport:
    """meta: chains, region, options, data provenance, generated_at, tool_version, notes;
    tables: key -> raw table (English columns); snapshot: see graph.export.snapshot;
    reports / targets: the engine's GapReport and rank_targets frame per chain."""

    meta: dict
    tables: dict[str, pd.DataFrame]
    snapshot: dict
    reports: list = field(default_factory=list)
    targets: list = field(default_factory=list)

    def sheet(self, key: str) -> pd.DataFrame:
        """The table with Chinese headers and display values (as in the xlsx/CSV)."""
        key = _key(key)
        return T.display(key, self.tables[key])

    def filename(self, suffix: str = ".xlsx") -> str:
        chains = self.meta["chains"]
        what = chains[0]["name"] if len(chains) == 1 else f"{len(chains)}条产业链"
        stamp = self.meta["generated_at"][:10].replace("-", "")
        return _safe_name(f"{DEFAULT_NAME}_{what}_{self.meta['region'].get('name')}_{stamp}") + suffix


def _key(key: str) -> str:
    if key in T.SHEETS:
        return key
    for k, name in T.SHEETS.items():
        if name == key:
            return k
    raise KeyError(f"unknown table {key!r}; one of {', '.join(T.SHEETS)}")


def _safe_name(text: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|\r\n\t' else ch for ch in str(text))


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("chainatlas")
    except PackageNotFoundError:
        return "unknown"


def build_export(store, chains: list[str] | None = None, region: str = "山西省",
                 thresholds: Thresholds = DEFAULT_THRESHOLDS, weights: Weights = DEFAULT_WEIGHTS, top: int = 10,
                 enclave_attribution: bool = True, priority: PriorityWeights = DEFAULT_PRIORITY,
                 count_subclasses: bool = True, generated_at: str | None = None, plan_k: int = 10) -> GapExport:
    """Diagnose and rank targets for each chain in ``region``; build the tables and snapshot.
    The options are those of graph.analysis.gaps.diagnose and graph.analysis.targets.rank_targets;
    ``plan_k``: size of the 招商组合 (graph.analysis.plan.optimise over the same reports; 0 = none).
    Raises NotFound/Ambiguous for unknown chain or region names."""
    with fewer_collections():   # thousands of small frames: the collector would walk the heap ~400 times
        return _build_export(store, chains, region, thresholds, weights, top, enclave_attribution, priority,
                             count_subclasses, generated_at, plan_k)


def _build_export(store, chains, region, thresholds, weights, top, enclave_attribution, priority,
                  count_subclasses, generated_at, plan_k) -> GapExport:
    from graph.analysis import lookup
    from graph.analysis.gaps import diagnose
    from graph.analysis.scope import RegionTree
    from graph.analysis.targets import rank_targets

    started = time.perf_counter()
    if chains is None:
        ids = store.table("chains")["chain_id"].astype(str).tolist()
    else:
        ids = [lookup.resolve_chain(store, c)["chain_id"] for c in chains]
    ids = list(dict.fromkeys(ids))
    tree = RegionTree.from_store(store)
    place = lookup.resolve_place(store, region, tree=tree)  # once; the engine then matches the id exactly
    reports, targets, gaps = [], [], []
    reusing = ReusingStore(store)   # the plan's outside makers are the ones rank_targets fetched
    for cid in ids:
        rep = diagnose(store, cid, place["id"], thresholds=thresholds, enclave_attribution=enclave_attribution,
                       priority=priority, count_subclasses=count_subclasses)
        reports.append(rep)
        gaps.append(rep.gaps())   # once per chain: the targets' gaps and the gaps sheet's rows
        targets.append(rank_targets(reusing, rep, weights=weights, top=top, tree=tree, gaps=gaps[-1]))
    plan = None
    if plan_k and reports:
        from graph.analysis.plan import optimise
        plan = optimise(reusing, reports, k=int(plan_k), tree=tree)
    meta = {
        "chains": [{"chain_id": r.chain.get("chain_id"), "name": r.chain.get("name")} for r in reports],
        "region": {k: v for k, v in place.items() if k not in ("lon", "lat")},
        "options": {**(reports[0].options() if reports else
                       {"thresholds": thresholds.as_dict(), "priority": priority.as_dict(),
                        "enclave_attribution": bool(enclave_attribution), "count_subclasses": bool(count_subclasses)}),
                    "weights": weights.as_dict(), "top": int(top), "plan_k": int(plan_k or 0)},
        "data": _provenance([r.data for r in reports]),
        "generated_at": generated_at or datetime.now().astimezone().isoformat(timespec="seconds"),
        "tool_version": tool_version(), "backend": getattr(store, "backend", ""),
        "notes": [(r.chain.get("name"), n) for r, tg in zip(reports, targets)
                  for n in list(r.notes) + list(tg.attrs.get("notes", []))]
                 + [("招商组合", n) for n in (plan.notes if plan is not None else [])],
    }
    tables = {"summary": T.summary_rows(reports, targets), "gaps": T.gap_rows(reports, targets, gaps),
              "targets": T.target_rows(reports, targets, tree), "plan": T.plan_rows(plan),
              "makers": T.maker_rows(reports, tree), "matching": T.matching_rows(reports, targets)}
    tables["projects"] = project_rows(store, reports)
    tables["verify"] = T.verify_rows(reports, tree)
    tables = {"about": T.about_rows(meta), **tables}
    meta["seconds"] = round(time.perf_counter() - started, 3)
    snapshot = make_snapshot(meta, reports)
    snapshot["projects"] = snapshot_projects(tables["projects"])
    return GapExport(meta=meta, tables=tables, snapshot=snapshot, reports=reports, targets=targets)


def _provenance(parts: list[dict]) -> dict:
    lo = [p["as_of_min"] for p in parts if p.get("as_of_min")]
    hi = [p["as_of_max"] for p in parts if p.get("as_of_max")]
    return {"as_of_min": min(lo) if lo else None, "as_of_max": max(hi) if hi else None,
            "sources": sorted({s for p in parts for s in p.get("sources") or []}),
            "facts": sum(int(p.get("facts") or 0) for p in parts),
            "illustrative_facts": sum(int(p.get("illustrative_facts") or 0) for p in parts)}


def to_xlsx_bytes(export: GapExport) -> bytes:
    from graph.export.xlsx import workbook_bytes
    with fewer_collections():
        return workbook_bytes(export)


def to_csv_bytes(export: GapExport, key: str) -> bytes:
    """One table as CSV: UTF-8 with BOM, Chinese headers, formula-like text prefixed with '."""
    return csv_bytes(export.sheet(key))


def _snapshot_bytes(export: GapExport) -> bytes:
    return json.dumps(export.snapshot, ensure_ascii=False, indent=1).encode("utf-8")


def to_csv_zip_bytes(export: GapExport) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for key, sheet in T.SHEETS.items():
            zf.writestr(f"{sheet}.csv", to_csv_bytes(export, key))
        zf.writestr(SNAPSHOT_FILE, _snapshot_bytes(export))
    return buf.getvalue()


def to_json_bytes(export: GapExport) -> bytes:
    from graph.analysis.gaps import json_safe
    meta = {**export.meta, "notes": [{"chain": c, "note": n} for c, n in export.meta.get("notes", [])]}
    head = {"format": "chainatlas.gap-list", "meta": meta, "snapshot": export.snapshot}
    tables = {str(k): json_columns(df) for k, df in export.tables.items()}
    if any(cols is None for cols in tables.values()):  # a nested value somewhere: the plain way
        doc = {**head, "tables": {k: df for k, df in export.tables.items()}}
        return json.dumps(json_safe(doc), ensure_ascii=False, indent=1).encode("utf-8")
    # the same text json.dumps(..., indent=1) gives, with the tables' values encoded column by column
    text = json.dumps(json_safe({**head, "tables": {}}), ensure_ascii=False, indent=1)
    if not tables:
        return text.encode("utf-8")
    assert text.endswith('"tables": {}\n}')
    parts = [text[:-len("{}\n}")].encode("utf-8"), b"{"]
    for i, (key, cols) in enumerate(tables.items()):
        parts.append(("," if i else "") + "\n  " + json.dumps(key, ensure_ascii=False) + ": ")
        parts.append(_json_records(cols))
    parts.append(b"\n }\n}")
    return b"".join(p if isinstance(p, bytes) else p.encode("utf-8") for p in parts)


def _json_records(cols: dict[str, list]) -> bytes:
    """A table's records, as json.dumps(indent=1) writes them three levels deep."""
    from graph.export.xlsx import _utf8
    n = len(next(iter(cols.values()))) if cols else 0
    if not n:
        return b"[]"
    parts = ["{\n    "]
    for i, (key, values) in enumerate(cols.items()):
        parts.append((",\n    " if i else "") + json.dumps(key, ensure_ascii=False) + ": ")
        # one C-encoder call per column; a raw NUL never occurs inside JSON text, so it splits them
        encoded = json.dumps(values, ensure_ascii=False, separators=("\x00", ":"))[1:-1].split("\x00")
        parts.append(pa.array(encoded, pa.string()))
    parts.append("\n   },\n   ")
    records = _utf8(pc.binary_join_element_wise(*parts, ""))
    return b"[\n   " + records[:-len(",\n   ")] + b"\n  ]"


def write(export: GapExport, path) -> Path:
    """Write by suffix (.xlsx, .zip, .json; .csv or none = folder of CSVs). Returns the path written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in ("", ".csv"):
        folder = path.with_suffix("") if suffix else path
        folder.mkdir(parents=True, exist_ok=True)
        for key, sheet in T.SHEETS.items():
            (folder / f"{sheet}.csv").write_bytes(to_csv_bytes(export, key))
        (folder / SNAPSHOT_FILE).write_bytes(_snapshot_bytes(export))
        return folder
    makers = {".xlsx": to_xlsx_bytes, ".zip": to_csv_zip_bytes, ".json": to_json_bytes}
    if suffix not in makers:
        raise UnsupportedInput(f"不支持的导出格式“{suffix}”", "请用 .xlsx、.csv（文件夹）、.zip 或 .json。")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(makers[suffix](export))
    return path


def bench_export(store, region: str = "山西省", chains: list[str] | None = None) -> float:
    """Seconds to build the export of ``chains`` (default all) and render the xlsx."""
    started = time.perf_counter()
    to_xlsx_bytes(build_export(store, chains, region))
    return time.perf_counter() - started
