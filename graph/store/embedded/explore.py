"""Reads of the embedded store that join several tables: chain view, search, neighbourhood.

Each takes an open SQLite connection (inside a read transaction) and returns what
:class:`graph.store.AtlasStore` documents.
"""
from __future__ import annotations

import difflib
import json

import pandas as pd

from graph import schema as S
from graph.store.embedded.codec import frame, kinds_of, q
from graph.errors import ChainAtlasError, NotFound
from graph.store import ChainView

_CHAIN_SQL = {
    "products": ("SELECT p.product_id, p.name, p.aliases, p.gbt4754, cp.stage, cp.segment, cp.key_link, "
                 "cp.source, cp.as_of, cp.illustrative FROM chain_products cp "
                 "JOIN products p ON p.product_id = cp.product WHERE cp.chain = :c ORDER BY CASE cp.stage "
                 + " ".join(f"WHEN '{s}' THEN {i}" for s, i in S.STAGE_ORDER.items()) + " END, p.product_id"),
    # each chain product's flows by the primary key, kept when the other end is in the chain too
    "flows": ("SELECT f.from_product, f.to_product, f.cycle_ok, f.source, f.as_of, f.illustrative "
              "FROM chain_products a CROSS JOIN product_flows f ON f.from_product = a.product "
              "CROSS JOIN chain_products b ON b.chain = a.chain AND b.product = f.to_product "
              "WHERE a.chain = :c ORDER BY f.from_product, f.to_product"),
    "roles": ("SELECT e.enterprise_id, e.name, r.role, r.evidence, e.region, e.park, e.scale, e.tags, "
              "r.source, r.as_of, r.illustrative FROM chain_roles r "
              "JOIN enterprises e ON e.enterprise_id = r.enterprise WHERE r.chain = :c "
              "ORDER BY r.role <> '链主', e.enterprise_id"),
    "parks": ("SELECT k.park_id, k.name, k.kind, k.region, k.counted_for, pc.source, pc.as_of, pc.illustrative "
              "FROM park_chains pc JOIN parks k ON k.park_id = pc.park WHERE pc.chain = :c ORDER BY k.park_id"),
}
_CHAIN_COLUMNS = {
    "products": ["product_id", "name", "aliases", "gbt4754", "stage", "segment", "key_link", "source", "as_of",
                 "illustrative"],
    "flows": ["from_product", "to_product", "cycle_ok", "source", "as_of", "illustrative"],
    "roles": ["enterprise_id", "name", "role", "evidence", "region", "park", "scale", "tags", "source", "as_of",
              "illustrative"],
    "parks": ["park_id", "name", "kind", "region", "counted_for", "source", "as_of", "illustrative"],
}


def chain_view(conn, chain_id: str) -> ChainView:
    """The chain row, its products (upstream first), flows among them, 链主 then 链核, parks."""
    cols = S.TABLES["chains"].column_names
    row = conn.execute(f"SELECT {', '.join(map(q, cols))} FROM chains WHERE chain_id = ?", (chain_id,)).fetchone()
    if row is None:
        known = [k for pair in conn.execute("SELECT chain_id, name FROM chains") for k in pair]
        raise NotFound("产业链", chain_id, candidates=difflib.get_close_matches(chain_id, known, n=5, cutoff=0.4))
    kinds = {**kinds_of("products"), **kinds_of("chain_products"), **kinds_of("product_flows"),
             **kinds_of("enterprises"), **kinds_of("parks")}
    parts = {part: frame(conn.execute(sql, {"c": chain_id}).fetchall(), _CHAIN_COLUMNS[part], kinds)
             for part, sql in _CHAIN_SQL.items()}
    return ChainView(chain=frame([row], cols, kinds_of("chains")).iloc[0].to_dict(), **parts)

