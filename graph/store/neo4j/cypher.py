"""Every Cypher statement the Neo4j store runs.

Statements are module constants, or dicts of them keyed by a schema label, relationship type
or table name, built once at import from the constants in :mod:`graph.schema` only. Every value
travels as a ``$parameter``. Syntax is limited to what Neo4j 5.3 understands (no ``CALL (x) {}``,
``COLLECT {}``, dynamic labels, quantified path patterns, type predicates, ``LET``/``FILTER``/
``FINISH``/``NEXT``, conditional ``WHEN`` queries, ``SHORTEST``); tests/graph/store/test_cypher.py checks
all of that.

Storage model: every node has its key under property ``id`` (a region's ``code``, a chain's
``chain_id`` …) and its other import columns as properties under their column names; the
``ref:`` columns that become derived relationships (``region``, ``park``, ``parent``,
``counted_for``) are kept as properties too, so scope filters and ``table()`` read them directly.
Relationship tables become one relationship per key pair carrying the non-key columns and the
provenance. Empty lists are not stored (read back as ``[]``).

Schema ensured at connect (all ``IF NOT EXISTS``):

- a uniqueness constraint ``chainatlas_<label>_id`` on ``(:<Label>).id`` for every node label
  (its backing range index serves every lookup by id: NodeUniqueIndexSeek);
- range indexes ``chainatlas_<label>_<prop>`` on Enterprise(region), Enterprise(park),
  Enterprise(name), Product(name), Park(region), Park(name), Region(name), Chain(name).
"""
from __future__ import annotations

from graph import schema as s

# ---------------------------------------------------------------------------------------------
# mapping of tables onto the graph (derived from the schema; no new names)

# relationship table -> (source column, source label, rel type, target column, target label)
REL_ENDPOINTS: dict[str, tuple[str, str, str, str, str]] = {
    "chain_products": ("chain", s.CHAIN, s.INCLUDES, "product", s.PRODUCT),
    "product_flows": ("from_product", s.PRODUCT, s.FEEDS, "to_product", s.PRODUCT),
    "product_subclasses": ("product", s.PRODUCT, s.SUBCLASS_OF, "parent", s.PRODUCT),
    "park_chains": ("park", s.PARK, s.CARRIES, "chain", s.CHAIN),
    "enterprise_products": ("enterprise", s.ENTERPRISE, s.MAKES, "product", s.PRODUCT),
    "chain_roles": ("enterprise", s.ENTERPRISE, s.ROLE_IN, "chain", s.CHAIN),
    "supplies": ("supplier", s.ENTERPRISE, s.SUPPLIES, "customer", s.ENTERPRISE),
}
assert set(REL_ENDPOINTS) == set(s.REL_TABLES)
assert all(REL_ENDPOINTS[t][2] == s.REL_OF_TABLE[t] for t in s.REL_TABLES)

# relationships derived from node columns: (node table, column, rel type, target label)
DERIVED: tuple[tuple[str, str, str, str], ...] = (
    ("regions", "parent", s.PART_OF, s.REGION),
    ("parks", "region", s.PARK_IN, s.REGION),
    ("parks", "counted_for", s.COUNTED_FOR, s.REGION),
    ("enterprises", "region", s.LOCATED_IN, s.REGION),
    ("enterprises", "park", s.IN_PARK, s.PARK),
)

INDEXED = ((s.ENTERPRISE, "region"), (s.ENTERPRISE, "park"), (s.ENTERPRISE, "name"),
           (s.PRODUCT, "name"), (s.PARK, "region"), (s.PARK, "name"), (s.REGION, "name"),
           (s.CHAIN, "name"))

_PROV = "{v}.source AS source, {v}.as_of AS as_of, {v}.illustrative AS illustrative"


def _prov(var: str) -> str:
    return _PROV.format(v=var)


# ---------------------------------------------------------------------------------------------
# schema

