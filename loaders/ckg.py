"""ChainKnowledgeGraph (产业链知识图谱) JSON-lines folder → a normalised :class:`ImportBatch`.

Mapping (see /work/shared/samples/README.md for the source layout):

- company.json → enterprises: id = stock code normalised (``000826.SZ``); a renamed company
  (one line per name, same code) is merged, the other names kept in ``evidence`` as 曾用名;
  listed = true, tag 上市; region from an optional ``code,province,city`` CSV, else unknown.
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
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from graph import schema
from graph.errors import InputProblem, UnsupportedInput, ValidationFailed
from graph.model import ImportBatch
from loaders import normalize as nz
from loaders.validate import BadCell, parse_cell

SOURCE = "ChainKnowledgeGraph"
SOURCE_PREFIX = "CKG:"          # product ids: CKG:<normalised name>
FILES = ("company.json", "product.json", "company_product.json", "product_product.json",
         "company_industry.json", "industry.json", "industry_industry.json")
REQUIRED = ("company.json", "product.json")
FLOW_RELS = {"上游材料": ("to", "from"), "下游产品": ("from", "to")}
SUBCLASS_REL = "产品小类"
EXCHANGES = {"深圳": "SZ", "上海": "SH", "北京": "BJ"}


@dataclass
class CkgReport:
    """What an import read, kept and dropped (per file and reason)."""

    read: dict[str, int] = field(default_factory=dict)      # file -> lines read
    kept: dict[str, int] = field(default_factory=dict)      # import table -> rows in the batch
    dropped: list[dict] = field(default_factory=list)       # {file, reason, rows, example}
    merged: dict[str, int] = field(default_factory=dict)    # what was merged/added/marked, by kind
    cycle_ok: int = 0                                        # flows marked cycle_ok
    problems: list[InputProblem] = field(default_factory=list)  # warnings (e.g. unknown regions)

    def drop(self, file: str, reason: str, rows: pd.DataFrame, example_col: str) -> None:
        if len(rows):
            self.dropped.append({"file": file, "reason": reason, "rows": int(len(rows)),
                                 "example": str(rows[example_col].iloc[0])})

    def dropped_count(self, file: str | None = None, reason: str | None = None) -> int:
        return sum(d["rows"] for d in self.dropped
                   if (file is None or d["file"] == file) and (reason is None or d["reason"] == reason))

    def frame(self) -> pd.DataFrame:
        """Dropped rows per file and reason."""
        return pd.DataFrame(self.dropped, columns=["file", "reason", "rows", "example"])

    def summary(self) -> str:
        lines = ["read: " + ", ".join(f"{f} {n}" for f, n in self.read.items()),
                 "kept: " + ", ".join(f"{t} {n}" for t, n in self.kept.items()),
                 "merged/marked: " + ", ".join(f"{k} {n}" for k, n in self.merged.items())]
        lines += [f"dropped {d['rows']} from {d['file']}: {d['reason']} (e.g. {d['example']!r})"
                  for d in self.dropped]
        lines += [f"warning: {p}" for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"… and {len(self.problems) - 20} more warnings")
        return "\n".join(lines)


def read_jsonl(path: Path, report: CkgReport) -> pd.DataFrame:
    """A JSON-lines file as a frame with a ``_line`` column (1-based); bad lines are reported."""
    records, bad = [], []
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    rec = json.loads(line)
                    rec["_line"] = n
                    records.append(rec)
                except json.JSONDecodeError:
                    bad.append({"_line": n, "text": line[:60]})
    report.read[path.name] = len(records) + len(bad)
    report.drop(path.name, "invalid JSON line", pd.DataFrame(bad, columns=["_line", "text"]), "_line")
    return pd.DataFrame.from_records(records)


def normalize_codes(codes: pd.Series, location: pd.Series | None = None) -> pd.Series:
    """Stock codes as ``NNNNNN.XX`` (SZ/SH/BJ); the exchange from a suffix/prefix, the listing
    place, else the number range. Unparseable codes become <NA>.

    >>> normalize_codes(pd.Series(["000826.sz", "301079", "SH600010", "x"])).tolist()
    ['000826.SZ', '301079.SZ', '600010.SH', <NA>]
    """
    c = nz.norm_series(codes).str.upper().str.replace(" ", "")
    m = c.str.extract(r"^(?:(SH|SZ|BJ|SS)\.?)?(\d{6})(?:\.(SH|SZ|BJ|SS))?$")
    exch = m[2].fillna(m[0]).replace("SS", "SH")
    if location is not None:
        loc = nz.norm_series(location)
        for word, ex in EXCHANGES.items():
            exch = exch.mask(exch.isna() & loc.str.contains(word), ex)
    d = m[1]
    guess = pd.Series(pd.NA, index=c.index, dtype="string")
    guess = guess.mask(d.str.match(r"^[023]").fillna(False), "SZ").mask(d.str.match(r"^[69]").fillna(False), "SH")
    guess = guess.mask(d.str.match(r"^(?:[48]|92)").fillna(False), "BJ")
    return (d + "." + exch.fillna(guess)).astype("string")


def back_edges(src: list[str], dst: list[str]) -> set[tuple[str, str]]:
    """Edges whose removal leaves the graph acyclic: the back edges of a depth-first search
    (nodes visited in sorted order, so the result is deterministic), plus self-loops. Edges that
    cannot be on a cycle are peeled off first (vectorised); only strongly connected parts are
    searched.

    >>> sorted(back_edges(["a", "b", "c", "c", "d"], ["b", "c", "a", "d", "d"]))
    [('c', 'a'), ('d', 'd')]
    """
    out: set[tuple[str, str]] = {(u, v) for u, v in zip(src, dst) if u == v}
    codes, nodes = pd.factorize(pd.Series(list(src) + list(dst), dtype=object))
    tail, head = codes[:len(src)], codes[len(src):]
    keep = tail != head
    while True:    # peel edges that cannot be on a cycle (no way into their tail / out of their head)
        indeg = np.bincount(head[keep], minlength=len(nodes))
        outdeg = np.bincount(tail[keep], minlength=len(nodes))
        new = keep & (indeg[tail] > 0) & (outdeg[head] > 0)
        if new.sum() == keep.sum():
            break
        keep = new
    g = nx.DiGraph()
    g.add_edges_from(zip(nodes[tail[keep]].tolist(), nodes[head[keep]].tolist()))
    for comp in nx.strongly_connected_components(g):
        if len(comp) < 2:
            continue
        sub = {u: sorted(v for v in g.successors(u) if v in comp) for u in comp}
        state: dict[str, int] = {}          # 1 = on the stack, 2 = done
        for root in sorted(comp):
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(sub[root]))]
            while stack:
                u, it = stack[-1]
                v = next(it, None)
                if v is None:
                    state[u] = 2
                    stack.pop()
                elif state.get(v) == 1:
                    out.add((u, v))
                elif v not in state:
                    state[v] = 1
                    stack.append((v, iter(sub[v])))
    return out


def _industry_paths(folder: Path, report: CkgReport) -> dict[str, str]:
    """Shenwan industry code -> ``level1/level2/level3`` name path."""
    names, parent = {}, {}
    if (folder / "industry.json").exists():
        ind = read_jsonl(folder / "industry.json", report)
        if len(ind):
            names = dict(zip(ind["code"].astype(str), nz.norm_series(ind["name"])))
    if (folder / "industry_industry.json").exists():
        ii = read_jsonl(folder / "industry_industry.json", report)
        if len(ii):
            parent = dict(zip(ii["from_code"].astype(str), ii["to_code"].astype(str)))
            names.update({k: v for k, v in zip(ii["to_code"].astype(str), nz.norm_series(ii["to_industry"]))
                          if k not in names})

    def up(code: str) -> str | None:
        if code in parent:
            return parent[code]
        if code.isdigit() and len(code) == 6 and code[4:] != "00":
            return code[:4] + "00"
        if code.isdigit() and len(code) == 6 and code[2:4] != "00":
            return code[:2] + "0000"
        return None

    paths = {}
    for code in names:
        chain, c = [], code
        while c and c in names and len(chain) < 4:
            chain.append(names[c])
            c = up(c)
        paths[code] = "/".join(reversed(chain))
    return paths


def _read_region_csv(path: Path) -> pd.DataFrame:
    from loaders.read import csv_records, decode

    text = decode(Path(path).read_bytes())
    if text is None:
        raise ValidationFailed([InputProblem(Path(path).name, "", None, None, "", "无法识别编码 cannot decode",
                                             "Save it as CSV UTF-8.")], source=Path(path).name)
    header, records = csv_records(text)
    cols = [nz.norm_header(h) for h in header]
    df = pd.DataFrame([c + [""] * (len(cols) - len(c)) for _, c in records], columns=cols, dtype=object)
    df["_line"] = [n for n, _ in records]
    if "code" not in df.columns:
        raise ValidationFailed([InputProblem(Path(path).name, "", 1, "code", "", "缺少 code 列 no code column",
                                             "The region file needs columns code, province, city.")])
    return df


def _regions(path, ids: pd.Series, index: nz.RegionIndex, report: CkgReport) -> pd.Series:
    """Region code per enterprise id (stock code) from a ``code,province,city[,county]`` CSV."""
    df = _read_region_csv(Path(path))
    name = Path(path).name
    df["stock"] = normalize_codes(df["code"])
    out = {}
    for rec in df.to_dict("records"):
        code, bad = index.resolve(rec.get("province", ""), rec.get("city", ""), rec.get("county", ""))
        for col in bad:
            report.problems.append(InputProblem(
                name, Path(name).stem, int(rec["_line"]), col, str(rec.get(col, "")),
                "未知的行政区划 unknown region (left unknown)",
                "Write the full or short name of a province/city, e.g. 山西省 / 运城市."))
        if code and not pd.isna(rec["stock"]):
            out[rec["stock"]] = code
    return ids.map(out)


def import_ckg(folder, regions_csv=None, *, as_of: str | None = None,
               known_regions: pd.DataFrame | None = None, known_products: pd.DataFrame | None = None,
               known_enterprises: pd.DataFrame | None = None) -> tuple[ImportBatch, CkgReport]:
    """Read a ChainKnowledgeGraph folder into a normalised batch and a report.

    The ``known_*`` frames are the store's tables (``store.table(...)``), all optional:

    - regions: region names are resolved against them plus the bundled national reference;
      only regions not already known are added to the batch;
    - products: a CKG product whose normalised name equals the name or an alias of exactly one
      stored non-CKG product (e.g. a seed chain's 动力电池) is that product: relations point to
      its id and it is not written again;
    - enterprises: a company whose stock code or full name is already stored under another id
      keeps that id; the stored row wins where both have a value (lists are united).

    ``as_of`` defaults to the date of company.json.
    """
    folder = Path(folder)
    missing = [f for f in REQUIRED if not (folder / f).exists()]
    if not folder.is_dir() or missing:
        raise UnsupportedInput(f"不是 ChainKnowledgeGraph 文件夹 not a ChainKnowledgeGraph folder: {folder}"
                               f" (missing {', '.join(missing) or 'folder'})",
                               "Give the folder holding company.json, product.json, company_product.json, "
                               "product_product.json (JSON lines).")
    as_of = as_of or dt.date.fromtimestamp((folder / "company.json").stat().st_mtime).isoformat()
    try:
        as_of = parse_cell(schema.PROVENANCE[1], nz.norm_text(as_of))
    except BadCell as bad:
        raise ValidationFailed([InputProblem(folder.name, "", None, "as_of", str(as_of), bad.message, bad.fix)])
    rep = CkgReport()
    src = {f: f"{SOURCE}/{f}" for f in FILES}
    read = {f: read_jsonl(folder / f, rep) if (folder / f).exists() else pd.DataFrame() for f in
            ("company.json", "product.json", "company_product.json", "product_product.json",
             "company_industry.json")}
    ent, name_to_id = _companies(read, folder, rep)
    index = None
    if regions_csv:
        index = nz.RegionIndex.reference(known_regions)
        ent["region"] = _regions(regions_csv, ent["enterprise_id"], index, rep).values
    ent, name_to_id = _match_enterprises(ent, name_to_id, known_enterprises, rep)
    cp, pp = read["company_product.json"], read["product_product.json"]
    prod, pid_of = _products(read, rep)
    prod, pid_of = _match_products(prod, pid_of, known_products, rep)
    ep = _company_products(cp, name_to_id, pid_of, rep)
    flows, subs = _product_relations(pp, pid_of, rep)

    batch = ImportBatch.empty(source=str(folder))
    kw = dict(as_of=as_of)
    batch.tables["enterprises"] = nz.table_frame("enterprises", ent, source=src["company.json"], **kw)
    batch.tables["products"] = nz.table_frame("products", prod, **kw)
    batch.tables["enterprise_products"] = nz.table_frame("enterprise_products", ep,
                                                         source=src["company_product.json"], **kw)
    batch.tables["product_flows"] = nz.table_frame("product_flows", flows, source=src["product_product.json"], **kw)
    batch.tables["product_subclasses"] = nz.table_frame("product_subclasses", subs,
                                                        source=src["product_product.json"], **kw)
    if index is not None:
        batch.tables["regions"] = nz.missing_region_rows(index, ent["region"].dropna(), known_regions, as_of)
    known = {t: set(df[schema.TABLES[t].key[0]].astype(str).tolist()) for t, df in
             (("regions", known_regions), ("products", known_products), ("enterprises", known_enterprises))
             if df is not None and len(df)}
    known["regions"] = known.get("regions", set()) | (index.codes if index else set())
    if known_enterprises is not None and len(known_enterprises):      # refs of merged stored rows
        known["parks"] = set(known_enterprises["park"].dropna().astype(str).tolist())
        known["regions"] |= set(known_enterprises["region"].dropna().astype(str).tolist())
    problems = nz.check_batch(batch, known, folder.name)
    if problems:
        raise ValidationFailed(problems, source=folder.name)
    rep.kept = {t: len(df) for t, df in batch.tables.items() if len(df)}
    batch.warnings = [str(p) for p in rep.problems]
    return batch, rep


def _companies(read: dict, folder: Path, rep: CkgReport) -> tuple[pd.DataFrame, dict[str, str]]:
    """Enterprises (one per normalised stock code) and a name/full-name -> id lookup."""
    co = read["company.json"]
    for col in ("name", "fullname", "code", "location"):
        co[col] = nz.norm_series(co[col]) if col in co.columns else ""
    co["eid"] = normalize_codes(co["code"], co["location"])
    rep.drop("company.json", "bad stock code", co[co["eid"].isna()], "code")
    co = co[co["eid"].notna()]
    co["full"] = co["fullname"].mask(co["fullname"] == "", co["name"])
    first = co.drop_duplicates("eid").set_index("eid")
    rep.merged["renamed companies merged"] = len(co) - len(first)
    former = co[co.duplicated("eid")].groupby("eid")["full"].agg(lambda s: "、".join(dict.fromkeys(s)))
    evidence = "简称 " + first["name"] + ("；曾用名 " + former).reindex(first.index).fillna("")
    name_to_id: dict[str, str] = {}
    for col in ("full", "name"):
        for key, eid in zip(co[col].map(nz.norm_key).tolist(), co["eid"].tolist()):
            if key:
                name_to_id.setdefault(key, eid)
    industries: dict[str, list[str]] = {}
    ci = read["company_industry.json"]
    if len(ci):
        paths = _industry_paths(folder, rep)
        ci["eid"] = normalize_codes(ci["company_code"])
        ci["path"] = ci["industry_code"].astype(str).map(paths).fillna(nz.norm_series(ci["industry_name"]))
        for eid, path in ci.dropna(subset=["eid"])[["eid", "path"]].drop_duplicates().itertuples(index=False):
            industries.setdefault(eid, []).append(path)
    ent = pd.DataFrame({"enterprise_id": first.index, "name": first["full"].values, "region": None,
                        "listed": True, "stock_code": first.index, "evidence": evidence.values})
    ent["tags"] = [["上市"] for _ in range(len(ent))]
    ent["industries"] = [industries.get(e, []) for e in ent["enterprise_id"]]
    return ent, name_to_id


def _products(read: dict, rep: CkgReport) -> tuple[pd.DataFrame, dict[str, str]]:
    """Products from every name used anywhere (normalised, merged, garbage dropped) and a
    raw name -> product id lookup. Raw spellings that differ from the name become aliases."""
    cp, pp = read["company_product.json"], read["product_product.json"]
    none = pd.Series(dtype="string")
    listed_raw = read["product.json"].get("name", none).astype("string")
    names = pd.concat([listed_raw, cp.get("product_name", none).astype("string"),
                       pp.get("from_entity", none).astype("string"), pp.get("to_entity", none).astype("string")],
                      ignore_index=True)
    raw = pd.DataFrame({"raw": names.fillna("").str.strip(), "norm": nz.norm_series(names)})
    raw["junk"] = nz.garbage_mask(raw["norm"])
    raw["listed"] = raw.index < len(listed_raw)
    listed = raw[raw["listed"]]
    rep.drop("product.json", "empty or garbage name", listed[listed["junk"]], "raw")
    good = raw[~raw["junk"]]
    ok_listed = good[good["listed"]]
    rep.merged["product names merged after normalisation"] = int(ok_listed["raw"].nunique()
                                                                 - ok_listed["norm"].nunique())
    extra = good.loc[~good["listed"] & ~nz.isin(good["norm"], ok_listed["norm"])]
    rep.merged["products added from relation files"] = int(extra["norm"].nunique())
    pid_of = dict(zip(good["raw"].tolist(), (SOURCE_PREFIX + good["norm"]).tolist()))
    aliases: dict[str, list[str]] = {}
    for norm, r in good.loc[good["raw"] != good["norm"], ["norm", "raw"]].drop_duplicates().itertuples(index=False):
        aliases.setdefault(norm, []).append(r)
    first = good.drop_duplicates("norm")
    prod = pd.DataFrame({"product_id": (SOURCE_PREFIX + first["norm"]).tolist(), "name": first["norm"].tolist()})
    prod["aliases"] = [aliases.get(n, []) for n in prod["name"].tolist()]
    from_file = np.where(first["listed"], "product.json",
                         np.where(first.index < len(listed_raw) + len(cp), "company_product.json",
                                  "product_product.json"))
    prod["source"] = [f"{SOURCE}/{f}" for f in from_file]
    return prod, pid_of


def _match_enterprises(ent: pd.DataFrame, name_to_id: dict, stored: pd.DataFrame | None,
                       rep: CkgReport) -> tuple[pd.DataFrame, dict]:
    """Reuse stored ids for companies already in the store under another id."""
    if stored is None or not len(stored):
        return ent, name_to_id
    ids = stored["enterprise_id"].astype(str).tolist()
    codes = normalize_codes(stored["stock_code"].astype(object).fillna("")).tolist()
    by_code = {c: i for c, i in zip(codes, ids) if isinstance(c, str) and c != i}
    by_name = {nz.norm_key(n): i for n, i in zip(stored["name"].tolist(), ids) if isinstance(n, str) and n}
    remap: dict[str, str] = {}
    for eid, name in zip(ent["enterprise_id"].tolist(), ent["name"].tolist()):
        hit = by_code.get(eid) or by_name.get(nz.norm_key(name))
        if hit and hit != eid and hit not in remap.values():
            remap[eid] = hit
    rep.merged["enterprises matched to stored enterprises"] = len(remap)
    if not remap:
        return ent, name_to_id
    ent = ent.assign(enterprise_id=[remap.get(e, e) for e in ent["enterprise_id"].tolist()])
    hit = ent["enterprise_id"].isin(list(remap.values()))
    ent = pd.concat([ent[~hit], nz.merge_stored(ent[hit], stored, prefer="stored")]).sort_index()
    return ent, {k: remap.get(v, v) for k, v in name_to_id.items()}


def _match_products(prod: pd.DataFrame, pid_of: dict, stored: pd.DataFrame | None,
                    rep: CkgReport) -> tuple[pd.DataFrame, dict]:
    """Point CKG names at stored non-CKG products of the same name or alias (unique matches)."""
    if stored is None or not len(stored):
        return prod, pid_of
    keys: dict[str, set[str]] = {}
    for pid, name, aliases in zip(stored["product_id"].astype(str).tolist(), stored["name"].tolist(),
                                  stored["aliases"].tolist() if "aliases" in stored.columns else [None] * len(stored)):
        if pid.startswith(SOURCE_PREFIX):
            continue
        for text in [name] + (list(aliases) if isinstance(aliases, (list, tuple)) else []):
            if isinstance(text, str) and text:
                keys.setdefault(nz.norm_key(text), set()).add(pid)
    remap = {}
    for pid, name in zip(prod["product_id"].tolist(), prod["name"].tolist()):
        hits = keys.get(nz.norm_key(name), set())
        if len(hits) == 1:
            remap[pid] = next(iter(hits))
    rep.merged["products matched to stored products"] = len(remap)
    if not remap:
        return prod, pid_of
    return prod[~prod["product_id"].isin(list(remap))], {k: remap.get(v, v) for k, v in pid_of.items()}


def _company_products(cp: pd.DataFrame, name_to_id: dict, pid_of: dict, rep: CkgReport) -> pd.DataFrame:
    f = "company_product.json"
    if not len(cp):
        return pd.DataFrame(columns=["enterprise", "product", "revenue_share"])
    cp = cp.assign(enterprise=nz.norm_series(cp["company_name"]).str.replace(" ", "").str.lower().map(name_to_id),
                   product=cp["product_name"].astype("string").fillna("").str.strip().map(pid_of),
                   w=pd.to_numeric(cp.get("rel_weight"), errors="coerce"))
    rep.drop(f, "unknown company", cp[cp["enterprise"].isna()], "company_name")
    cp = cp[cp["enterprise"].notna()]
    rep.drop(f, "empty or garbage product name", cp[cp["product"].isna()], "product_name")
    cp = cp[cp["product"].notna()]
    rep.drop(f, "negative weight (accounting offset)", cp[cp["w"] < 0], "product_name")
    cp = cp[~(cp["w"] < 0)]
    over = cp["w"] > 1
    rep.merged["company-product weights above 1 kept without share"] = int(over.sum())
    cp = cp.assign(revenue_share=cp["w"].mask(over).astype(object))
    cp = cp.sort_values("w", ascending=False, kind="stable")
    rep.drop(f, "duplicate company-product", cp[cp.duplicated(["enterprise", "product"])], "product_name")
    return cp.drop_duplicates(["enterprise", "product"]).sort_values("_line")


def _product_relations(pp: pd.DataFrame, pid_of: dict, rep: CkgReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    f = "product_product.json"
    if not len(pp):
        return pd.DataFrame(columns=["from_product", "to_product"]), pd.DataFrame(columns=["product", "parent"])
    pp = pp.assign(a=pp["from_entity"].astype("string").fillna("").str.strip().map(pid_of),
                   b=pp["to_entity"].astype("string").fillna("").str.strip().map(pid_of),
                   rel=nz.norm_series(pp["rel"]))
    rep.drop(f, "empty or garbage product name", pp[pp["a"].isna() | pp["b"].isna()], "from_entity")
    pp = pp[pp["a"].notna() & pp["b"].notna()]
    rep.drop(f, "unknown relation", pp[~pp["rel"].isin([*FLOW_RELS, SUBCLASS_REL])], "rel")
    rep.drop(f, "self-loop", pp[pp["a"] == pp["b"]], "from_entity")
    pp = pp[pp["a"] != pp["b"]]
    up, down = pp[pp["rel"] == "上游材料"], pp[pp["rel"] == "下游产品"]
    flows = pd.concat([pd.DataFrame({"from_product": up["b"], "to_product": up["a"], "_line": up["_line"]}),
                       pd.DataFrame({"from_product": down["a"], "to_product": down["b"], "_line": down["_line"]})])
    flows = flows.sort_values("_line", kind="stable")
    rep.drop(f, "duplicate flow", flows[flows.duplicated(["from_product", "to_product"])], "from_product")
    flows = flows.drop_duplicates(["from_product", "to_product"])
    fa, fb = flows["from_product"].tolist(), flows["to_product"].tolist()
    closing = back_edges(fa, fb)
    flows["cycle_ok"] = [(a, b) in closing for a, b in zip(fa, fb)]
    rep.cycle_ok = int(flows["cycle_ok"].sum())
    rep.merged["flows marked cycle_ok"] = rep.cycle_ok
    sc = pp[pp["rel"] == SUBCLASS_REL]
    subs = pd.DataFrame({"product": sc["b"], "parent": sc["a"], "_line": sc["_line"]})
    rep.drop(f, "duplicate subclass", subs[subs.duplicated(["product", "parent"])], "product")
    subs = subs.drop_duplicates(["product", "parent"])
    sa, sb = subs["product"].tolist(), subs["parent"].tolist()
    loop = back_edges(sa, sb)
    bad = [(a, b) in loop for a, b in zip(sa, sb)]
    rep.drop(f, "subclass cycle", subs[bad], "product")
    return flows, subs[[not x for x in bad]]
