"""Static checks of every Cypher statement in graph.store.neo4j.cypher, and the Neo4j store's pure helpers.

Runs without a server. The statements must use only schema labels/types, only $parameters for
values, and no syntax newer than Neo4j 5.3.
"""
from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from graph import schema

from graph.store.neo4j import cypher
from graph.store.neo4j import rows
from graph.errors import InputProblem

STATEMENTS = cypher.statements()
IDS = [s[:70] for s in STATEMENTS]

# Syntax introduced after Neo4j 5.3 (or never allowed in an explicit transaction).
FORBIDDEN = {
    "scoped CALL subquery (5.23)": r"\bCALL\s*\(",
    "COLLECT subquery (5.6)": r"\bCOLLECT\s*\{",
    "dynamic label/type (5.26)": r"\$\s*\(|\$any\s*\(|\$all\s*\(",
    "FINISH (5.19)": r"\bFINISH\b",
    "LET (2025.06)": r"\bLET\b",
    "FILTER clause (2025.06)": r"\bFILTER\b",
    "NEXT (2025.06)": r"\bNEXT\b",
    "SHORTEST keyword (5.21)": r"\bSHORTEST\b",
    "quantified path / quantifier (5.9)": r"[)\]>-]\s*\{\s*\d*\s*,?\s*\d*\s*\}|[)\]]\s*[+*]\s*[(\-<]|->\s*[+*]|-\s*[+*]\s*\(",
    "type predicate (5.9)": r"::|\bIS\s+(NOT\s+)?TYPED\b",
    "CALL IN TRANSACTIONS": r"\bIN\s+TRANSACTIONS\b",
    "conditional query WHEN (2025.06)": r"\bWHEN\b",   # checked after CASE … END is removed
}
CLAUSES = r"\b(OPTIONAL\s+MATCH|MATCH|UNWIND|MERGE|CREATE|SET|DELETE|REMOVE|RETURN|WITH|UNION|WHERE|CALL|FOREACH|ORDER\s+BY|SKIP|LIMIT)\b"
RESERVED = {"ALL", "ASC", "ASCENDING", "BY", "CREATE", "DELETE", "DESC", "DESCENDING", "DETACH", "EXISTS",
            "LIMIT", "MATCH", "MERGE", "ON", "OPTIONAL", "ORDER", "REMOVE", "RETURN", "SET", "SKIP", "WHERE",
            "WITH", "UNION", "UNWIND", "AND", "AS", "CONTAINS", "DISTINCT", "ENDS", "IN", "IS", "NOT", "OR",
            "STARTS", "XOR", "CASE", "ELSE", "END", "THEN", "WHEN", "CONSTRAINT", "DROP", "INDEX", "NODE",
            "KEY", "UNIQUE", "FALSE", "NULL", "TRUE", "ADD", "DO", "FOR", "MANDATORY", "OF", "REQUIRE",
            "SCALAR", "CALL", "YIELD", "FOREACH", "LOAD", "CSV", "USING", "JOIN", "SCAN", "START"}


def _strip_nested(text: str) -> str:
    """Remove (...), [...] and {...} contents (calls, comprehensions, maps), innermost first."""
    prev = None
    while prev != text:
        prev, text = text, re.sub(r"\([^()\[\]{}]*\)|\[[^()\[\]{}]*\]|\{[^()\[\]{}]*\}", " ", text)
    return text


def violations(statement: str) -> list[str]:
    """Names of the forbidden constructs found in one statement."""
    no_case = re.sub(r"\bCASE\b.*?\bEND\b", " ", statement, flags=re.S | re.I)
    found = [name for name, rx in FORBIDDEN.items() if re.search(rx, no_case, re.I)]
    # ORDER BY / SKIP / LIMIT only as part of a RETURN or WITH
    last = None
    for m in re.finditer(CLAUSES, _strip_nested(statement), re.I):
        word = re.sub(r"\s+", " ", m.group(1).upper())
        if word in ("ORDER BY", "SKIP", "LIMIT"):
            if last not in ("RETURN", "WITH"):
                found.append(f"standalone {word}")
        else:
            last = word
    return found


