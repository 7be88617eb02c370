"""Search and one-hop neighbourhood queries of the embedded store.

Both take an open SQLite connection (inside a read transaction) and return DataFrames in
the shapes documented on :class:`graph.store.AtlasStore`.
"""
from __future__ import annotations

import json

import pandas as pd

from graph import schema as S
from graph.embedded_codec import frame
from graph.errors import ChainAtlasError, NotFound

# label -> (table, id column, columns matched by substring, exact-match SQL, detail SQL on x)
_REGION_NAME = "(SELECT name FROM regions WHERE code = x.{})"
_SEARCH = {
    S.CHAIN: ("chains", "chain_id", ["name"], "", f"coalesce({_REGION_NAME.format('province')}, x.lead_unit)"),
    S.PRODUCT: ("products", "product_id", ["name", "aliases"],
                "OR EXISTS (SELECT 1 FROM json_each(aliases) WHERE lower(value) = :t)", "x.aliases"),
    S.ENTERPRISE: ("enterprises", "enterprise_id", ["name", "stock_code", "uscc"],
                   "OR lower(stock_code) = :t OR lower(uscc) = :t",
                   f"coalesce({_REGION_NAME.format('region')}, (SELECT name FROM parks WHERE park_id = x.park))"),
    S.PARK: ("parks", "park_id", ["name"], "", f"x.kind || ' · ' || coalesce({_REGION_NAME.format('region')}, '')"),
    S.REGION: ("regions", "code", ["name"], "", _REGION_NAME.format("parent")),
}
SEARCH_COLUMNS = ["label", "id", "name", "detail"]


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere (LIKE is case-insensitive for ASCII)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(conn, text: str, limit: int = 50) -> pd.DataFrame:
    """Case-insensitive substring search; exact matches (name, id, alias, stock code, USCC)
    first, then shorter names. Each kind is ranked and cut in SQL, then merged.

    A million enterprise names are scanned in a few hundred milliseconds (no substring index)."""
    t = (text or "").strip().lower()
    if not t or limit <= 0:
        return frame([], SEARCH_COLUMNS)
    hits = []
    for rank, (label, (table, key, matched, exact, detail)) in enumerate(_SEARCH.items()):
        where = " OR ".join(f"{c} LIKE :p ESCAPE '\\'" for c in matched)
        sql = (f"SELECT x.{key}, x.name, {detail}, s.exact FROM ("
               f"SELECT rowid AS rid, (lower(name) = :t OR lower({key}) = :t {exact}) AS exact FROM {table} "
               f"WHERE {where} OR lower({key}) = :t ORDER BY exact DESC, length(name), name LIMIT :n) s "
               f"JOIN {table} x ON x.rowid = s.rid")
        for node_id, name, det, is_exact in conn.execute(sql, {"t": t, "p": _like(t), "n": limit}):
            if table == "products":
                aliases = json.loads(det or "[]")
                if t not in name.lower() and t != node_id.lower() and not any(t in a.lower() for a in aliases):
                    continue  # matched JSON punctuation only
                det = "、".join(aliases) or None
            hits.append((not is_exact, len(name), rank, name, label, node_id, det))
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
