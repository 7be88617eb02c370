"""The synthetic national data generator: determinism, referential integrity, realism bounds,
and that what it writes is a valid import folder."""
from __future__ import annotations

import hashlib

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from graph import schema
from loaders import synth

# A stand-in for the regions reference, in the shapes the generator must cope with: 12-digit
# codes, Chinese level names, 直辖市 with a 市辖区 pseudo-city, an autonomous prefecture.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
MUNICIPALITIES = ("11", "12", "31", "50")


def stand_in_regions() -> pd.DataFrame:
    rows = [{"code": "710000", "name": "台湾省", "level": "省", "parent": ""}]   # not among the 31: ignored
    for p, name in PROVINCES.items():
        rows.append({"code": f"{p}0000000000", "name": name, "level": "省", "parent": ""})
        if p in MUNICIPALITIES:
            rows.append({"code": f"{p}0100000000", "name": "市辖区", "level": "市", "parent": f"{p}0000"})
            continue
        for k, city in enumerate(("甲市", "乙市", "丙族自治州"), start=1):
            rows.append({"code": f"{p}{k:02d}00000000", "name": name[:2] + city, "level": "地级市",
                         "parent": f"{p}0000"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def batch():
    return synth.generate(5000, 12, 60, seed=7)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "n2000"
    synth.synthesize(out, 2000, 8, 40, seed=3)
    return out


def digest(folder) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.glob("*.csv"))}


def ids(batch, table):
    return set(batch[table][schema.TABLES[table].key[0]])


# --- determinism and the written files --------------------------------------------------------
def test_same_seed_same_files_other_seed_other_files(tmp_path, folder):
    synth.synthesize(tmp_path / "again", 2000, 8, 40, seed=3)
    synth.synthesize(tmp_path / "other", 2000, 8, 40, seed=4)
    assert digest(tmp_path / "again") == digest(folder)
    other = digest(tmp_path / "other")
    assert other["enterprises.csv"] != digest(folder)["enterprises.csv"]
    assert other["enterprise_products.csv"] != digest(folder)["enterprise_products.csv"]


def test_folder_has_every_table_with_schema_columns_and_provenance(folder):
    assert sorted(f.stem for f in folder.glob("*.csv")) == sorted(schema.TABLES)
    for name, table in schema.TABLES.items():
        raw = (folder / f"{name}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")
        assert list(df.columns) == table.column_names, name
        if name != "product_subclasses":
            assert len(df), name
        assert set(df["source"]) <= {"synthetic:seed=3"}
        assert set(df["as_of"]) <= {synth.AS_OF}
        assert set(df["illustrative"]) <= {"是"}


def test_write_folder_of_generate_equals_synthesize(tmp_path, folder):
    synth.write_folder(synth.generate(2000, 8, 40, seed=3), tmp_path / "via_batch")
    assert digest(tmp_path / "via_batch") == digest(folder)


def test_written_folder_validates_to_the_generated_batch(folder):
    from loaders import check_path

    checked = check_path(folder)           # raises ValidationFailed listing any problem
    assert not [w for w in checked.warnings if "飞地园区" in w]
    generated = synth.generate(2000, 8, 40, seed=3)
    for name in schema.TABLES:
        assert checked[name].to_dict("records") == generated[name].to_dict("records"), name


# --- referential integrity ---------------------------------------------------------------
def test_keys_unique_and_every_reference_resolves(batch):
    for name, table in schema.TABLES.items():
        df = batch[name]
        assert list(df.columns) == table.column_names
        assert not df.duplicated(list(table.key)).any(), name
        for col in table.columns:
            if col.kind.startswith("ref:"):
                target = col.kind.split(":", 1)[1]
                values = {v for v in df[col.name] if v is not None}
                assert values <= ids(batch, target), (name, col.name, sorted(values - ids(batch, target))[:5])
            if col.required:
                assert df[col.name].notna().all(), (name, col.name)
    for name in ("chains", "products", "parks", "enterprises"):
        assert batch[name]["name"].is_unique, name


def test_batch_holds_normalised_python_values(batch):
    e = batch["enterprises"]
    assert all(df[c].dtype == object for df in batch.tables.values() for c in df.columns)
    assert isinstance(e["tags"].iloc[0], list) and isinstance(e["industries"].iloc[0], list)
    assert e["tags"].iloc[0] is not e["tags"].iloc[1]
    assert type(e["revenue"].iloc[0]) is float and type(e["employees"].iloc[0]) is int
    assert type(e["listed"].iloc[0]) is bool and e["uscc"].iloc[0] is None
    assert set(e["scale"]) <= set(schema.SCALES)
    assert set(batch["chain_products"]["stage"]) == set(schema.STAGES)
    assert set(batch["parks"]["kind"]) <= set(schema.PARK_KINDS)
    assert set(batch["chain_roles"]["role"]) == set(schema.ROLES)
    assert all(t in schema.KNOWN_TAGS for tags in e["tags"] for t in tags)


