"""Registry exports (企业名录: CSV in UTF-8/BOM/GB18030, or .xlsx) → enterprises + tagged products.

Columns are found by their header (spaces, full-width characters and unit suffixes such as
``(万元)`` ignored; see :data:`FIELDS`); a mapping file (``column,field`` CSV) overrides.
Regions are resolved by name (山西/山西省, 运城/运城市; a county only when the atlas knows it);
an unknown region is a warning and leaves the region unknown. Products are tagged from
主营产品/经营范围 by :mod:`loaders.tagging`; tags below ``threshold`` wait in a review table
and load only once accepted (:func:`write_review`, ``accept=``).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from graph import schema
from graph.export.safe import write_csv
from graph.errors import InputProblem, UnsupportedInput, ValidationFailed
from graph.model import ImportBatch
from loaders import normalize as nz
from loaders.read import cell_text, csv_records, decode
from loaders.tagging import MAIN, SCOPE, TAG_COLUMNS, ProductTagger, tag_rows
from loaders.validate import BadCell, parse_cell

FIELDS = {
    "name": ("企业名称", "公司名称", "名称", "单位名称", "企业名", "name", "company", "companyname", "enterprise"),
    "uscc": ("统一社会信用代码", "信用代码", "社会信用代码", "统一信用代码", "uscc", "creditcode"),
    "legal_rep": ("法定代表人", "法人代表", "法人", "legalrepresentative"),
    "founded": ("成立日期", "成立时间", "注册日期", "founded", "establishdate"),
    "capital": ("注册资本", "注册资金", "registeredcapital", "capital"),
    "province": ("所属省份", "省份", "所在省份", "省", "province"),
    "city": ("所属城市", "城市", "地市", "所在城市", "所属地市", "市", "city"),
    "county": ("所属区县", "区县", "县区", "区/县", "所在区县", "county", "district"),
    "industry": ("国标行业", "行业", "所属行业", "行业门类", "industry"),
    "scale": ("企业规模", "规模", "scale", "size"),
    "scope": ("经营范围", "scope", "businessscope"),
    "products": ("主营产品", "主要产品", "主营业务", "products", "mainproducts"),
}
_LOOKUP = {nz.norm_header(h): f for f, hs in FIELDS.items() for h in (f, *hs)}
_USCC = re.compile(r"[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}")
DECISIONS = {"accept": ("accept", "accepted", "yes", "y", "1", "true", "是", "接受", "采纳", "✓", "√"),
             "reject": ("reject", "rejected", "no", "n", "0", "false", "否", "拒绝", "不采纳", "✗", "×")}
REVIEW_COLUMNS = ["decision", "enterprise_id", "enterprise", "product_id", "product", "phrase", "field",
                  "context", "confidence", "row"]


@dataclass
class RegistryResult:
    batch: ImportBatch                 # enterprises, accepted enterprise_products (+ new regions)
    tags: pd.DataFrame                 # every tag: loaders.tagging.TAG_COLUMNS + ``decision``
    review: pd.DataFrame               # tags waiting for a person (REVIEW_COLUMNS, decision empty)
    problems: list[InputProblem] = field(default_factory=list)   # warnings (unknown regions …)
    columns: dict[str, str] = field(default_factory=dict)        # field -> header used
    rows: int = 0

    def summary(self) -> str:
        d = self.tags["decision"].value_counts().to_dict() if len(self.tags) else {}
        return (f"{self.rows} rows, {len(self.batch['enterprises'])} enterprises, "
                f"{len(self.batch['enterprise_products'])} product links loaded "
                f"(auto {d.get('auto', 0)}, accepted {d.get('accepted', 0)}); {len(self.review)} to review, "
                f"{d.get('rejected', 0)} rejected, {d.get('trade', 0) + d.get('service', 0)} trade/service only; "
                f"{len(self.problems)} warnings")


def read_rows(path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and numbered text rows of a CSV (UTF-8, BOM, GB18030) or the first sheet of an
    .xlsx. Title lines above the header are skipped (the header is the first row naming at least
    two known fields)."""
    p = Path(path)
    if not p.exists():
        raise UnsupportedInput(f"找不到文件 file not found: {p}")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        text = decode(p.read_bytes())
        if text is None:
            raise ValidationFailed([InputProblem(p.name, "", None, None, "", "无法识别编码 cannot decode",
                                                 "Save it as CSV UTF-8 or GB18030.")], source=p.name)
        header, records = csv_records(text)
        rows = [(1, [cell_text(h) for h in header])] + records
    elif suffix in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        try:
            sheet = wb.worksheets[0].iter_rows(values_only=True)
            rows = [(n, [cell_text(v) for v in r]) for n, r in enumerate(sheet, 1)]
        finally:
            wb.close()
    else:
        raise UnsupportedInput(f"不支持的文件类型 unsupported registry file: {p.name}",
                               "Export the registry as .xlsx or .csv.")
    for i, (_, cells) in enumerate(rows[:10]):
        if sum(nz.norm_header(c) in _LOOKUP for c in cells) >= 2:
            return cells, [r for r in rows[i + 1:] if any(r[1])]
    return (rows[0][1] if rows else []), [r for r in rows[1:] if any(r[1])]


