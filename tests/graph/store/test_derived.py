"""The derived columnar makers tables (graph.store.embedded.derived) against the row tables.

``makers()`` has two ways to its answer: arrays from the derived tables (written in each load
transaction) and the row tables (stores written before the derived tables existed). On a
synthetic data set with gaps in every attribute (no region, no scale, unknown revenue, employees
and listed, tags, several sources) both must give exactly the same frames, for every side and
scope; after a merge load that moves and renames enterprises the derived tables follow.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graph.store import Scope
from graph.store.embedded import derived
from graph.store.embedded.makers import MakersIndex
from graph.store.embedded.store import EmbeddedStore
from loaders import synth
from tests.conftest import build_batch


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    batch = synth.generate(3000, 4, 40, seed=5)
    ent = batch.tables["enterprises"]
    rng = np.random.default_rng(5)
    for col in ("region", "scale", "revenue", "employees", "listed"):
        ent.loc[rng.choice(ent.index, size=len(ent) // 7, replace=False), col] = None
    makes = batch.tables["enterprise_products"]
    makes.loc[rng.choice(makes.index, size=len(makes) // 5, replace=False), "revenue_share"] = None
    makes.loc[makes.index[::11], "source"] = "另一来源"
    makes.loc[makes.index[::13], "as_of"] = None
    store = EmbeddedStore(str(tmp_path_factory.mktemp("derived") / "db"))
    store.apply(batch)
    yield store, batch
    store.close()


def _both(store, products):
    with store._read() as conn:
        gen = store._generation(conn)
        assert derived.current(conn, gen)
        rows = MakersIndex(conn, gen, products)
        cols = MakersIndex.from_derived(conn, derived.dictionaries(conn), gen, products)
    return rows, cols


def _scopes(batch):
    ent = batch.tables["enterprises"]
    regions = ent["region"].dropna().astype(str)
    parks = ent["park"].dropna().astype(str).unique().tolist()
    return [None, Scope(region_codes=frozenset(regions[regions.str.startswith(regions.iloc[0][:2])])),
            Scope(region_codes=frozenset(regions.unique()[:5]), include_parks=frozenset(parks[:2]),
                  exclude_parks=frozenset(parks[2:4])),
            Scope(include_parks=frozenset(parks[:1]))]


def test_derived_and_row_tables_give_the_same_makers(world):
    store, batch = world
    cp = batch.tables["chain_products"]
    for chain in cp["chain"].unique()[:2]:
        products = sorted(cp.loc[cp["chain"] == chain, "product"].astype(str)) + ["NO-SUCH-PRODUCT"]
        rows, cols = _both(store, products)
        for scope in _scopes(batch):
            for side in ("inside", "outside", "all", "unknown"):
                a, b = rows.makers(products, scope, side), cols.makers(products, scope, side)
                assert len(a) > 0 or side == "inside"
                pd.testing.assert_frame_equal(a, b)
                store._makers.drop()                      # the store's read of just the parts needed
                pd.testing.assert_frame_equal(store.makers(products, scope, side), a)
    assert store.makers(products, None, "all")["employees"].map(type).isin([int, type(None)]).all()


def test_stale_derived_tables_fall_back_to_the_row_tables(world, tmp_path):
    store, batch = world
    products = sorted(batch.tables["chain_products"]["product"].astype(str))[:60]
    want = store.makers(products, None, "all")
    other = EmbeddedStore(str(tmp_path / "copy"))
    other.apply(batch)
    with _writer(other) as conn:
        conn.execute("UPDATE derived SET data = '-1' WHERE name = 'generation'")
    other._makers.drop()
    with other._read() as conn:
        assert not derived.current(conn, other._generation(conn))
    pd.testing.assert_frame_equal(other.makers(products, None, "all"), want)
    other.close()


class _writer:
    def __init__(self, store):
        self.store = store

    def __enter__(self):
        self.conn = self.store._connect()
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()


def test_a_merge_load_rebuilds_the_derived_tables(tmp_path):
    base = dict(
        regions=[dict(code="140000", name="山西省", level="province"),
                 dict(code="140100", name="太原市", level="city", parent="140000"),
                 dict(code="320000", name="江苏省", level="province")],
        products=[dict(product_id="P1", name="原料"), dict(product_id="P2", name="部件")],
        enterprises=[dict(enterprise_id="E1", name="甲", region="140100", tags=["规上"], employees=10),
                     dict(enterprise_id="E2", name="乙", region="320000")],
        enterprise_products=[dict(enterprise="E1", product="P1", revenue_share=0.5),
                             dict(enterprise="E2", product="P1")])
    store = EmbeddedStore(str(tmp_path / "db"))
    store.apply(build_batch(**base))
    local = Scope(region_codes=frozenset({"140000", "140100"}))
    assert store.makers(["P1"], local, "inside")["enterprise_id"].tolist() == ["E1"]
    store.apply(build_batch(
        enterprises=[dict(enterprise_id="E2", name="乙（迁入）", region="140100", listed=True),
                     dict(enterprise_id="E0", name="丙", region=None)],
        enterprise_products=[dict(enterprise="E0", product="P2", revenue_share=0.2),
                             dict(enterprise="E2", product="P2")]))
    inside = store.makers(["P1", "P2"], local, "inside")
    assert inside[["enterprise_id", "product_id", "name"]].values.tolist() == [
        ["E1", "P1", "甲"], ["E2", "P1", "乙（迁入）"], ["E2", "P2", "乙（迁入）"]]
    assert inside["listed"].tolist() == [None, True, True]
    outside = store.makers(["P2"], local, "outside")
    assert outside["enterprise_id"].tolist() == ["E0"] and outside["region"].tolist() == [None]
    with store._read() as conn:
        assert derived.current(conn, store._generation(conn))
    store.clear()
    assert store.makers(["P1", "P2"], None, "all").empty
    store.close()


def test_the_build_in_small_slabs_gives_the_same_tables(world, tmp_path, monkeypatch):
    store, batch = world
    monkeypatch.setattr(derived, "BLOCK", 37)
    other = EmbeddedStore(str(tmp_path / "slabs"))
    other.apply(batch)
    products = sorted(batch.tables["enterprise_products"]["product"].astype(str).unique())
    pd.testing.assert_frame_equal(other.makers(products, None, "all"), store.makers(products, None, "all"))
    other.close()


def test_a_load_that_leaves_the_makers_alone_keeps_the_derived_tables(world, tmp_path, monkeypatch):
    store, batch = world
    other = EmbeddedStore(str(tmp_path / "keep"))
    other.apply(batch)
    products = sorted(batch.tables["enterprise_products"]["product"].astype(str).unique())
    want = other.makers(products, None, "all")
    rebuilt = []
    monkeypatch.setattr(derived, "rebuild", lambda conn, gen, fresh=None: rebuilt.append(gen))
    other.apply(build_batch(chains=[dict(chain_id="NEW-CHAIN", name="新增产业链")]))
    with other._read() as conn:
        assert derived.current(conn, other._generation(conn)) and rebuilt == []
    pd.testing.assert_frame_equal(other.makers(products, None, "all"), want)
    other.apply(build_batch(enterprises=[dict(enterprise_id=str(batch.tables["enterprises"]["enterprise_id"].iloc[0]),
                                              name="改名企业")]))
    assert len(rebuilt) == 1
    other.close()


# --- the partitioned reads: a diagnosis reads only the parts its scope can touch -------------------
@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """Two provinces; a 飞地 park of 太原 standing in 苏州 (K1), a park in 小店区 (K2), a 飞地 of 江苏
    standing in 运城 (K3); makers with no region, a region coarser than a city, a park but no region,
    and (written past the reference check) a region code missing from the region table."""
    regions = [dict(code="140000", name="山西省", level="province"),
               dict(code="140100", name="太原市", level="city", parent="140000"),
               dict(code="140105", name="小店区", level="county", parent="140100"),
               dict(code="140800", name="运城市", level="city", parent="140000"),
               dict(code="320000", name="江苏省", level="province"),
               dict(code="320500", name="苏州市", level="city", parent="320000")]
    parks = [dict(park_id="K1", name="太原苏州飞地", kind="飞地", region="320500", counted_for="140100"),
             dict(park_id="K2", name="小店园", kind="省级", region="140105"),
             dict(park_id="K3", name="江苏运城飞地", kind="飞地", region="140800", counted_for="320000")]
    ents = [("E1", "140105", None), ("E2", "320500", "K1"), ("E3", None, None), ("E4", "140000", None),
            ("E5", "320500", None), ("E6", "140800", "K3"), ("E7", None, "K2"), ("E8", "140100", "K2"),
            ("E0", "320000", None)]
    store = EmbeddedStore(str(tmp_path_factory.mktemp("parts") / "db"))
    store.apply(build_batch(
        regions=regions, parks=parks, products=[dict(product_id="P1", name="原料"), dict(product_id="P2", name="部件")],
        enterprises=[dict(enterprise_id=e, name="企业" + e, region=r, park=k, revenue=float(i))
                     for i, (e, r, k) in enumerate(ents)],
        enterprise_products=[dict(enterprise=e, product=p, revenue_share=0.1 * i)
                             for i, (e, _, _) in enumerate(ents) for p in ("P1", "P2")[:1 + i % 2]]))
    with _writer(store) as conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO enterprises (enterprise_id, name, region) VALUES ('E9', '企业E9', '999999')")
        conn.execute("INSERT INTO enterprise_products (enterprise, product) VALUES ('E9', 'P1'), ('E9', 'P2')")
        conn.execute("UPDATE meta SET v = v + 1 WHERE k = 'generation'")
        derived.rebuild(conn, conn.execute("SELECT v FROM meta WHERE k = 'generation'").fetchone()[0])
        conn.execute("COMMIT")
    store._makers.drop()
    yield store
    store.close()


def _place_scopes(store):
    from graph.analysis import location
    from graph.analysis.scope import RegionTree, place_of_park, place_of_region, scope_for
    tree = RegionTree.from_store(store, cached=False)
    for place in [place_of_region(tree, c) for c in ("140100", "140000", "320000", "140105")] + \
            [place_of_park(tree, k) for k in ("K1", "K2")]:
        for enclave in (True, False):
            sc = scope_for(tree, place, enclave_attribution=enclave)
            yield place, sc, location.with_unknown(tree, place, sc)


def test_partitioned_reads_give_the_row_table_answers(places):
    store = places
    ids = ["P2", "P1", "NO-SUCH-PRODUCT"]
    with store._read() as conn:
        rows = MakersIndex(conn, store._generation(conn), ids)
    seen = set()
    for place, sc, unknown_sc in _place_scopes(store):
        for fresh in (True, False):          # a new index per call, or the cached one of the call before
            if fresh:
                store._makers.drop()
            for side, s in (("inside", sc), ("unknown", unknown_sc), ("outside", sc), ("inside", unknown_sc)):
                got = store.makers(ids, s, side)
                pd.testing.assert_frame_equal(got, rows.makers(ids, s, side))
                seen.update((place["id"], side, e) for e in got["enterprise_id"])
    # the cases the parts must not lose: 飞地 K1 local to 太原, no region / code missing from the
    # table / province code unknown for 太原, the 江苏 飞地 in 运城 local to 江苏 (not to 山西)
    assert {("140100", "inside", "E2"), ("140100", "unknown", "E3"), ("140100", "unknown", "E9"),
            ("140100", "unknown", "E4"), ("320000", "inside", "E6"), ("140000", "outside", "E6"),
            ("K2", "inside", "E7"), ("140105", "unknown", "E4")} <= seen


def test_a_diagnosis_reads_only_the_parts_of_its_place(places):
    store = places
    store._makers.drop()
    place, sc, unknown_sc = next(iter(_place_scopes(store)))         # 太原市
    store.makers(["P1", "P2"], sc, "inside")
    store.makers(["P1", "P2"], unknown_sc, "unknown")
    (idx,) = store._makers._indexes                                    # one read served both calls
    assert idx.parts == {"140000", "320000", derived.NO_PART}          # 320000: the 飞地 K1's maker
    store.makers(["P1", "P2"], sc, "outside")
    full = store._makers._indexes[0]
    assert full.parts is None
    store._makers.drop()
    store.makers(["P1", "P2"], Scope(region_codes=frozenset({"320500"})), "inside")
    part = store._makers._indexes[0]
    assert part.parts == {"320000", derived.NO_PART} and 0 < len(part.ent_id) < len(full.ent_id)
    assert sorted(set(part.ent_id.to_pylist())) == ["E0", "E2", "E3", "E5", "E7", "E9"]


def test_maker_counts_come_from_the_derived_counts(places):
    store = places
    with store._read() as conn:
        want = dict(conn.execute("SELECT product, count(*) FROM enterprise_products GROUP BY product"))
    store._counts = {}
    assert store.maker_counts(["P1", "P2", "NOPE"])["makers"].tolist() == [want["P1"], want["P2"], 0]


def test_the_build_from_the_load_frames_equals_the_build_from_the_tables(tmp_path):
    """A first load builds from its frames (derived_fresh); a rebuild reads the row tables: same
    answers, down to floats SQLite prints with 15 digits, ints given as floats, missing bools."""
    from graph.store.embedded import derived_fresh
    built = []
    real = derived_fresh.Fresh.columns
    ents = [dict(enterprise_id=f"E{i}", name=f"企业{i}", region=r, revenue=v, employees=n, listed=b, tags=t)
            for i, (r, v, n, b, t) in enumerate([
                ("140100", 0.1 + 0.2, 10, True, ["规上"]), (None, 1 / 3, None, None, []),
                ("320000", 1.2345678901234567e19, 7.0, False, None), ("140100", None, 3, True, ["规上", "高新"])])]
    batch = build_batch(
        regions=[dict(code="140000", name="山西省", level="province"),
                 dict(code="140100", name="太原市", level="city", parent="140000"),
                 dict(code="320000", name="江苏省", level="province")],
        products=[dict(product_id="P1", name="原料"), dict(product_id="P0", name="部件")],
        enterprises=list(reversed(ents)),         # not in id order: the build sorts like SQLite
        enterprise_products=[dict(enterprise=f"E{i}", product=p, revenue_share=s, source=src, illustrative=ill)
                             for i, p, s, src, ill in [(3, "P1", 1 / 3, "甲", True), (0, "P1", None, None, None),
                                                       (0, "P0", 0.1 + 0.2, "乙", False), (2, "P1", 0.5, "甲", True),
                                                       (1, "P0", None, "乙", None)]])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(derived_fresh.Fresh, "columns", lambda self, conn: built.append(1) or real(self, conn))
        store = EmbeddedStore(str(tmp_path / "db"))
        store.apply(batch)
    assert built == [1]
    ids = ["P0", "P1"]
    local = Scope(region_codes=frozenset({"140100"}))
    want = {side: store.makers(ids, local, side) for side in ("inside", "outside", "all", "unknown")}
    with store._read() as conn:
        rows = MakersIndex(conn, store._generation(conn), ids)
    with _writer(store) as conn:
        conn.execute("BEGIN IMMEDIATE")
        derived.rebuild(conn, conn.execute("SELECT v FROM meta WHERE k = 'generation'").fetchone()[0])
        conn.execute("COMMIT")
    store._makers.drop()
    for side, frame in want.items():
        pd.testing.assert_frame_equal(store.makers(ids, local, side), frame)
        pd.testing.assert_frame_equal(rows.makers(ids, local, side), frame)
    assert want["all"]["revenue"].tolist()[:2] == [0.3, 0.333333333333333] and want["all"]["employees"].tolist()[0] == 10
    store.close()


def test_floats_from_the_frames_read_as_sqlite_prints_them():
    """derived_fresh._as_read skips SQLite for values its 15-digit text cannot change: the values
    must come out exactly as the row tables give them (group_concat text, parsed)."""
    import sqlite3

    import pyarrow as pa
    import pyarrow.compute as pc

    from graph.store.embedded.derived_fresh import _as_read
    rng = np.random.default_rng(1)
    vals = np.concatenate([np.round(rng.uniform(0, 1e6, 20000), 1), rng.uniform(-1e3, 1e3, 10000),
                           rng.lognormal(0, 20, 10000), np.round(rng.uniform(0, 1, 10000), 3),
                           10.0 ** rng.integers(-30, 30, 1000), [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e15 + 1]])
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (i INTEGER PRIMARY KEY, x REAL)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", enumerate(vals.tolist()))
    (text,) = conn.execute("SELECT group_concat(ifnull(x, 'nan'), char(31)) FROM (SELECT x FROM t ORDER BY i)").fetchone()
    want = pc.split_pattern(pa.array([text], pa.large_string()), "\x1f").flatten().cast(pa.float64()).to_numpy()
    got = _as_read(conn, vals)
    assert ((got == want) | (np.isnan(got) & np.isnan(want))).all()
    assert (np.signbit(got) == np.signbit(want)).all() and (got != vals).any()


def test_fresh_columns_from_distinct_cells_equal_those_from_every_row():
    """Fresh.add on a column-wise frame works once per distinct cell (derived_fresh._each); the
    columns equal those made from the same rows as a DataFrame: odd cells included."""
    import sqlite3

    from graph import schema
    from graph.store.embedded import derived_fresh
    from graph.store.embedded.rows import Rows

    def columnar(name, cells):       # column -> (codes, distinct cells), every row as in ``cells``
        out = {}
        for c in schema.TABLES[name].column_names:
            col = cells.get(c, [None] * len(next(iter(cells.values()))))
            distinct, codes = [], []
            for v in col:
                hit = next((i for i, d in enumerate(distinct) if d is v or (type(d) is type(v) and d == v)), None)
                if hit is None:
                    distinct.append(v)
                    hit = len(distinct) - 1
                codes.append(hit)
            values = np.empty(len(distinct), dtype=object)
            values[:] = distinct
            out[c] = (np.array(codes, dtype=np.int32), values)
        return out

    ent = {"enterprise_id": ["E2", "E1", "E3", "E4"], "name": ["乙", "甲", None, "丁"],
           "region": ["140800", None, "140800", ""], "park": [None, "K1", None, None], "scale": ["规上", None, "规上", None],
           "tags": [["a", "b"], [], ["a", "b"], None], "revenue": [1.5, None, 0.1 + 0.2, 3],
           "employees": [10, None, 7, 2], "listed": [True, False, None, True],
           "source": ["s", "s", "t", "s"], "as_of": ["2024", "2024", "2023", None], "illustrative": [False, True, False, None]}
    makes = {"enterprise": ["E1", "E1", "E2", "E4", "E3"], "product": ["P2", "P1", "P1", "P2", "P1"],
             "revenue_share": [0.5, None, 1 / 3, 0.2, 0.5], "source": ["s", "t", "s", "s", None],
             "as_of": ["2024", "2024", None, "2024", "2024"], "illustrative": [False, None, True, False, False]}
    got = []
    for as_frame in (False, True):
        fresh = derived_fresh.Fresh()
        for name, cells in (("enterprises", ent), ("enterprise_products", makes)):
            rows = Rows(schema.TABLES[name], columnar=columnar(name, cells))
            frame = rows.frame()
            if as_frame:
                frame = pd.DataFrame({c: frame[c] for c in frame.columns})
            fresh.add(name, frame)
        got.append(fresh.columns(sqlite3.connect(":memory:")))
    (text_a, num_a, makes_a), (text_b, num_b, makes_b) = got
    assert {k: v.to_pylist() for k, v in text_a.items()} == {k: v.to_pylist() for k, v in text_b.items()}
    for k in num_a:
        np.testing.assert_array_equal(num_a[k], num_b[k])
    assert makes_a[0].to_pylist() == makes_b[0].to_pylist() and makes_a[1].to_pylist() == makes_b[1].to_pylist()
    np.testing.assert_array_equal(makes_a[2], makes_b[2])
    np.testing.assert_array_equal(makes_a[3], makes_b[3])
    assert makes_a[4] == makes_b[4] and len(set(makes_a[4])) == len(makes_a[4])