# label -> (table, id column, other columns matched by substring, detail SQL on x)
_REGION_NAME = "(SELECT name FROM regions WHERE code = x.{})"
_SEARCH = {
    S.CHAIN: ("chains", "chain_id", [], f"coalesce({_REGION_NAME.format('province')}, x.lead_unit)"),
    S.PRODUCT: ("products", "product_id", ["aliases"], "x.aliases"),
    S.ENTERPRISE: ("enterprises", "enterprise_id", ["stock_code", "uscc", "aliases"],
                   f"coalesce({_REGION_NAME.format('region')} || CASE WHEN x.region_source = 'inferred' "
                   f"THEN '（推断）' ELSE '' END, (SELECT name FROM parks WHERE park_id = x.park))"),
    S.PARK: ("parks", "park_id", [], f"x.kind || ' · ' || coalesce({_REGION_NAME.format('region')}, '')"),
    S.REGION: ("regions", "code", [], _REGION_NAME.format("parent")),
}
_CODES = {"stock_code", "uscc"}   # ASCII only: not searched for text with Chinese characters
SEARCH_COLUMNS = ["label", "id", "name", "detail"]


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere (LIKE is case-insensitive for ASCII)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _candidates(conn, table: str, key: str, extra: list[str], args: dict) -> list[int]:
    """Rowids worth ranking: ids equal to the text, then the shortest names containing it
    (an exact name is the shortest possible), then other columns containing it; ``limit``
    each, every query an index or single-column scan."""
    esc = " ESCAPE '\\'"
    queries = [f"SELECT rowid FROM {table} WHERE {key} IN (:raw, :t, :u)",
               f"SELECT rowid FROM {table} WHERE name LIKE :p{esc} ORDER BY length(name), name LIMIT :n"]
    cols = [c for c in extra if c not in _CODES or args["t"].isascii()]
    if cols:
        queries.append(f"SELECT rowid FROM {table} WHERE " + " OR ".join(f"{c} LIKE :p{esc}" for c in cols)
                       + " ORDER BY length(name), name LIMIT :n")
    return list(dict.fromkeys(r for sql in queries for (r,) in conn.execute(sql, args)))


def search(conn, text: str, limit: int = 50) -> pd.DataFrame:
    """Case-insensitive substring search; exact matches (name, id, alias, stock code, USCC)
    first, then shorter names. A million enterprise names scan in about 0.2 s (name index)."""
    raw = (text or "").strip()
    t = raw.lower()
    if not t or limit <= 0:
        return frame([], SEARCH_COLUMNS)
    args = {"p": _like(t), "raw": raw, "t": t, "u": raw.upper(), "n": limit}
    hits = []
    for rank, (label, (table, key, extra, detail)) in enumerate(_SEARCH.items()):
        rowids = _candidates(conn, table, key, extra, args)
        sql = (f"SELECT x.{key}, x.name, {detail}, {', '.join('x.' + c for c in extra) or 'NULL'} "
               f"FROM {table} x WHERE x.rowid IN (SELECT value FROM json_each(?))")
        for node_id, name, det, *codes in conn.execute(sql, (json.dumps(rowids),)):
            codes = [x.lower() for c, col in zip(codes, extra) if c
                     for x in (json.loads(c) if col == "aliases" else [c])]
            if table == "products":
                codes = [a.lower() for a in json.loads(det or "[]")]
                det = "、".join(json.loads(det or "[]")) or None
            if t not in name.lower() and t != node_id.lower() and not any(t in c for c in codes):
                continue  # an id in another case, or JSON punctuation only
            exact = t in (name.lower(), node_id.lower(), *codes)
            hits.append((not exact, len(name), rank, name, label, node_id, det))
    hits.sort()
    return frame([(h[4], h[5], h[3], h[6]) for h in hits[:limit]], SEARCH_COLUMNS)


def _node(label, table, key):
    return f"SELECT '{label}', x.{key}, x.name FROM {table} x"


