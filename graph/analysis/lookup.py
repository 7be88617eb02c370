"""Resolve what a user typed (an id/code or a name) to one chain, product, region, park or
enterprise.

Matching, in order: exact id/code; exact name (or product/enterprise alias); the same ignoring case,
width and spaces (NFKC); for regions also the name without its suffix (运城 → 运城市) and a
name prefixed by an ancestor (山西省运城市). One match wins; several raise
:class:`~graph.errors.Ambiguous` listing ids; none raises :class:`~graph.errors.NotFound` with
close names (difflib) and names containing the text as suggestions.
"""
from __future__ import annotations

import difflib
import re
import unicodedata

import pandas as pd

from graph.errors import Ambiguous, NoRegions, NotFound

KIND_CN = {"chain": "产业链", "product": "产品", "region": "地区", "park": "园区", "enterprise": "企业",
           "place": "地区或园区"}
_REGION_SUFFIX = re.compile(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|盟|省|市|县|区|旗)$")


def norm(text) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).casefold()


def suggestions(text: str, names: list[str], n: int = 5) -> list[str]:
    """Close names (difflib) first, then names containing the text (or contained in it)."""
    t = norm(text)
    by_norm = {}
    for name in names:
        by_norm.setdefault(norm(name), name)
    close = difflib.get_close_matches(t, list(by_norm), n=n, cutoff=0.5)
    out = [by_norm[c] for c in close]
    for k, name in by_norm.items():
        if len(out) >= n:
            break
        if t and (t in k or (len(k) >= 2 and k in t)) and name not in out:
            out.append(name)
    return out[:n]


def _pick(kind: str, text: str, rows: list[dict], id_col: str, keys, label) -> dict:
    """rows: candidate dicts; keys(row) -> list of strings a row answers to (normalised)."""
    text = str(text).strip()
    exact = [r for r in rows if str(r[id_col]) == text]
    if len(exact) == 1:
        return exact[0]
    t = norm(text)
    for level in range(len(keys(rows[0])) if rows else 0):
        hits = [r for r in rows if t in keys(r)[level]]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise Ambiguous(KIND_CN[kind], text, [label(r) for r in hits])
    names = [str(r.get("name")) for r in rows]
    raise NotFound(KIND_CN[kind], text, suggestions(text, names))


def _records(df: pd.DataFrame) -> list[dict]:
    return df.to_dict(orient="records") if len(df) else []


def _chain_keys(r: dict) -> list[set[str]]:
    name = str(r["name"])
    return [{norm(r["chain_id"]), norm(name)},
            {norm(name + "产业链"), norm(name.removesuffix("产业链")), norm(name + "链")}]


def resolve_chain(store, text: str) -> dict:
    """The chains row for a chain id or name (the chains table is read once per store generation)."""
    from graph.analysis.frame_utils import memo
    rows, keys = memo(store, "chain_rows", lambda: _keyed(_records(store.table("chains")), _chain_keys))
    row = _pick("chain", text, rows, "chain_id", lambda r: keys[id(r)],
                lambda r: f"{r['chain_id']}（{r['name']}）")
    return dict(row)


def _keyed(rows: list[dict], keys) -> tuple[list[dict], dict]:
    """rows and their match keys (by id of the row dict), worked out once."""
    return rows, {id(r): keys(r) for r in rows}


def resolve_product(store, text: str, within: pd.DataFrame | None = None) -> dict:
    """The products row for a product id, name or alias (``within``: only these products, e.g. a
    chain view's products)."""
    rows = _records(within if within is not None else store.table("products"))

    def keys(r):
        aliases = r.get("aliases")
        aliases = aliases if isinstance(aliases, (list, tuple)) else []
        return [{norm(r["product_id"]), norm(r["name"])}, {norm(a) for a in aliases}]
    return _pick("product", text, rows, "product_id", keys, lambda r: f"{r['product_id']}（{r['name']}）")


def _region_keys(tree, code: str) -> list[set[str]]:
    name = tree.name(code)
    stripped = _REGION_SUFFIX.sub("", name)
    prefixed = set()
    for anc in tree.ancestors(code)[1:]:
        an = tree.name(anc)
        prefixed |= {norm(an + name), norm(_REGION_SUFFIX.sub("", an) + name)}
    return [{norm(code), norm(name)}, {norm(stripped)} if len(stripped) >= 2 else set(), prefixed]


def _region_label(tree, code: str) -> str:
    parent = tree.parent(code)
    return f"{code}（{tree.name(code)}" + (f"，{tree.name(parent)}）" if parent else "）")