def test_regions_are_the_31_provinces_and_their_cities(batch):
    r = batch["regions"]
    ref = synth.load_regions()
    provinces = r[r["level"] == "province"]
    assert len(provinces) == 31 and set(provinces["code"].str[:2]) == set(PROVINCES)
    cities = r[r["level"] == "city"]
    assert set(cities["code"]) == set(ref.loc[ref["level"] == "city", "code"])
    assert (cities["parent"] == cities["code"].str[:2] + "0000").all()
    assert provinces["parent"].isna().all()
    located = batch["enterprises"]["region"].str[:2]
    assert located.nunique() >= 29          # 西藏, 青海 may get none of 5000
    east = located.isin(["32", "33", "37", "44"]).mean()
    west = located.isin(["54", "63", "64", "62"]).mean()
    assert east > 0.3 and west < 0.05


def test_flows_acyclic_and_follow_layers(batch):
    f = batch["product_flows"]
    g = nx.DiGraph(zip(f["from_product"], f["to_product"]))
    assert nx.is_directed_acyclic_graph(g)
    assert not any(f["cycle_ok"])
    order = {"upstream": 0, "midstream": 1, "downstream": 2}
    cp = batch["chain_products"]
    stage = {(c, p): order[s] for c, p, s in zip(cp["chain"], cp["product"], cp["stage"])}
    chains_of = cp.groupby("product")["chain"].apply(set)
    for a, b in zip(f["from_product"], f["to_product"]):
        common = chains_of[a] & chains_of[b]
        assert common, (a, b)
        assert any(stage[(c, a)] <= stage[(c, b)] for c in common)


def test_chains_products_and_roles(batch):
    cp = batch["chain_products"]
    sizes = cp.groupby("chain").size()
    assert set(sizes.index) == ids(batch, "chains")
    assert sizes.max() == 60 and 15 <= sizes.min() <= 25
    assert set(cp["product"]) == ids(batch, "products")
    assert (cp.groupby("product").size() > 1).sum() > 0          # some products are shared
    assert 0.05 < cp["key_link"].mean() < 0.2
    assert cp.groupby("chain")["key_link"].any().all()
    assert (cp.groupby("chain")["stage"].nunique() == 3).all()
    roles = batch["chain_roles"]
    leads = roles[roles["role"] == "链主"].groupby("chain").size()
    assert set(leads.index) == ids(batch, "chains") and leads.between(1, 3).all()
    assert (roles[roles["role"] == "链核"].groupby("chain").size() >= 3).all()
    # 链主 are among the chain's largest makers and do make one of its products
    made = batch["enterprise_products"].merge(cp[["chain", "product"]], on="product")
    revenue = dict(zip(batch["enterprises"]["enterprise_id"], batch["enterprises"]["revenue"]))
    for chain, group in made.groupby("chain"):
        lead_ids = set(roles[(roles["chain"] == chain) & (roles["role"] == "链主")]["enterprise"])
        makers = sorted(set(group["enterprise"]), key=lambda e: -revenue[e])
        assert lead_ids <= set(makers[:3])
    pc = batch["park_chains"]
    assert set(pc["park"]) == ids(batch, "parks")


def test_enterprises_makes_and_supplies(batch):
    e = batch["enterprises"]
    ep = batch["enterprise_products"]
    per = ep.groupby("enterprise").size()
    assert len(per) == len(e) and 2.6 <= per.mean() <= 3.4
    shares = ep.groupby("enterprise")["revenue_share"].sum()
    assert (shares <= 1 + 1e-9).all() and (ep["revenue_share"] > 0).all()
    # products of one enterprise cluster in one chain
    cp = batch["chain_products"][["chain", "product"]]
    top_chain = ep.merge(cp, on="product").groupby(["enterprise", "chain"]).size().groupby("enterprise").max()
    assert (top_chain / per).mean() > 0.8
    # skewed sizes and rare tags
    rev = e["revenue"].astype(float)
    assert rev.max() > 100 * rev.median()
    tags = e["tags"].map(set)
    share = {t: tags.map(lambda s: t in s).mean() for t in schema.KNOWN_TAGS}
    assert 0.2 < share["规上"] < 0.45
    assert share["专精特新"] < 0.05 and share["小巨人"] < share["专精特新"]
    assert share["独角兽"] < 0.005 and share["500强"] <= 0.001
    assert 0 < e["listed"].sum() < 0.02 * len(e)
    assert e.loc[e["listed"], "stock_code"].str.fullmatch(r"\d{6}").all() and e["stock_code"].dropna().is_unique
    assert (e["scale"] == "微型").mean() > (e["scale"] == "大型").mean() * 10
    assert e["name"].str.endswith("有限公司").all()
    # parks: in the enterprise's own place
    in_park = e[e["park"].notna()]
    assert 0.1 < len(in_park) / len(e) < 0.5
    park_region = dict(zip(batch["parks"]["park_id"], batch["parks"]["region"]))
    assert (in_park["region"] == in_park["park"].map(park_region)).all()
    # supplies: about half a tie per enterprise, along a flow, between makers
    s = batch["supplies"]
    assert 0.4 * len(e) <= len(s) <= 0.5 * len(e) and (s["supplier"] != s["customer"]).all()
    makes = set(zip(ep["enterprise"], ep["product"]))
    flows = batch["product_flows"]
    feeds = flows.groupby("from_product")["to_product"].apply(set)
    made_by = ep.groupby("enterprise")["product"].apply(set)
    for sup, cus, prod in zip(s["supplier"], s["customer"], s["product"]):
        assert (sup, prod) in makes
        assert feeds[prod] & made_by[cus]


