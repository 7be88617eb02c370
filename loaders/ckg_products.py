"""CKG products and what companies make: product names normalised and merged (raw spellings
become aliases, garbage dropped), matched to stored products, and company_product.json as
enterprise_products."""
from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.ckg_read import SOURCE, SOURCE_PREFIX, CkgReport
from graph.text import garbage_mask, isin, norm_key, norm_series


def product_table(read: dict, rep: CkgReport) -> tuple[pd.DataFrame, dict[str, str]]:
    """Products from every name used anywhere (normalised, merged, garbage dropped) and a
    raw name -> product id lookup. Raw spellings that differ from the name become aliases."""
    cp, pp = read["company_product.json"], read["product_product.json"]
    none = pd.Series(dtype="string")
    listed_raw = read["product.json"].get("name", none).astype("string")
    names = pd.concat([listed_raw, cp.get("product_name", none).astype("string"),
                       pp.get("from_entity", none).astype("string"), pp.get("to_entity", none).astype("string")],
                      ignore_index=True)
    raw = pd.DataFrame({"raw": names.fillna("").str.strip(), "norm": norm_series(names)})
    raw["junk"] = garbage_mask(raw["norm"])
    raw["listed"] = raw.index < len(listed_raw)
    listed = raw[raw["listed"]]
    rep.drop("product.json", "empty or garbage name", listed[listed["junk"]], "raw")
    good = raw[~raw["junk"]]
    ok_listed = good[good["listed"]]
    rep.merged["product names merged after normalisation"] = int(ok_listed["raw"].nunique()
                                                                 - ok_listed["norm"].nunique())
    rep.use("product.json", "products", ok_listed["norm"].nunique())
    rep.use("product.json", "same name after normalisation (merged, other spellings kept as aliases)",
            len(ok_listed) - ok_listed["norm"].nunique())
    extra = good.loc[~good["listed"] & ~isin(good["norm"], ok_listed["norm"])]
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


def match_products(prod: pd.DataFrame, pid_of: dict, stored: pd.DataFrame | None,
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
                keys.setdefault(norm_key(text), set()).add(pid)
    remap = {}
    for pid, name in zip(prod["product_id"].tolist(), prod["name"].tolist()):
        hits = keys.get(norm_key(name), set())
        if len(hits) == 1:
            remap[pid] = next(iter(hits))
    rep.merged["products matched to stored products"] = len(remap)
    if not remap:
        return prod, pid_of
    return prod[~prod["product_id"].isin(list(remap))], {k: remap.get(v, v) for k, v in pid_of.items()}


def company_product_table(cp: pd.DataFrame, name_to_id: dict, pid_of: dict, rep: CkgReport) -> pd.DataFrame:
    """company_product.json as enterprise_products rows (in file order): unknown companies, garbage
    names and negative weights dropped; of duplicates the largest weight kept."""
    f = "company_product.json"
    if not len(cp):
        return pd.DataFrame(columns=["enterprise", "product", "revenue_share"])
    cp = cp.assign(enterprise=norm_series(cp["company_name"]).str.replace(" ", "").str.lower().map(name_to_id),
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
    dup = cp[cp.duplicated(["enterprise", "product"])]
    rep.drop(f, "duplicate company-product", dup.assign(raw=dup["company_name"].astype(str) + " · "
                                                        + dup["product_name"].astype(str)), "raw")
    cp = cp.drop_duplicates(["enterprise", "product"]).sort_values("_line")
    rep.use(f, "enterprise_products", len(cp))
    return cp