def resolve_region(store, text: str, tree=None) -> dict:
    """The place dict (see graph.analysis.scope.place_of_region) of a region code or name."""
    from graph.analysis.scope import RegionTree
    tree = tree or RegionTree.from_store(store)
    return dict(tree.cache(("region", str(text)), lambda: _resolve_region(tree, text)))


def _resolve_region(tree, text: str) -> dict:
    from graph.analysis.scope import place_of_region
    if not tree.regions:
        raise NoRegions()
    rows = tree.cache("region_rows", lambda: [{"code": c, "name": r["name"]} for c, r in tree.regions.items()])

    def keys(r):  # worked out for every region only when the text is not a code
        return tree.cache("region_keys", lambda: {id(x): _region_keys(tree, x["code"]) for x in rows})[id(r)]
    row = _pick("region", text, rows, "code", keys, lambda r: _region_label(tree, r["code"]))
    return place_of_region(tree, row["code"])


def resolve_park(store, text: str, tree=None) -> dict:
    """The place dict (see graph.analysis.scope.place_of_park) of a park id or name."""
    from graph.analysis.scope import RegionTree
    tree = tree or RegionTree.from_store(store)
    return dict(tree.cache(("park", str(text)), lambda: _resolve_park(tree, text)))


def _resolve_park(tree, text: str) -> dict:
    from graph.analysis.scope import place_of_park
    rows, keys = tree.cache("park_rows", lambda: _keyed(
        [{"park_id": pid, "name": p.get("name")} for pid, p in tree.parks.items()],
        lambda r: [{norm(r["park_id"]), norm(r["name"])}]))
    row = _pick("park", text, rows, "park_id", lambda r: keys[id(r)], lambda r: f"{r['park_id']}（{r['name']}）")
    return place_of_park(tree, row["park_id"])


def resolve_place(store, text: str, tree=None) -> dict:
    """A region or a park, by code/id or name. A name matching both is Ambiguous."""
    from graph.analysis.scope import RegionTree
    tree = tree or RegionTree.from_store(store)
    return dict(tree.cache(("place", str(text)), lambda: _resolve_place(store, text, tree)))


def _resolve_place(store, text: str, tree) -> dict:
    code = str(text).strip()
    parks = tree.cache("park_norms", lambda: {k for pid, p in tree.parks.items() for k in (norm(pid), norm(p.get("name")))})
    if code in tree.regions and norm(code) not in parks:  # a region code no park answers to
        return resolve_region(store, code, tree=tree)
    found, errors = [], []
    for fn in (resolve_region, resolve_park):
        try:
            found.append(fn(store, text, tree=tree))
        except NotFound as err:
            errors.append(err)
    text = str(text).strip()
    if len(found) == 1:
        return found[0]
    if len(found) == 2:
        exact = [p for p in found if p["id"] == text]
        if len(exact) == 1:
            return exact[0]
        raise Ambiguous(KIND_CN["place"], text, [f"{p['id']}（{p['name']}）" for p in found])
    cands = [c for e in errors for c in e.candidates]
    raise NotFound(KIND_CN["place"], text, cands[:6])


def resolve_enterprise(store, text: str) -> dict:
    """An enterprises row by id, USCC, exact name or alias (简称/曾用名; uses store.search, no full scan)."""
    text = str(text).strip()
    rows = _records(store.enterprises([text]))
    if len(rows) == 1:
        return rows[0]
    hits = store.search(text, limit=50)
    hits = hits[hits["label"] == "Enterprise"] if len(hits) else hits
    if len(hits):
        exact = hits[hits["name"].map(norm) == norm(text)]
        if len(exact) == 0:
            ids = hits["id"].tolist()
            full = store.enterprises(ids)
            also = full.apply(lambda r: {norm(r.get("uscc") or "")} | {norm(a) for a in (
                r.get("aliases") if isinstance(r.get("aliases"), (list, tuple)) else [])}, axis=1) \
                if len(full) else pd.Series(dtype=object)
            exact = full[[norm(text) in keys for keys in also]].rename(columns={"enterprise_id": "id"})
        if len(exact) == 1:
            return _records(store.enterprises([exact["id"].iloc[0]]))[0]
        if len(exact) > 1:
            raise Ambiguous(KIND_CN["enterprise"], text,
                            [f"{r['id']}（{r['name']}）" for r in _records(exact)])
    raise NotFound(KIND_CN["enterprise"], text, hits["name"].head(5).tolist() if len(hits) else [])


def resolve(store, kind: str, text: str, tree=None) -> dict:
    """Dispatch: kind is chain, product, region, park, place or enterprise."""
    if kind in ("region", "park", "place"):
        return {"region": resolve_region, "park": resolve_park, "place": resolve_place}[kind](
            store, text, tree=tree)
    return {"chain": resolve_chain, "product": resolve_product, "enterprise": resolve_enterprise}[kind](
        store, text)