def test_there_are_statements_for_every_label_type_and_table():
    assert len(STATEMENTS) > 100
    assert set(cypher.CONSTRAINTS) == set(schema.NODE_LABELS)
    assert set(cypher.COUNT_RELS) == set(schema.REL_TYPES)
    assert set(cypher.CREATE_RELS) == set(cypher.UPDATE_RELS) == set(cypher.SOURCES) - set(schema.NODE_TABLES) == set(schema.REL_TABLES)
    assert {k[:2] for k in cypher.UNLINK_DERIVED} == {(t, c) for t, c, _, _ in cypher.DERIVED}


@pytest.mark.parametrize("statement", STATEMENTS, ids=IDS)
def test_only_schema_labels_and_types(statement):
    labels = set(schema.NODE_LABELS) | set(schema.PROJECT_LABELS) | set(schema.SYSTEM_LABELS)
    types = set(schema.REL_TYPES) | set(schema.PROJECT_REL_TYPES)
    tokens = re.findall(r"(?<=[\w(\[]):(\w+)", statement)
    assert set(tokens) <= labels | types, statement
    assert set(re.findall(r"\(\s*\w*\s*:(\w+)", statement)) <= labels, statement
    assert set(re.findall(r"\[\s*\w*\s*:(\w+)", statement)) <= types, statement
    assert "`" not in statement  # nothing needs quoting, so nothing can sneak in quoted


@pytest.mark.parametrize("statement", STATEMENTS, ids=IDS)
def test_no_syntax_newer_than_neo4j_5_3(statement):
    assert violations(statement) == [], statement


@pytest.mark.parametrize("statement", STATEMENTS, ids=IDS)
def test_values_only_as_parameters(statement):
    assert "'" not in statement and '"' not in statement, statement   # no string literals
    assert set(re.findall(r"(?<![\w$.])\d+(?:\.\d+)?\b", statement)) <= {"0", "1"}, statement
    params = set(re.findall(r"\$(\w+)", statement))
    assert not {p.upper() for p in params} & RESERVED, statement


def test_the_checker_catches_forbidden_constructs():
    bad = {
        "MATCH (n) CALL (n) { RETURN 1 AS x } RETURN x": "scoped CALL",
        "MATCH (n) RETURN COLLECT { MATCH (n)-->(m) RETURN m } AS ms": "COLLECT",
        "MATCH (n:$($label)) RETURN n": "dynamic",
        "MATCH (n) SET n.x = 1 FINISH": "FINISH",
        "LET x = 1 RETURN x": "LET",
        "MATCH (n) FILTER n.x > 1 RETURN n": "FILTER",
        "MATCH ((a)-->(b)){1,3} RETURN a": "quantified",
        "MATCH (a)-[:R]->{2}(b) RETURN a": "quantified",
        "MATCH (a)-[:R]->+(b) RETURN a": "quantified",
        "MATCH p = SHORTEST 1 (a)-->+(b) RETURN p": "SHORTEST",
        "MATCH (n) WHERE n.x IS :: INTEGER RETURN n": "type predicate",
        "MATCH (n) ORDER BY n.x LIMIT 1 RETURN n": "standalone ORDER BY",
        "WHEN true THEN RETURN 1 AS x": "WHEN",
        "CALL { MATCH (n) DELETE n } IN TRANSACTIONS": "IN TRANSACTIONS",
    }
    for statement, what in bad.items():
        assert violations(statement), (what, statement)
    ok = ["MATCH (n) WITH n ORDER BY n.x LIMIT $k RETURN n",
          "MATCH (n) RETURN sum(CASE WHEN n.x THEN 1 ELSE 0 END) AS s",
          "MATCH (n) RETURN [x IN n.xs WHERE x > 0 | x] AS xs ORDER BY xs LIMIT $k",
          "MATCH (a)-[*1..3]->(b) RETURN count(*) + 1 AS n"]
    for statement in ok:
        assert violations(statement) == [], statement


def test_statements_parse_as_neo4j_cypher():
    """Every statement parses as Neo4j Cypher (graphglot, a test extra): a syntax check without a server."""
    dialect = pytest.importorskip("graphglot.dialect").Dialect.get_or_raise("neo4j")
    bad = [s for s in STATEMENTS if not dialect.validate(s).success]
    assert bad == []