# label -> [(rel type, centre is source?, SQL giving (other label, other id, other name) for :id)]
_HOPS = {
    S.ENTERPRISE: [
        (S.LOCATED_IN, True, _node(S.REGION, "regions", "code") + " JOIN enterprises e ON e.region = x.code WHERE e.enterprise_id = :id"),
        (S.IN_PARK, True, _node(S.PARK, "parks", "park_id") + " JOIN enterprises e ON e.park = x.park_id WHERE e.enterprise_id = :id"),
        (S.ROLE_IN, True, _node(S.CHAIN, "chains", "chain_id") + " JOIN chain_roles r ON r.chain = x.chain_id WHERE r.enterprise = :id"),
        (S.MAKES, True, _node(S.PRODUCT, "products", "product_id") + " JOIN enterprise_products m ON m.product = x.product_id WHERE m.enterprise = :id"),
        (S.SUPPLIES, True, _node(S.ENTERPRISE, "enterprises", "enterprise_id") + " JOIN supplies s ON s.customer = x.enterprise_id WHERE s.supplier = :id"),
        (S.SUPPLIES, False, _node(S.ENTERPRISE, "enterprises", "enterprise_id") + " JOIN supplies s ON s.supplier = x.enterprise_id WHERE s.customer = :id"),
    ],
    S.PRODUCT: [
        (S.INCLUDES, False, _node(S.CHAIN, "chains", "chain_id") + " JOIN chain_products c ON c.chain = x.chain_id WHERE c.product = :id"),
        (S.FEEDS, False, _node(S.PRODUCT, "products", "product_id") + " JOIN product_flows f ON f.from_product = x.product_id WHERE f.to_product = :id"),
        (S.FEEDS, True, _node(S.PRODUCT, "products", "product_id") + " JOIN product_flows f ON f.to_product = x.product_id WHERE f.from_product = :id"),
        (S.SUBCLASS_OF, True, _node(S.PRODUCT, "products", "product_id") + " JOIN product_subclasses s ON s.parent = x.product_id WHERE s.product = :id"),
        (S.SUBCLASS_OF, False, _node(S.PRODUCT, "products", "product_id") + " JOIN product_subclasses s ON s.product = x.product_id WHERE s.parent = :id"),
        (S.MAKES, False, _node(S.ENTERPRISE, "enterprises", "enterprise_id") + " JOIN enterprise_products m ON m.enterprise = x.enterprise_id WHERE m.product = :id"),
    ],
    S.PARK: [
        (S.PARK_IN, True, _node(S.REGION, "regions", "code") + " JOIN parks k ON k.region = x.code WHERE k.park_id = :id"),
        (S.COUNTED_FOR, True, _node(S.REGION, "regions", "code") + " JOIN parks k ON k.counted_for = x.code WHERE k.park_id = :id"),
        (S.CARRIES, True, _node(S.CHAIN, "chains", "chain_id") + " JOIN park_chains c ON c.chain = x.chain_id WHERE c.park = :id"),
        (S.IN_PARK, False, _node(S.ENTERPRISE, "enterprises", "enterprise_id") + " WHERE x.park = :id"),
    ],
    S.CHAIN: [
        (S.INCLUDES, True, _node(S.PRODUCT, "products", "product_id") + " JOIN chain_products c ON c.product = x.product_id WHERE c.chain = :id"),
        (S.ROLE_IN, False, _node(S.ENTERPRISE, "enterprises", "enterprise_id") + " JOIN chain_roles r ON r.enterprise = x.enterprise_id WHERE r.chain = :id"),
        (S.CARRIES, False, _node(S.PARK, "parks", "park_id") + " JOIN park_chains c ON c.park = x.park_id WHERE c.chain = :id"),
    ],
    S.REGION: [
        (S.PART_OF, True, _node(S.REGION, "regions", "code") + " JOIN regions c ON c.parent = x.code WHERE c.code = :id"),
        (S.PART_OF, False, _node(S.REGION, "regions", "code") + " WHERE x.parent = :id"),
        (S.PARK_IN, False, _node(S.PARK, "parks", "park_id") + " WHERE x.region = :id"),
        (S.COUNTED_FOR, False, _node(S.PARK, "parks", "park_id") + " WHERE x.counted_for = :id"),
        (S.LOCATED_IN, False, _node(S.ENTERPRISE, "enterprises", "enterprise_id") + " WHERE x.region = :id"),
    ],
}

NODE_COLUMNS = ["label", "id", "name"]
EDGE_COLUMNS = ["source_label", "source", "target_label", "target", "type"]


def neighbourhood(conn, label: str, node_id: str, limit: int = 200):
    """(nodes, edges) one hop around a node; at most ``limit`` neighbours, small relationship
    kinds first so that thousands of makers cannot crowd out the chain or region."""
    if label not in _HOPS:
        raise ChainAtlasError(f"未知的节点类型“{label}” / unknown node label",
                              "Use one of: " + ", ".join(S.NODE_LABELS))
    table = {v: k for k, v in S.LABEL_OF_TABLE.items()}[label]
    key = S.KEY_OF_LABEL[label]
    row = conn.execute(f"SELECT name FROM {table} WHERE {key} = ?", (node_id,)).fetchone()
    if row is None:
        raise NotFound(label, node_id)
    nodes = {(label, node_id): row[0]}
    edges = []
    for rel, outgoing, sql in _HOPS[label]:
        for other_label, other_id, other_name in conn.execute(sql + " LIMIT :n", {"id": node_id, "n": limit + 1}):
            other = (other_label, other_id)
            if other not in nodes:
                if len(nodes) > limit:
                    break
                nodes[other] = other_name
            ends = ((label, node_id), other) if outgoing else (other, (label, node_id))
            edges.append((*ends[0], *ends[1], rel))
    return (frame([(lb, i, n) for (lb, i), n in nodes.items()], NODE_COLUMNS),
            frame(edges, EDGE_COLUMNS))