CONSTRAINTS = {label: f"CREATE CONSTRAINT chainatlas_{label.lower()}_id IF NOT EXISTS "
                      f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" for label in s.NODE_LABELS}
INDEXES = {(label, prop): f"CREATE INDEX chainatlas_{label.lower()}_{prop} IF NOT EXISTS "
                          f"FOR (n:{label}) ON (n.{prop})" for label, prop in INDEXED}

# ---------------------------------------------------------------------------------------------
# writes (run inside one explicit transaction per batch)

# Nodes known to be new (the load checked which ids exist) are CREATEd; existing ones that changed
# are updated by id; SET += with a null value removes that property (a column emptied).
CREATE_NODES = {label: f"UNWIND $rows AS row CREATE (n:{label} {{id: row.id}}) SET n += row.props"
                for label in s.NODE_LABELS}
UPDATE_NODES = {label: f"UNWIND $rows AS row MATCH (n:{label} {{id: row.id}}) SET n += row.props"
                for label in s.NODE_LABELS}
DELETE_NODES = {label: f"UNWIND $ids AS k MATCH (n:{label} {{id: k}}) DETACH DELETE n"
                for label in s.NODE_LABELS}
# re-point a derived relationship: drop the stale one, then link to the new target
UNLINK_DERIVED = {(table, col): f"UNWIND $rows AS row "
                                f"MATCH (n:{s.LABEL_OF_TABLE[table]} {{id: row.id}})-[r:{rel}]->(t:{dst}) "
                                f"WHERE row.target IS NULL OR t.id <> row.target DELETE r"
                  for table, col, rel, dst in DERIVED}
LINK_DERIVED = {(table, col): f"UNWIND $rows AS row "
                              f"MATCH (n:{s.LABEL_OF_TABLE[table]} {{id: row.id}}) "
                              f"MATCH (t:{dst} {{id: row.target}}) "
                              f"MERGE (n)-[:{rel}]->(t) RETURN count(*) AS linked"
                for table, col, rel, dst in DERIVED}
CREATE_RELS = {table: f"UNWIND $rows AS row MATCH (a:{src} {{id: row.src}}) "
                      f"MATCH (b:{dst} {{id: row.dst}}) CREATE (a)-[r:{rel}]->(b) SET r += row.props "
                      f"RETURN count(*) AS merged"
               for table, (_, src, rel, _c, dst) in REL_ENDPOINTS.items()}
UPDATE_RELS = {table: f"UNWIND $rows AS row MATCH (a:{src} {{id: row.src}})-[r:{rel}]->(b:{dst} {{id: row.dst}}) "
                      f"SET r += row.props RETURN count(*) AS merged"
               for table, (_, src, rel, _c, dst) in REL_ENDPOINTS.items()}
DELETE_RELS = {table: f"UNWIND $rows AS row MATCH (a:{src} {{id: row.src}})-[r:{rel}]->(b:{dst} {{id: row.dst}}) "
                      f"DELETE r"
               for table, (_, src, rel, _c, dst) in REL_ENDPOINTS.items()}

# ---------------------------------------------------------------------------------------------
# the load journal (graph.store.neo4j.journal): a marker per load, which is also the write lock
# (a second CREATE of the one $lock value fails on the uniqueness constraint), and one journal
# node per committed write batch, written in that batch's own transaction.

JOURNAL_SCHEMA = {
    "lock": f"CREATE CONSTRAINT chainatlas_atlasload_lock IF NOT EXISTS FOR (n:{s.LOAD}) REQUIRE n.lock IS UNIQUE",
    "journal": f"CREATE INDEX chainatlas_atlasjournal_load IF NOT EXISTS FOR (n:{s.JOURNAL}) ON (n.load_id)",
}
LOAD_BEGIN = (f"CREATE (l:{s.LOAD} {{lock: $lock, id: $id, started: $started, beat: $started, status: $status, "
              f"pid: $pid, host: $host, source: $source, batches: $batches}}) RETURN l.id AS id")
LOAD_FIND = f"MATCH (l:{s.LOAD}) RETURN properties(l) AS props, l.started AS started ORDER BY started"
LOAD_MARK = (f"MATCH (l:{s.LOAD} {{id: $id}}) SET l.status = $status, l.beat = $beat, "
             f"l.batches = coalesce($batches, l.batches) "
             f"RETURN l.id AS id")
LOAD_END = f"MATCH (l:{s.LOAD} {{id: $id}}) DELETE l"
JOURNAL_WRITE = (f"CREATE (j:{s.JOURNAL} {{load_id: $load_id, seq: $seq, import_table: $import_table, "
                 f"created: $created, before: $before}})")
JOURNAL_SEQS = f"MATCH (j:{s.JOURNAL} {{load_id: $load_id}}) RETURN j.seq AS seq ORDER BY seq DESC"
JOURNAL_READ = (f"MATCH (j:{s.JOURNAL} {{load_id: $load_id}}) WHERE j.seq = $seq "
                f"RETURN j.import_table AS import_table, j.created AS created, j.before AS before")
JOURNAL_DROP = f"MATCH (j:{s.JOURNAL} {{load_id: $load_id}}) WHERE j.seq = $seq DELETE j"
JOURNAL_CLEAR = (f"MATCH (j:{s.JOURNAL} {{load_id: $load_id}}) WITH j LIMIT $batch DELETE j "
                 f"RETURN count(*) AS deleted")
# the provenance summary (graph.store.neo4j.summary): one node per (table, source, as_of) with its
# row counts, trusted only while the node keyed $flag exists (a load removes it until it has
# added its own counts, so a crash leaves the summary untrusted and the next read rebuilds it)
SUMMARY_SCHEMA = (f"CREATE CONSTRAINT chainatlas_atlassource_key IF NOT EXISTS "
                  f"FOR (n:{s.SOURCE_SUMMARY}) REQUIRE n.key IS UNIQUE")
SUMMARY_FLAGGED = f"MATCH (f:{s.SOURCE_SUMMARY} {{key: $flag}}) RETURN count(f) AS n"
SUMMARY_UNFLAG = f"MATCH (f:{s.SOURCE_SUMMARY} {{key: $flag}}) DELETE f RETURN count(*) AS n"
SUMMARY_FLAG = f"MERGE (f:{s.SOURCE_SUMMARY} {{key: $flag}})"
SUMMARY_RESET = f"MATCH (n:{s.SOURCE_SUMMARY}) DELETE n"
SUMMARY_ADD = (f"UNWIND $deltas AS d MERGE (n:{s.SOURCE_SUMMARY} {{key: d.key}}) "
               f"ON CREATE SET n.import_table = d.import_table, n.source = d.source, n.as_of = d.as_of, "
               f"n.rows = 0, n.illustrative_rows = 0 "
               f"SET n.rows = n.rows + d.rows, n.illustrative_rows = n.illustrative_rows + d.illustrative_rows")
SUMMARY_PRUNE = f"MATCH (n:{s.SOURCE_SUMMARY}) WHERE n.rows < 1 DELETE n"
SUMMARY_READ = (f"MATCH (n:{s.SOURCE_SUMMARY}) WHERE n.rows > 0 RETURN n.import_table AS import_table, "
                f"n.source AS source, n.as_of AS as_of, n.rows AS n_rows, n.illustrative_rows AS illustrative_rows")
# journal entries of loads whose marker is gone (a crash between the last two steps of a commit)
JOURNAL_LOADS = f"MATCH (j:{s.JOURNAL}) RETURN DISTINCT j.load_id AS load_id"

# clear() wipes the chain data only: 招商项目 (Project, ProjectEvent) survive reloads
CLEAR_BATCH = (f"MATCH (n) WHERE NOT n:{s.PROJECT} AND NOT n:{s.PROJECT_EVENT} "
               f"WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted")

# ---------------------------------------------------------------------------------------------
# reads used by plan()/apply() and table()

FETCH_NODES = {label: f"UNWIND $ids AS k MATCH (n:{label} {{id: k}}) "
                      f"RETURN n.id AS id, properties(n) AS props" for label in s.NODE_LABELS}
FETCH_RELS = {table: f"UNWIND $pairs AS k MATCH (a:{src} {{id: k.src}})-[r:{rel}]->(b:{dst} {{id: k.dst}}) "
                     f"RETURN a.id AS src, b.id AS dst, properties(r) AS props"
              for table, (_, src, rel, _c, dst) in REL_ENDPOINTS.items()}
MISSING_IDS = {label: f"UNWIND $ids AS k OPTIONAL MATCH (n:{label} {{id: k}}) "
                      f"WITH k, n WHERE n IS NULL RETURN k AS id" for label in s.NODE_LABELS}
ALL_NODES = {label: f"MATCH (n:{label}) RETURN n.id AS id, properties(n) AS props ORDER BY id"
             for label in s.NODE_LABELS}
ALL_RELS = {table: f"MATCH (a:{src})-[r:{rel}]->(b:{dst}) "
                   f"RETURN a.id AS src, b.id AS dst, properties(r) AS props ORDER BY src, dst"
            for table, (_, src, rel, _c, dst) in REL_ENDPOINTS.items()}
NODE_NAMES = {label: f"MATCH (n:{label}) RETURN n.id AS id, n.name AS name ORDER BY id"
              for label in s.NODE_LABELS}
# one statement per label / type so the planner answers from the count store
COUNT_NODES = {label: f"MATCH (n:{label}) RETURN count(n) AS total" for label in s.NODE_LABELS}
COUNT_RELS = {rel: f"MATCH ()-[r:{rel}]->() RETURN count(r) AS total" for rel in s.REL_TYPES}

_ILLUSTRATIVE = "sum(CASE WHEN {v}.illustrative THEN 1 ELSE 0 END) AS illustrative_rows"
SOURCES = {
    **{table: f"MATCH (n:{s.LABEL_OF_TABLE[table]}) RETURN n.source AS source, n.as_of AS as_of, "
              f"count(*) AS n_rows, {_ILLUSTRATIVE.format(v='n')} ORDER BY source, as_of"
       for table in s.NODE_TABLES},
    **{table: f"MATCH (:{src})-[r:{rel}]->(:{dst}) RETURN r.source AS source, r.as_of AS as_of, "
              f"count(*) AS n_rows, {_ILLUSTRATIVE.format(v='r')} ORDER BY source, as_of"
       for table, (_, src, rel, _c, dst) in REL_ENDPOINTS.items()},
}

# ---------------------------------------------------------------------------------------------
# engine reads

CHAIN_NODE = f"MATCH (c:{s.CHAIN} {{id: $chain_id}}) RETURN properties(c) AS props"
CHAIN_PRODUCTS = (
    f"MATCH (c:{s.CHAIN} {{id: $chain_id}})-[r:{s.INCLUDES}]->(p:{s.PRODUCT}) "
    f"RETURN p.id AS product_id, p.name AS name, p.aliases AS aliases, p.gbt4754 AS gbt4754, "
    f"r.stage AS stage, r.segment AS segment, r.key_link AS key_link, {_prov('r')} "
    f"ORDER BY product_id")
CHAIN_FLOWS = (
    f"MATCH (c:{s.CHAIN} {{id: $chain_id}})-[:{s.INCLUDES}]->(p:{s.PRODUCT}) "
    f"WITH collect(DISTINCT p) AS ps UNWIND ps AS a "
    f"MATCH (a)-[f:{s.FEEDS}]->(b:{s.PRODUCT}) WHERE b IN ps "
    f"RETURN a.id AS from_product, b.id AS to_product, f.cycle_ok AS cycle_ok, {_prov('f')} "
    f"ORDER BY from_product, to_product")
CHAIN_ROLES = (
    f"MATCH (c:{s.CHAIN} {{id: $chain_id}})<-[r:{s.ROLE_IN}]-(e:{s.ENTERPRISE}) "
    f"RETURN e.id AS enterprise_id, e.name AS name, r.role AS role, r.evidence AS evidence, "
    f"e.region AS region, e.park AS park, e.scale AS scale, e.tags AS tags, {_prov('r')} "
    f"ORDER BY enterprise_id")
CHAIN_PARKS = (
    f"MATCH (c:{s.CHAIN} {{id: $chain_id}})<-[r:{s.CARRIES}]-(k:{s.PARK}) "
    f"RETURN k.id AS park_id, k.name AS name, k.kind AS kind, k.region AS region, "
    f"k.counted_for AS counted_for, {_prov('r')} ORDER BY park_id")

# Driven by the product ids (unique-index seek), then one expand over MAKES. The scope is
# applied with parameters only: $scoped false = side "all"; else keep rows whose locality
# equals $want_local. null-safe: unknown region / no park never counts as local.
MAKERS = (
    f"UNWIND $product_ids AS pid "
    f"MATCH (p:{s.PRODUCT} {{id: pid}})<-[m:{s.MAKES}]-(e:{s.ENTERPRISE}) "
    f"WITH p, m, e, (coalesce(e.park IN $include_parks, false) "
    f"OR (coalesce(e.region IN $region_codes, false) "
    f"AND NOT coalesce(e.park IN $exclude_parks, false))) AS is_local "
    f"WHERE NOT $scoped OR is_local = $want_local "
    f"RETURN e.id AS enterprise_id, p.id AS product_id, m.revenue_share AS revenue_share, "
    f"e.name AS name, e.region AS region, e.park AS park, e.scale AS scale, e.revenue AS revenue, "
    f"e.employees AS employees, e.listed AS listed, e.tags AS tags, {_prov('m')} "
    f"ORDER BY product_id, enterprise_id")
# counted with sum(CASE …) rather than count(m): no null reaches the aggregation, so the server has
# no "null value eliminated in set function" notification to send
MAKER_COUNTS = (
    f"UNWIND $product_ids AS pid "
    f"OPTIONAL MATCH (:{s.PRODUCT} {{id: pid}})<-[m:{s.MAKES}]-(:{s.ENTERPRISE}) "
    f"RETURN pid AS product_id, sum(CASE WHEN m IS NULL THEN 0 ELSE 1 END) AS makers")
PRODUCTS = (f"UNWIND $ids AS k MATCH (p:{s.PRODUCT} {{id: k}}) "
            f"RETURN p.id AS id, properties(p) AS props")
# by id and by name: unique / range index seeks; by alias: a scan of products (no list index in 5.3)
_FOUND = "RETURN p.id AS product_id, p.name AS name, p.aliases AS aliases"
FIND_PRODUCTS = (
    f"UNWIND $texts AS t MATCH (p:{s.PRODUCT} {{id: t}}) {_FOUND} "
    f"UNION UNWIND $texts AS t MATCH (p:{s.PRODUCT} {{name: t}}) {_FOUND} "
    f"UNION MATCH (p:{s.PRODUCT}) WHERE any(a IN coalesce(p.aliases, []) WHERE a IN $texts) {_FOUND}")
_FLOW_COLS = f"RETURN a.id AS from_product, b.id AS to_product, f.cycle_ok AS cycle_ok, {_prov('f')}"
PRODUCT_FLOWS_OF = (
    f"UNWIND $ids AS k MATCH (a:{s.PRODUCT} {{id: k}})-[f:{s.FEEDS}]->(b:{s.PRODUCT}) {_FLOW_COLS} "
    f"UNION "
    f"UNWIND $ids AS k MATCH (a:{s.PRODUCT})-[f:{s.FEEDS}]->(b:{s.PRODUCT} {{id: k}}) {_FLOW_COLS}")
# no OPTIONAL MATCH: products without flows are simply absent (0 added by the store), so no null
# reaches count()
FLOW_DEGREES = (f"UNWIND $ids AS k MATCH (p:{s.PRODUCT} {{id: k}})-[:{s.FEEDS}]-(o:{s.PRODUCT}) WHERE o <> p "
                f"RETURN k AS product_id, count(DISTINCT o) AS degree")
ENTERPRISES = (f"UNWIND $ids AS k MATCH (e:{s.ENTERPRISE} {{id: k}}) "
               f"RETURN e.id AS id, properties(e) AS props")
_SUPPLY_COLS = f"RETURN a.id AS supplier, b.id AS customer, r.product AS product, {_prov('r')}"
SUPPLIES = (
    f"UNWIND $ids AS k MATCH (a:{s.ENTERPRISE} {{id: k}})-[r:{s.SUPPLIES}]->(b:{s.ENTERPRISE}) "
    f"{_SUPPLY_COLS} "
    f"UNION "
    f"UNWIND $ids AS k MATCH (a:{s.ENTERPRISE})-[r:{s.SUPPLIES}]->(b:{s.ENTERPRISE} {{id: k}}) "
    f"{_SUPPLY_COLS}")
ENTERPRISE_PRODUCTS = (
    f"UNWIND $ids AS k MATCH (e:{s.ENTERPRISE} {{id: k}})-[r:{s.MAKES}]->(p:{s.PRODUCT}) "
    f"RETURN e.id AS enterprise_id, p.id AS product_id, p.name AS product, "
    f"r.revenue_share AS revenue_share, {_prov('r')} ORDER BY enterprise_id, product_id")

# search: one branch per label, each ranked and cut to $max_rows before its detail lookup.
# The id, alias, stock code and USCC match exactly; names match as substrings.
_T = "toLower($q)"
_SEARCH = {  # label -> (extra match, extra exact match, detail lookup, detail expression)
    s.CHAIN: ("", "", f"OPTIONAL MATCH (d:{s.REGION} {{id: n.province}})", "coalesce(d.name, n.lead_unit)"),
    s.PRODUCT: (f" OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) CONTAINS {_T})",
                f" OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) = {_T})", "", "n.aliases"),
    s.ENTERPRISE: (f" OR toLower(n.stock_code) CONTAINS {_T} OR toLower(n.uscc) CONTAINS {_T}",
                   f" OR toLower(n.stock_code) = {_T} OR toLower(n.uscc) = {_T}",
                   f"OPTIONAL MATCH (n)-[:{s.LOCATED_IN}]->(d:{s.REGION}) "
                   f"OPTIONAL MATCH (n)-[:{s.IN_PARK}]->(k:{s.PARK})", "coalesce(d.name, k.name)"),
    s.PARK: ("", "", f"OPTIONAL MATCH (n)-[:{s.PARK_IN}]->(d:{s.REGION})", "d.name"),
    s.REGION: ("", "", f"OPTIONAL MATCH (n)-[:{s.PART_OF}]->(d:{s.REGION})", "d.name"),
}
SEARCH = " UNION ALL ".join(
    f"MATCH (n:{label}) WHERE toLower(n.name) CONTAINS {_T} OR toLower(n.id) = {_T}{extra} "
    f"WITH n, coalesce(toLower(n.name) = {_T} OR toLower(n.id) = {_T}{exact}, false) AS is_exact "
    f"ORDER BY is_exact DESC, size(n.name), n.name LIMIT $max_rows "
    f"{detail_match} "
    f"RETURN labels(n)[0] AS node_label, n.id AS id, n.name AS name, is_exact, "
    f"{detail} AS detail, n.kind AS kind"
    for label, (extra, exact, detail_match, detail) in _SEARCH.items())

# one hop, one statement per (label, relationship type, direction), in this order, so that
# thousands of makers cannot crowd out the chain or the region: (type, outgoing?, other label)
HOPS: dict[str, tuple[tuple[str, bool, str], ...]] = {
    s.ENTERPRISE: ((s.LOCATED_IN, True, s.REGION), (s.IN_PARK, True, s.PARK), (s.ROLE_IN, True, s.CHAIN),
                   (s.MAKES, True, s.PRODUCT), (s.SUPPLIES, True, s.ENTERPRISE),
                   (s.SUPPLIES, False, s.ENTERPRISE)),
    s.PRODUCT: ((s.INCLUDES, False, s.CHAIN), (s.FEEDS, False, s.PRODUCT), (s.FEEDS, True, s.PRODUCT),
                (s.SUBCLASS_OF, True, s.PRODUCT), (s.SUBCLASS_OF, False, s.PRODUCT),
                (s.MAKES, False, s.ENTERPRISE)),
    s.PARK: ((s.PARK_IN, True, s.REGION), (s.COUNTED_FOR, True, s.REGION), (s.CARRIES, True, s.CHAIN),
             (s.IN_PARK, False, s.ENTERPRISE)),
    s.CHAIN: ((s.INCLUDES, True, s.PRODUCT), (s.ROLE_IN, False, s.ENTERPRISE), (s.CARRIES, False, s.PARK)),
    s.REGION: ((s.PART_OF, True, s.REGION), (s.PART_OF, False, s.REGION), (s.PARK_IN, False, s.PARK),
               (s.COUNTED_FOR, False, s.PARK), (s.LOCATED_IN, False, s.ENTERPRISE)),
}
assert set(HOPS) == set(s.NODE_LABELS)
CENTRE = {label: f"MATCH (c:{label} {{id: $id}}) RETURN c.name AS name" for label in s.NODE_LABELS}
HOP = {(label, rel, out): f"MATCH (c:{label} {{id: $id}}){'-' if out else '<-'}[:{rel}]{'->' if out else '-'}"
                          f"(m:{other}) RETURN m.id AS id, m.name AS name ORDER BY id LIMIT $max_rows"
       for label, hops in HOPS.items() for rel, out, other in hops}

# ---------------------------------------------------------------------------------------------
# 招商项目 (recruitment projects, #16): a (:Project) node per project with its columns as
# properties (ids of products/chains/enterprise as plain properties, so reloads and clear() of the
# chain data never touch them) and one (:ProjectEvent) per stage change, linked by HAS_EVENT.
# A ProjectEvent's id is "<project_id>#<seq>": its uniqueness constraint refuses a second writer.

PROJECT_CONSTRAINTS = {label: f"CREATE CONSTRAINT chainatlas_{label.lower()}_id IF NOT EXISTS "
                              f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" for label in s.PROJECT_LABELS}
SAVE_PROJECTS = f"UNWIND $rows AS row MERGE (p:{s.PROJECT} {{id: row.id}}) SET p = row.props"
ADD_PROJECT_EVENTS = (f"UNWIND $rows AS row MATCH (p:{s.PROJECT} {{id: row.project_id}}) "
                      f"CREATE (p)-[:{s.HAS_EVENT}]->(e:{s.PROJECT_EVENT}) SET e = row.props "
                      f"RETURN count(e) AS created")
ALL_PROJECTS = f"MATCH (p:{s.PROJECT}) RETURN p.id AS id, properties(p) AS props ORDER BY id"
PROJECT_EVENTS = (f"MATCH (p:{s.PROJECT})-[:{s.HAS_EVENT}]->(e:{s.PROJECT_EVENT}) "
                  f"WHERE $all_projects OR p.id IN $ids "
                  f"RETURN e.project_id AS project_id, e.seq AS seq, properties(e) AS props "
                  f"ORDER BY project_id, seq")
CLEAR_PROJECTS = (f"MATCH (n) WHERE n:{s.PROJECT} OR n:{s.PROJECT_EVENT} "
                  f"WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted")


def statements() -> list[str]:
    """Every statement in this module (for the static checks in tests/graph/store/test_cypher.py)."""
    out: list[str] = []
    for name, value in globals().items():
        if not name.isupper():
            continue
        if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
            out.extend(value.values())
        elif isinstance(value, str) and value.lstrip().upper().startswith(
                ("MATCH", "UNWIND", "CREATE", "OPTIONAL", "MERGE")):
            out.append(value)
    return out