def read_mapping(path) -> dict[str, str]:
    """A mapping file: CSV whose rows are ``column,field`` (source header, then a field of
    :data:`FIELDS` or one of its spellings). A header row is skipped if it does not map."""
    text = decode(Path(path).read_bytes()) or ""
    header, records = csv_records(text)
    out = {}
    for _, cells in [(1, header)] + records:
        if len(cells) >= 2 and nz.norm_header(cells[1]) in _LOOKUP:
            out[nz.norm_header(cells[0])] = _LOOKUP[nz.norm_header(cells[1])]
    return out


def map_columns(header: list[str], mapping: dict[str, str] | None = None) -> dict[str, int]:
    """Field -> column index: the mapping first, then known header spellings (first wins)."""
    out: dict[str, int] = {}
    for pass_map in ((mapping or {}), _LOOKUP):
        for i, h in enumerate(header):
            f = pass_map.get(nz.norm_header(h))
            if f and f not in out and i not in out.values():
                out[f] = i
    return out


def read_decisions(path_or_frame) -> dict[tuple[str, str], str]:
    """(enterprise_id, product_id) -> ``accept`` / ``reject`` from a filled-in review table."""
    if isinstance(path_or_frame, pd.DataFrame):
        df, name = path_or_frame, "review"
    else:       # Excel on Chinese Windows saves CSV as GB18030: decode like any input
        import io

        name = Path(path_or_frame).name
        text = decode(Path(path_or_frame).read_bytes()) or ""
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False) if text.strip() else pd.DataFrame()
    df = df.rename(columns=lambda c: nz.norm_header(c))
    missing = [c for c in ("enterprise_id", "product_id", "decision") if c not in df.columns]
    if missing:
        raise ValidationFailed([InputProblem(name, "", 1, c, "", "审核表缺少列 review table lacks a column",
                                             "Pass back the file written by --review-out, with decision filled in.")
                                for c in missing], source=name)
    out = {}
    for eid, pid, dec in zip(df["enterprise_id"], df["product_id"], df["decision"]):
        word = nz.norm_key(dec)
        for decision, words in DECISIONS.items():
            if word in words:
                out[(str(eid), str(pid))] = decision
    return out


def write_review(review: pd.DataFrame, path) -> None:
    """Write the review table as CSV (UTF-8 with BOM, opens in Excel): fill ``decision`` with
    accept/reject (是/否) and pass the file back with ``accept=``."""
    write_csv(review, path, lineterminator="\n")


def _scale(text: str) -> str | None:
    t = nz.norm_key(text).replace("企业", "")
    if not t:
        return None
    try:
        return parse_cell(schema.TABLES["enterprises"].column("scale"), t.removesuffix("型") + "型"
                          if t in ("大", "中", "小", "微") else t)
    except BadCell:
        return None