def test_parks_have_enclaves_counted_elsewhere(batch):
    p = batch["parks"]
    enclaves = p[p["kind"] == "飞地园区"]
    assert len(enclaves) >= 3
    assert enclaves["counted_for"].notna().all() and (enclaves["counted_for"] != enclaves["region"]).all()
    assert p.loc[p["kind"] != "飞地园区", "counted_for"].isna().all()
    assert p["region"].str[:2].nunique() == 31


# --- inputs and edge cases ----------------------------------------------------------------
def test_stand_in_regions_of_other_shapes():
    b = synth.generate(300, 3, 12, seed=0, regions=stand_in_regions())
    r = b["regions"]
    assert set(r.loc[r["level"] == "province", "code"]) == {f"{p}0000" for p in PROVINCES}
    assert "市辖区" not in set(r["name"]) and "台湾省" not in set(r["name"])
    assert len(r[r["level"] == "city"]) == 3 * (31 - len(MUNICIPALITIES))
    where = set(b["enterprises"]["region"]) | set(b["parks"]["region"])
    assert where <= set(r["code"])
    assert {f"{p}0000" for p in MUNICIPALITIES} & where            # 直辖市 are places themselves
    names = b["enterprises"]["name"]
    assert not names.str.contains("自治州").any()


def test_tiny_and_empty_sizes():
    b = synth.generate(0, 1, 3, seed=0)
    assert len(b["enterprises"]) == 0 and len(b["chain_products"]) == 3 and len(b["supplies"]) == 0
    assert nx.is_directed_acyclic_graph(nx.DiGraph(zip(b["product_flows"]["from_product"],
                                                       b["product_flows"]["to_product"])))
    b = synth.generate(40, 5, 9, seed=2)
    assert set(b["chain_roles"]["chain"]) == ids(b, "chains")


def test_bad_arguments_and_missing_reference(tmp_path):
    from graph.errors import ChainAtlasError, UnsupportedInput

    with pytest.raises(ChainAtlasError):
        synth.generate(10, 0, 10, seed=1)
    with pytest.raises(UnsupportedInput):
        synth.generate(10, 2, 10, seed=1, regions=tmp_path / "nope.csv")


def test_short_place_names():
    from loaders.synth_vocab import short_place

    assert [short_place(n) for n in ("北京市", "衡水市", "西藏自治区", "大兴安岭地区", "黔东南苗族侗族自治州")] == \
        ["北京", "衡水", "西藏", "大兴安岭", "黔东南"]


# --- the command ----------------------------------------------------------------------------
def test_cli_writes_and_refuses_to_overwrite(tmp_path):
    from cli.main import main

    out = tmp_path / "cli"
    args = ["synth", "--enterprises", "500", "--chains", "4", "--products-per-chain", "20", "--seed", "5",
            "--out", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "enterprises" in res.output and (out / "enterprises.csv").exists()
    first = digest(out)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1 and "--force" in res.output
    res = CliRunner().invoke(main, args + ["--force"])
    assert res.exit_code == 0 and digest(out) == first
    assert synth.generate(500, 4, 20, seed=5)["enterprises"]["name"].tolist() == \
        pd.read_csv(out / "enterprises.csv", dtype=str)["name"].tolist()


def test_large_runs_keep_their_proportions():
    """100k enterprises (speed is measured by bench/bench.py, not asserted here)."""
    raw = synth._build(100_000, 10, 60, 1)
    assert len(raw["enterprises"]) == 100_000
    assert np.isclose(len(raw["enterprise_products"]) / 100_000, 3, atol=0.4)
