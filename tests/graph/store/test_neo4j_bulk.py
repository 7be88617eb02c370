"""The offline bulk path (graph.store.neo4j.bulk, ``chainatlas neo4j-import-files``).

Always: the files' shape — headers with an ID space per label, :LABEL/:TYPE, typed and array
columns, every relationship's ends among the nodes, RFC 4180 escaping of Chinese names with quotes,
commas and newlines, the printed command. With neo4j-admin (NEO4J_ADMIN, marker ``neo4j_admin``):
the files import and the database answers the contract queries like the embedded store.
"""
from __future__ import annotations

import csv
import math
import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph import schema
from graph.errors import ChainAtlasError
from graph.store.neo4j import bulk
from graph.store.neo4j import cypher as q

ROOT = Path(__file__).resolve().parents[3]
TRICKY = '晋"能"控股，集团,有限公司\n（太原）'


def read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def tricky_batch(make_batch):
    return make_batch(
        regions=[{"code": "140000", "name": "山西省", "level": "province"},
                 {"code": "140100", "name": "太原市", "level": "city", "parent": "140000"}],
        chains=[{"chain_id": "C1", "name": "新能源汽车", "province": "140000"}],
        products=[{"product_id": "P1", "name": "动力电池", "aliases": ["锂电池", "动力锂电池"]},
                  {"product_id": "P2", "name": "正极材料"}],
        parks=[{"park_id": "K1", "name": "综改区", "kind": "综改区", "region": "140100"}],
        enterprises=[{"enterprise_id": "E1", "name": TRICKY, "region": "140100", "park": "K1",
                      "revenue": 1.5, "employees": 12, "listed": True, "tags": ["规上", "专精特新"]},
                     {"enterprise_id": "E2", "name": "乙", "region": None}],
        chain_products=[{"chain": "C1", "product": "P1", "stage": "midstream", "key_link": True}],
        product_flows=[{"from_product": "P2", "to_product": "P1"}],
        enterprise_products=[{"enterprise": "E1", "product": "P1", "revenue_share": 0.25}],
        chain_roles=[{"chain": "C1", "enterprise": "E1", "role": "链主", "evidence": 'a,"b"'}],
        supplies=[{"supplier": "E2", "customer": "E1", "product": "P2"}])


def test_files_have_id_spaces_types_and_every_relationship_end_exists(make_batch, tmp_path):
    result = bulk.write_import_files(tricky_batch(make_batch), tmp_path, database="atlas")
    ids = {}
    for head, data in result["nodes"]:
        (h,) = read(Path(head))
        label = h[0][len("id:ID("):-1]
        assert h[0] == f"id:ID({label})" and h[-1] == ":LABEL" and label in schema.NODE_LABELS
        body = read(Path(data))
        assert all(len(r) == len(h) and r[-1] == label for r in body)
        ids[label] = {r[0] for r in body}
    assert ids == {"Region": {"140000", "140100"}, "Chain": {"C1"}, "Product": {"P1", "P2"}, "Park": {"K1"},
                   "Enterprise": {"E1", "E2"}}
    types = set()
    for head, data in result["relationships"]:
        (h,) = read(Path(head))
        src, dst = h[0][len(":START_ID("):-1], h[1][len(":END_ID("):-1]
        assert h[0].startswith(":START_ID(") and h[1].startswith(":END_ID(") and h[-1] == ":TYPE"
        for r in read(Path(data)):
            assert r[0] in ids[src] and r[1] in ids[dst], (head, r)
            assert r[-1] in schema.REL_TYPES
            types.add(r[-1])
    assert types == {"PART_OF", "PARK_IN", "LOCATED_IN", "IN_PARK", "INCLUDES", "FEEDS", "MAKES", "ROLE_IN", "SUPPLIES"}
    assert result["files"]["enterprises.region.located_in.csv"] == 1   # unknown region: no relationship


def test_chinese_names_with_quotes_commas_newlines_and_arrays_round_trip(make_batch, tmp_path):
    bulk.write_import_files(tricky_batch(make_batch), tmp_path)
    (h,) = read(tmp_path / "enterprises.header.csv")
    rows = {r[0]: dict(zip(h, r)) for r in read(tmp_path / "enterprises.csv")}
    assert rows["E1"]["name"] == TRICKY and rows["E1"]["tags:string[]"] == "规上;专精特新"
    assert rows["E1"]["revenue:double"] == "1.5" and rows["E1"]["employees:long"] == "12"
    assert rows["E1"]["listed:boolean"] == "true" and rows["E2"]["region"] == "" and rows["E2"]["tags:string[]"] == ""
    raw = (tmp_path / "enterprises.csv").read_bytes().decode("utf-8")
    assert '"晋""能""控股，集团,有限公司\n（太原）"' in raw and not raw.startswith("\ufeff")
    (rh,) = read(tmp_path / "chain_roles.header.csv")
    (role,) = read(tmp_path / "chain_roles.csv")
    assert dict(zip(rh, role))["evidence"] == 'a,"b"' and dict(zip(rh, role))[":TYPE"] == "ROLE_IN"
    (ph,) = read(tmp_path / "products.header.csv")
    assert "aliases:string[]" in ph
    assert {r[0]: dict(zip(ph, r))["aliases:string[]"] for r in read(tmp_path / "products.csv")} == \
        {"P1": "锂电池;动力锂电池", "P2": ""}