def test_makers_is_driven_by_product_ids_and_scope_parameters():
    m = cypher.MAKERS
    assert m.startswith(f"UNWIND $product_ids AS pid MATCH (p:{schema.PRODUCT} {{id: pid}})<-[m:{schema.MAKES}]-")
    for param in ("region_codes", "include_parks", "exclude_parks", "settled_regions", "settling_parks", "scoped",
                  "want_local", "want_unknown"):
        assert f"${param}" in m
    assert "coalesce(e.park IN $include_parks, false)" in m   # unknown park/region is never local
    assert "NOT coalesce(e.region IN $settled_regions, false)" in m   # no region: never settled


def test_hops_cover_both_ends_of_every_relationship_type():
    ends = {(rel, src, dst) for _, src, rel, _, dst in cypher.REL_ENDPOINTS.values()}
    ends |= {(rel, schema.LABEL_OF_TABLE[t], dst) for t, _, rel, dst in cypher.DERIVED}
    assert {rel for rel, _, _ in ends} == set(schema.REL_TYPES)
    for rel, src, dst in ends:
        assert (rel, True, dst) in cypher.HOPS[src] and (rel, False, src) in cypher.HOPS[dst]
        assert (src, rel, True) in cypher.HOP and (dst, rel, False) in cypher.HOP


def test_schema_statements_are_idempotent_and_named():
    for label, statement in cypher.CONSTRAINTS.items():
        assert statement == (f"CREATE CONSTRAINT chainatlas_{label.lower()}_id IF NOT EXISTS "
                             f"FOR (n:{label}) REQUIRE n.id IS UNIQUE")
    for (label, prop), statement in cypher.INDEXES.items():
        assert f"IF NOT EXISTS FOR (n:{label}) ON (n.{prop})" in statement
    assert (schema.ENTERPRISE, "region") in cypher.INDEXES and (schema.ENTERPRISE, "park") in cypher.INDEXES


# --- pure helpers --------------------------------------------------------------------------
def test_to_value_and_from_value():
    assert rows.to_value("list", ["a", None, 3]) == ["a", "3"]
    assert rows.to_value("list", []) is None and rows.to_value("list", None) is None
    assert rows.to_value("list", "x") == ["x"]
    assert rows.to_value("float", float("nan")) is None and rows.to_value("float", pd.NA) is None
    assert rows.to_value("int", 2022.0) == 2022 and type(rows.to_value("int", 2022.0)) is int
    assert type(rows.to_value("float", 3)) is float and rows.to_value("share", "0.5") == 0.5
    import numpy as np
    assert type(rows.to_value("bool", np.bool_(True))) is bool and type(rows.to_value("int", np.int64(4))) is int
    assert rows.to_value("code6", 140800) == "140800" and rows.to_value("str", None) is None
    assert rows.from_value("list", None) == [] and rows.from_value("list", ["a"]) == ["a"]
    assert rows.from_value("int", 3) == 3 and rows.from_value("str", None) is None


def _batch_frame(table, recs):
    cols = schema.TABLES[table].column_names
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in recs], columns=cols, dtype=object)


def test_batch_rows_node_and_relationship_tables():
    ent = _batch_frame("enterprises", [
        {"enterprise_id": "E1", "name": "甲", "tags": [], "revenue": float("nan"), "employees": 5},
        {"enterprise_id": None, "name": "no key"},
        {"enterprise_id": "E1", "name": "甲2", "tags": ["规上"]}])
    got = rows.batch_rows("enterprises", ent)
    assert list(got) == ["E1"] and got["E1"]["name"] == "甲2" and got["E1"]["tags"] == ["规上"]
    assert "enterprise_id" not in got["E1"] and set(got["E1"]) == set(schema.TABLES["enterprises"].column_names) - {"enterprise_id"}
    roles = rows.batch_rows("chain_roles", _batch_frame("chain_roles", [{"chain": "C", "enterprise": "E", "role": "链主"}]))
    assert list(roles) == [("E", "C")]   # (source, target) of (Enterprise)-[:ROLE_IN]->(Chain)
    assert rows.batch_rows("supplies", None) == {} and rows.batch_rows("supplies", _batch_frame("supplies", [])) == {}