def import_registry(file, *, mapping=None, products: pd.DataFrame | None = None,
                    regions: pd.DataFrame | None = None, enterprises: pd.DataFrame | None = None,
                    threshold: float = 0.8, accept=None, as_of: str | None = None,
                    source: str | None = None) -> RegistryResult:
    """Read a registry export into enterprises and product tags.

    products:    the atlas's products (``store.table('products')``) to tag with; None = no tagging.
    regions:     the store's regions (adds counties to the bundled national reference).
    enterprises: the store's enterprises; a row whose USCC or exact name is already stored keeps
                 that id and its other fields (tags, park, listed …) where the registry is silent.
    accept:      a filled-in review table (path or frame) with decisions from an earlier run.
    """
    path = Path(file)
    name = path.name
    header, records = read_rows(path)
    cols = map_columns(header, read_mapping(mapping) if isinstance(mapping, (str, Path)) else mapping)
    if "name" not in cols:
        raise ValidationFailed([InputProblem(name, "", 1, None, " | ".join(header[:12]),
                                             "找不到企业名称列 no company-name column",
                                             "Name the column 企业名称 or pass a mapping file (column,field).")],
                               source=name)
    as_of = as_of or dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    source = source or name
    problems: list[InputProblem] = []
    index = nz.RegionIndex.reference(regions)
    known: dict[str, str] = {}      # normalised name or USCC -> stored enterprise id
    if enterprises is not None and len(enterprises):
        ids = enterprises["enterprise_id"].astype(str).tolist()
        known.update((nz.norm_key(n), i) for i, n in zip(ids, enterprises["name"].tolist()) if isinstance(n, str) and n)
        known.update((u.upper(), i) for i, u in zip(ids, enterprises["uscc"].tolist()) if isinstance(u, str) and u)
    unit = {f: ("万元" if "万" in header[i] else "") for f, i in cols.items()}
    rows, seen = [], {}
    text = pd.DataFrame({f: nz.norm_series(pd.Series([c[i] if i < len(c) else "" for _, c in records], dtype=object))
                         for f, i in cols.items()}).astype(object)
    for number, val in zip([n for n, _ in records], text.to_dict("records")):
        ent = val.get("name", "")
        if not ent:
            problems.append(InputProblem(name, "", number, header[cols["name"]], "",
                                         "企业名称为空，已跳过 empty name: row skipped", "Fill in the company name."))
            continue
        uscc = nz.norm_key(val.get("uscc", "")).upper()
        if uscc and not _USCC.fullmatch(uscc):
            problems.append(InputProblem(name, "", number, header[cols["uscc"]], val["uscc"],
                                         "统一社会信用代码格式不对 not an 18-character USCC (ignored)",
                                         "Check the code: 18 characters, digits and capital letters."))
            uscc = ""
        eid = known.get(uscc) or known.get(nz.norm_key(ent)) or uscc or "REG:" + ent
        if eid in seen:
            problems.append(InputProblem(name, "", number, header[cols["name"]], ent,
                                         f"重复的企业 duplicate enterprise: same as row {seen[eid]} (skipped)",
                                         "Keep one row per enterprise."))
            continue
        seen[eid] = number
        code, bad = index.resolve(val.get("province", ""), val.get("city", ""), val.get("county", ""))
        for level in bad:
            problems.append(InputProblem(name, "", number, header[cols[level]], val[level],
                                         "未知的行政区划（只记已识别的上级，否则留空）unknown region: "
                                         "kept the part that is known, else left unknown",
                                         "Write a province/city/county name, e.g. 山西省 / 运城市 / 盐湖区."))
        notes = [f"{label} {val[f]}{unit.get(f, '')}" for f, label in
                 (("legal_rep", "法定代表人"), ("founded", "成立日期"), ("capital", "注册资本")) if val.get(f)]
        rows.append({"row": number, "enterprise_id": eid, "name": ent, "uscc": uscc or None, "region": code,
                     "scale": _scale(val.get("scale", "")),
                     "industries": [val["industry"]] if val.get("industry") else [],
                     "evidence": "；".join(notes) or None, MAIN: val.get("products", ""), SCOPE: val.get("scope", "")})
    ent_df = pd.DataFrame(rows, columns=["row", "enterprise_id", "name", "uscc", "region", "scale", "industries",
                                         "evidence", MAIN, SCOPE])
    if known:
        ent_df = nz.merge_stored(ent_df, enterprises, prefer="new")
    tags = _tags(ent_df, products, threshold, read_decisions(accept) if accept is not None else {})
    loaded = tags[tags["decision"].isin(["auto", "accepted"])]
    batch = ImportBatch.empty(source=name)
    batch.tables["enterprises"] = nz.table_frame("enterprises", ent_df, source=source, as_of=as_of)
    batch.tables["enterprise_products"] = nz.table_frame(
        "enterprise_products", pd.DataFrame({"enterprise": loaded["enterprise_id"], "product": loaded["product_id"],
                                             "source": source + ":" + loaded["field"]}), as_of=as_of)
    batch.tables["regions"] = nz.missing_region_rows(index, ent_df["region"].dropna(), regions, as_of)
    known_ids = {"regions": set(index.codes), "products": set() if products is None else
                 set(products["product_id"].astype(str).tolist())}
    if enterprises is not None and len(enterprises):        # refs of merged stored rows
        known_ids["parks"] = set(enterprises["park"].dropna().astype(str).tolist())
        known_ids["regions"] |= set(enterprises["region"].dropna().astype(str).tolist())
    bad = nz.check_batch(batch, known_ids, name)
    if bad:
        raise ValidationFailed(bad, source=name)
    batch.warnings = [str(p) for p in problems]
    review = tags[tags["decision"] == "review"].assign(decision="")[REVIEW_COLUMNS].reset_index(drop=True)
    return RegistryResult(batch, tags, review, problems, {f: header[i] for f, i in cols.items()}, len(records))


def _tags(ent_df: pd.DataFrame, products, threshold: float, decisions: dict) -> pd.DataFrame:
    if products is None or not len(products) or not len(ent_df):
        return pd.DataFrame(columns=[*TAG_COLUMNS, "decision"])
    tags = tag_rows(ProductTagger(products), ent_df.rename(columns={"name": "enterprise"}))
    dec = []
    for eid, pid, makes, mode, conf in zip(tags["enterprise_id"], tags["product_id"], tags["makes"], tags["mode"],
                                           tags["confidence"]):
        said = decisions.get((str(eid), str(pid)))
        dec.append(mode if not makes else "accepted" if said == "accept" else "rejected" if said == "reject"
                   else "auto" if conf >= threshold else "review")
    return tags.assign(decision=dec)
