"""ChainKnowledgeGraph (产业链知识图谱) JSON-lines folder → a normalised :class:`ImportBatch`.

Mapping (see /work/shared/samples/README.md for the source layout):

- company.json → enterprises: id = stock code normalised (``000826.SZ``); a renamed company
  (one line per name, same code, same listing date) is merged, its names kept in ``aliases``
  (简称, 曾用名) and ``evidence``; rows with the same code but another listing date are a
  conflict (:func:`loaders.ckg_companies.consistency` picks the row that fits the code), reported
  and dropped; listed = true, tag 上市; region from an optional ``code,province,city`` CSV
  (``region_source`` given), else inferred from the registered name when asked
  (``infer_regions``: 山西… → 山西省, ``region_source`` inferred), else unknown.
- ``as_of``: given, else the latest listing date (``time``) in company.json: the data cannot be
  older than its newest listing, and the date does not change with the file's copy time.
- company_industry.json (+ industry.json, industry_industry.json) → ``industries`` as Shenwan
  paths ``level1/level2/level3``.
- product.json (+ names used by the relation files) → products: names normalised
  (:func:`loaders.normalize.norm_text`), merged after normalisation (raw spellings become
  aliases), garbage dropped; id ``CKG:<name>``.
- company_product.json → enterprise_products, revenue_share = rel_weight (negative weights are
  accounting offsets: dropped; weights above 1 are kept without a share).
- product_product.json → 上游材料: flow to → from; 下游产品: flow from → to; 产品小类:
  product_subclasses (product = to, parent = from). Self-loops dropped; flows closing a cycle
  get ``cycle_ok`` (the source is noisy); subclass links closing a cycle are dropped.

The parts: :mod:`loaders.ckg_read` (files, :class:`CkgReport`), :mod:`loaders.ckg_companies`,
:mod:`loaders.ckg_regions`, :mod:`loaders.ckg_products`, :mod:`loaders.ckg_relations`; this
module checks the folder and assembles the batch (:func:`import_ckg`).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from graph import schema
from graph.errors import InputProblem, UnsupportedInput, ValidationFailed
from graph.model import ImportBatch
from loaders.batch_tables import check_batch, table_frame
from loaders.cells import BadCell, parse_cell
from loaders.ckg_companies import EXCHANGES, company_table, match_enterprises, normalize_codes
from loaders.ckg_products import company_product_table, match_products, product_table
from loaders.ckg_read import SOURCE, SOURCE_PREFIX, CkgReport, read_jsonl
from loaders.ckg_regions import enterprise_regions
from loaders.ckg_relations import FLOW_RELS, SUBCLASS_REL, back_edges, relation_tables
from loaders.region_index import RegionIndex, missing_region_rows
from loaders.region_infer import apply_review, infer_regions, review_table
from graph.schema import GIVEN, INFERRED
from graph.text import norm_text

__all__ = ["import_ckg", "CkgReport", "read_jsonl", "normalize_codes", "back_edges", "SOURCE", "SOURCE_PREFIX",
           "FILES", "REQUIRED", "FLOW_RELS", "SUBCLASS_REL", "EXCHANGES"]

FILES = ("company.json", "product.json", "company_product.json", "product_product.json",
         "company_industry.json", "industry.json", "industry_industry.json")
REQUIRED = ("company.json", "product.json")
READ_FIRST = ("company.json", "product.json", "company_product.json", "product_product.json",
              "company_industry.json")     # the industry files are read with the companies


def import_ckg(folder, regions_csv=None, *, as_of: str | None = None,
               known_regions: pd.DataFrame | None = None, known_products: pd.DataFrame | None = None,
               known_enterprises: pd.DataFrame | None = None, infer_regions: bool = False,
               region_review=None) -> tuple[ImportBatch, CkgReport]:
    """Read a ChainKnowledgeGraph folder into a normalised batch and a report.

    The ``known_*`` frames are the store's tables (``store.table(...)``), all optional:

    - regions: region names are resolved against them plus the bundled national reference;
      only regions not already known are added to the batch;
    - products: a CKG product whose normalised name equals the name or an alias of exactly one
      stored non-CKG product (e.g. a seed chain's 动力电池) is that product: relations point to
      its id and it is not written again;
    - enterprises: a company whose stock code or full name is already stored under another id
      keeps that id; the stored row wins where both have a value (lists are united).

    ``as_of`` defaults to the latest listing date in company.json. ``infer_regions``: companies
    still without a region get one inferred from their registered name (to the finest certain
    level); ``region_review``: a filled-in review of those (path or frame, see
    :func:`loaders.region_infer.apply_review`). The inferred rows are ``report.region_review``.
    """
    folder = _ckg_folder(folder)
    rep = CkgReport()
    src = {f: f"{SOURCE}/{f}" for f in FILES}
    read = {f: read_jsonl(folder / f, rep) if (folder / f).exists() else pd.DataFrame() for f in READ_FIRST}
    as_of = _as_of(folder, as_of, read["company.json"])
    ent, name_to_id = company_table(read, folder, rep)
    index = None
    if regions_csv or infer_regions:
        index = RegionIndex.reference(known_regions)
    if regions_csv:
        ent["region"] = enterprise_regions(regions_csv, ent["enterprise_id"], index, rep).values
    ent["region_source"] = [GIVEN if isinstance(r, str) else None for r in ent["region"]]
    given = ent["region"].copy()
    ent, name_to_id = match_enterprises(ent, name_to_id, known_enterprises, rep)
    if "region_evidence" not in ent.columns:
        ent["region_evidence"] = None
    ent = _keep_stored_regions(ent, known_enterprises)
    over = given.notna() & (ent["region"].isna() | (ent["region_source"] == INFERRED))   # given beats inferred
    ent = ent.astype({"region": object, "region_source": object, "region_evidence": object})
    if over.any():
        ent.loc[over, "region"], ent.loc[over, "region_source"] = given[over], GIVEN
        ent.loc[over, "region_evidence"] = None
    if infer_regions:
        ent = _infer(ent, index, region_review, rep)
    cp, pp = read["company_product.json"], read["product_product.json"]
    prod, pid_of = product_table(read, rep)
    prod, pid_of = match_products(prod, pid_of, known_products, rep)
    ep = company_product_table(cp, name_to_id, pid_of, rep)
    flows, subs = relation_tables(pp, pid_of, rep)

    batch = ImportBatch.empty(source=str(folder))
    kw = dict(as_of=as_of)
    batch.tables["enterprises"] = table_frame("enterprises", ent, source=src["company.json"], **kw)
    batch.tables["products"] = table_frame("products", prod, **kw)
    batch.tables["enterprise_products"] = table_frame("enterprise_products", ep,
                                                      source=src["company_product.json"], **kw)
    batch.tables["product_flows"] = table_frame("product_flows", flows, source=src["product_product.json"], **kw)
    batch.tables["product_subclasses"] = table_frame("product_subclasses", subs,
                                                     source=src["product_product.json"], **kw)
    if index is not None:
        batch.tables["regions"] = missing_region_rows(index, ent["region"].dropna(), known_regions, as_of)
    known = _known_ids(index, known_regions, known_products, known_enterprises)
    problems = check_batch(batch, known, folder.name)
    if problems:
        raise ValidationFailed(problems, source=folder.name)
    rep.kept = {t: len(df) for t, df in batch.tables.items() if len(df)}
    batch.warnings = [str(p) for p in rep.problems]
    return batch, rep


def _ckg_folder(folder) -> Path:
    """``folder`` as a Path, or UnsupportedInput when it lacks the required files."""
    folder = Path(folder)
    missing = [f for f in REQUIRED if not (folder / f).exists()]
    if not folder.is_dir() or missing:
        raise UnsupportedInput(f"不是 ChainKnowledgeGraph 文件夹 not a ChainKnowledgeGraph folder: {folder}"
                               f" (missing {', '.join(missing) or 'folder'})",
                               "Give the folder holding company.json, product.json, company_product.json, "
                               "product_product.json (JSON lines).")
    return folder


def _keep_stored_regions(ent: pd.DataFrame, stored: pd.DataFrame | None) -> pd.DataFrame:
    """Rows without a region take the stored row's region (with its source and evidence): the
    CKG files carry no region, so a re-import must not erase one given or reviewed earlier."""
    if stored is None or not len(stored) or "region" not in stored.columns:
        return ent
    old = stored.drop_duplicates("enterprise_id").set_index(stored["enterprise_id"].astype(str).rename(None))
    take = ent["region"].isna() & ent["enterprise_id"].astype(str).isin(old.index[old["region"].notna()])
    if take.any():
        ids = ent.loc[take, "enterprise_id"].astype(str)
        ent = ent.astype({"region": object, "region_source": object, "region_evidence": object})
        for col in ("region", "region_source", "region_evidence"):
            if col in old.columns:
                ent.loc[take, col] = old.loc[ids, col].astype(object).where(old.loc[ids, col].notna(), None).values
    return ent


def _infer(ent: pd.DataFrame, index: RegionIndex, review, rep: CkgReport) -> pd.DataFrame:
    """Regions inferred from names for rows without one (never over a given or stored region),
    then a person's review decisions applied."""
    unknown = ent["region"].isna()
    got = infer_regions(ent.loc[unknown, ["name", "region"]], index, fields=("name",))
    ent = ent.astype({"region": object, "region_source": object})
    ent.loc[unknown, ["region", "region_source", "region_evidence"]] = got[["region", "region_source",
                                                                            "region_evidence"]].values
    rep.merged["regions inferred from names"] = int((got["region_source"] == INFERRED).sum())
    rep.region_review = review_table(ent, index)
    if review is not None:
        ent, problems = apply_review(ent, review, index)
        rep.problems += problems
    return ent


def _as_of(folder: Path, as_of: str | None, companies: pd.DataFrame) -> str:
    """The batch date: ``as_of`` parsed as a date cell, default the latest listing date
    (``time``) in company.json. Never the file's modification time."""
    if not as_of:
        times = companies["time"].dropna().astype(str).str.strip() if "time" in companies.columns else pd.Series()
        times = times[times.str.match(r"^\d{4}-\d{2}-\d{2}$")]
        if not len(times):
            raise ValidationFailed([InputProblem(folder.name, "", None, "as_of", "", "数据日期未知 no as-of date: "
                                                 "company.json has no listing dates (time)",
                                                 "Give the date of the data with --as-of YYYY-MM-DD.")])
        as_of = times.max()
    try:
        return parse_cell(schema.PROVENANCE[1], norm_text(as_of))
    except BadCell as bad:
        raise ValidationFailed([InputProblem(folder.name, "", None, "as_of", str(as_of), bad.message, bad.fix)])


def _known_ids(index: RegionIndex | None, known_regions: pd.DataFrame | None, known_products: pd.DataFrame | None,
               known_enterprises: pd.DataFrame | None) -> dict[str, set[str]]:
    """Ids the batch may refer to without carrying them: stored keys, reference region codes,
    and the parks and regions of stored enterprises merged into the batch."""
    known = {t: set(df[schema.TABLES[t].key[0]].astype(str).tolist()) for t, df in
             (("regions", known_regions), ("products", known_products), ("enterprises", known_enterprises))
             if df is not None and len(df)}
    known["regions"] = known.get("regions", set()) | (index.codes if index else set())
    if known_enterprises is not None and len(known_enterprises):      # refs of merged stored rows
        known["parks"] = set(known_enterprises["park"].dropna().astype(str).tolist())
        known["regions"] |= set(known_enterprises["region"].dropna().astype(str).tolist())
    return known