def test_diff_counts_and_examples():
    new = {"E1": {"employees": 9000, "tags": ["规上"], "revenue": 1.0},
           "E2": {"employees": 1, "tags": None, "revenue": None},
           "E3": {"employees": None, "tags": None, "revenue": 2.0}}
    old = {"E1": {"id": "E1", "employees": 8000, "tags": ["规上", "高新技术"], "revenue": 1},
           "E2": {"id": "E2", "employees": 1}}
    change = rows.diff("enterprises", new, old)
    assert (change.added, change.changed, change.unchanged) == (1, 1, 1)
    assert change.examples == [{"key": "E1", "fields": {"employees": [8000, 9000],
                                                        "tags": [["规上", "高新技术"], ["规上"]]}}]
    many = {f"E{i}": {"name": "x"} for i in range(10)}
    assert len(rows.diff("enterprises", many, {k: {"name": "y"} for k in many}).examples) == rows.EXAMPLES


def test_key_text_follows_table_key_order():
    assert rows.key_text("chain_roles", ("E1", "SX-NEV")) == "SX-NEV|E1"
    assert rows.key_text("supplies", ("E2", "E1")) == "E2|E1" and rows.key_text("chains", "C1") == "C1"


def test_references_not_defined_by_the_batch():
    tables = {"regions": {"140000": {"parent": None}, "140800": {"parent": "140000"}},
              "chains": {"C1": {"province": "990000"}},
              "enterprises": {"E1": {"region": "140800", "park": "PK-X"}},
              "enterprise_products": {("E1", "P1"): {}, ("E9", "P1"): {}},
              "supplies": {("E1", "E9"): {"product": "P2"}}}
    refs = rows.references(tables)
    assert refs == {("chains", "province"): {"990000"}, ("enterprises", "park"): {"PK-X"},
                    ("enterprise_products", "enterprise"): {"E9"}, ("enterprise_products", "product"): {"P1"},
                    ("supplies", "customer"): {"E9"}, ("supplies", "product"): {"P2"}}
    (p,) = rows.ref_problems({("enterprise_products", "product"): ["P-MISSING"]}, "x.xlsx")
    assert isinstance(p, InputProblem) and (p.file, p.sheet, p.column, p.value) == (
        "x.xlsx", "enterprise_products", "product", "P-MISSING")


def test_stored_record_frame_and_ids():
    rec = rows.stored_record("chain_roles", ("E1", "C1"), {"role": "链主", "source": "s"})
    assert rec == {"chain": "C1", "enterprise": "E1", "role": "链主", "evidence": None, "source": "s",
                   "as_of": None, "illustrative": None}
    ent = rows.stored_record("enterprises", "E1", {"id": "E1", "name": "甲", "employees": 3})
    assert ent["enterprise_id"] == "E1" and ent["tags"] == [] and ent["employees"] == 3
    df = rows.frame([{"a": None, "b": "x", "n": 2}, {"a": 1.5, "b": None, "n": 3}], ["a", "b", "n"], ["a"], ["n"])
    assert str(df["a"].dtype) == "float64" and math.isnan(df["a"][0]) and df["b"][1] is None
    assert df["b"].dtype == object and str(df["n"].dtype) == "int64"
    assert list(rows.frame([], ["x", "y"]).columns) == ["x", "y"]
    assert rows.ids(["b", "a", "b", None, 3]) == ["b", "a", "3"] and rows.ids(None) == []
    assert list(rows.chunks([1, 2, 3], 2)) == [(0, [1, 2]), (2, [3])]


def test_project_statements_keep_the_chain_data_apart():
    """#16: clear() of the chain data spares the projects; project statements use parameters."""
    assert f"NOT n:{schema.PROJECT} AND NOT n:{schema.PROJECT_EVENT}" in cypher.CLEAR_BATCH
    assert set(cypher.PROJECT_CONSTRAINTS) == set(schema.PROJECT_LABELS)
    assert "$rows" in cypher.SAVE_PROJECTS and "$rows" in cypher.ADD_PROJECT_EVENTS
    assert "$ids" in cypher.PROJECT_EVENTS and "$all_projects" in cypher.PROJECT_EVENTS
    assert cypher.CLEAR_PROJECTS in STATEMENTS and cypher.ALL_PROJECTS in STATEMENTS