def test_a_list_item_holding_the_array_delimiter_is_refused(make_batch, tmp_path):
    batch = make_batch(products=[{"product_id": "P1", "name": "甲", "aliases": ["a;b"]}])
    with pytest.raises(ChainAtlasError, match="products P1 aliases"):
        bulk.write_import_files(batch, tmp_path)


def test_the_command_names_every_file_and_the_database_first(make_batch, tmp_path):
    result = bulk.write_import_files(tricky_batch(make_batch), tmp_path / "out dir", database="atlas",
                                     admin="/opt/neo4j/bin/neo4j-admin")
    args = shlex.split(result["command"])
    assert args[:5] == ["/opt/neo4j/bin/neo4j-admin", "database", "import", "full", "atlas"]
    assert "--array-delimiter=;" in args and "--multiline-fields=true" in args and "--id-type=string" in args
    named = [a.split("=", 1)[1].split(",") for a in args if a.startswith(("--nodes=", "--relationships="))]
    assert len(named) == len(result["nodes"]) + len(result["relationships"])
    assert all(Path(h).exists() and Path(d).exists() and h.endswith(".header.csv") for h, d in named)
    # empty tables (product_subclasses, park_chains, counted_for) are written but not imported
    assert result["files"]["product_subclasses.csv"] == 0 and not any("product_subclasses" in a for a in args)


def test_cli_writes_the_seed_and_prints_the_command(tmp_path):
    from cli.main import main
    res = CliRunner().invoke(main, ["neo4j-import-files", str(ROOT / "seeds" / "shanxi"), str(tmp_path / "imp")])
    assert res.exit_code == 0, res.output
    assert "neo4j-admin database import full neo4j" in res.output and "enterprises.csv" in res.output
    assert (tmp_path / "imp" / "enterprises.header.csv").exists()


# --- with neo4j-admin and a server ------------------------------------------------------------------
def _run(command: str) -> None:
    subprocess.run(command, shell=True, check=True, timeout=600)


@pytest.mark.neo4j_admin
@pytest.mark.skipif(not (os.environ.get("NEO4J_ADMIN") and os.environ.get("NEO4J_URI")),
                    reason="needs NEO4J_ADMIN (the neo4j-admin executable) and NEO4J_URI of the server whose "
                           "database it imports into; NEO4J_ADMIN_STOP / NEO4J_ADMIN_START (shell commands) "
                           "stop and start that server around the import")
def test_bulk_files_import_and_answer_the_contract_queries(tmp_path):
    from graph.store.embedded.store import EmbeddedStore
    from graph.store.neo4j.store import Neo4jStore, close_drivers
    from loaders.workbook import check_path
    from tests.graph.store.test_neo4j_store import server_settings

    batch = check_path(ROOT / "seeds" / "shanxi")
    database = os.environ.get("NEO4J_DATABASE", "neo4j")
    result = bulk.write_import_files(batch, tmp_path / "import", database=database, admin=os.environ["NEO4J_ADMIN"])
    close_drivers()
    if os.environ.get("NEO4J_ADMIN_STOP"):
        _run(os.environ["NEO4J_ADMIN_STOP"])
    subprocess.run(shlex.split(result["command"]), check=True, timeout=600)
    if os.environ.get("NEO4J_ADMIN_START"):
        _run(os.environ["NEO4J_ADMIN_START"])
    deadline, store = time.monotonic() + 120, None
    while store is None:
        try:
            store = Neo4jStore.connect(server_settings())
        except ChainAtlasError:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)
    embedded = EmbeddedStore(str(tmp_path / "embedded"))
    embedded.apply(batch)

    def norm(df):
        return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
                for r in df.to_dict("records")]
    assert store.counts() == embedded.counts()
    for table in schema.LOAD_ORDER:
        assert norm(store.table(table)) == norm(embedded.table(table)), table
    chain = embedded.table("chains")["chain_id"].iloc[0]
    view, expected = store.chain_view(chain), embedded.chain_view(chain)
    assert norm(view.products) == norm(expected.products) and norm(view.roles) == norm(expected.roles)
    products = list(expected.products["product_id"])
    assert norm(store.makers(products)) == norm(embedded.makers(products))
    assert store.pending_loads() == [] and all(q.CONSTRAINTS)
    embedded.close()
