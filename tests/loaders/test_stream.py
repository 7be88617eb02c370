"""A CSV folder loaded as a stream (loaders.stream): the same store as the classic load, the same
warnings; any problem writes nothing and reports exactly what the classic validation reports;
errors on either side stop both; readers see the previous state meanwhile."""
from __future__ import annotations

import threading

import pytest

from graph import schema
from graph.errors import ValidationFailed
from graph.store.embedded import write
from graph.store.embedded.store import EmbeddedStore
from loaders import stream
from loaders.read import read_tables
from loaders.validate import validate
from loaders.workbook import RECHECK, check_path, load_path

P = {"source": "https://example.gov.cn/notice", "as_of": "2024-04-09"}


def snapshot(store) -> tuple:
    tables = {name: store.table(name).astype(str).to_dict(orient="records") for name in schema.TABLES}
    makers = store.makers(["P-CAR", "P-CATH"]).astype(str).to_dict(orient="records")
    return store.counts(), tables, store.sources().astype(str).to_dict(orient="records"), makers


class Spy(EmbeddedStore):
    """Counts streamed loads and the ones that fell back."""

    streamed = fell_back = 0

    def apply_stream(self, s, progress=None):
        type(self).streamed += 1
        try:
            return super().apply_stream(s, progress)
        except stream.Fallback:
            type(self).fell_back += 1
            raise


@pytest.fixture
def spy(tmp_path):
    Spy.streamed = Spy.fell_back = 0
    with Spy(str(tmp_path / "spy")) as s:
        yield s


def classic(tmp_path, folder, name="classic"):
    """A store loaded from ``folder`` the classic way (read, validate, apply)."""
    s = EmbeddedStore(str(tmp_path / name))
    s.apply(validate(read_tables(folder), existing=s))
    return s


def test_a_streamed_load_writes_what_the_classic_load_writes(spy, tmp_path, write_csv_dir, sample):
    folder = write_csv_dir(sample)
    report = load_path(spy, folder)
    assert Spy.streamed == 1 and Spy.fell_back == 0
    with classic(tmp_path, folder) as other:
        assert snapshot(spy) == snapshot(other)
    assert report.written and report.added == sum(len(rows) for rows in sample.values())
    again = load_path(spy, folder)                      # onto a full store: merged, nothing changes
    assert Spy.streamed == 2 and again.added == again.changed == 0 and again.unchanged == report.added


def test_the_same_warnings_as_the_classic_validation(spy, write_csv_dir, sample):
    sample["parks"].append({"park_id": "PK-FLY", "name": "飞地园", "kind": "飞地园区", "region": "140802", **P})
    folder = write_csv_dir(sample)
    ents = folder / "enterprises.csv"
    text = ents.read_bytes().decode("utf-8").replace("\r\n", ",x\r\n").replace("illustrative,x", "illustrative,zz_extra")
    ents.write_bytes(text.encode("utf-8"))               # an unknown column
    (folder / "备注.csv").write_text("a,b\r\n1,2\r\n", encoding="utf-8")     # an unknown file
    want = check_path(folder).warnings
    got = []
    load_path(spy, folder, warn=got.append)
    assert Spy.streamed == 1 and Spy.fell_back == 0
    assert got == want and len(got) == 3


@pytest.mark.parametrize("bad", ["first", "last", "several"])
def test_a_problem_writes_nothing_and_is_reported_as_before(spy, write_csv_dir, sample, bad):
    load_path(spy, write_csv_dir(sample))
    before = snapshot(spy)
    second = {name: [dict(r, source="second") for r in rows] for name, rows in sample.items()}
    if bad in ("first", "several"):
        second["regions"][2]["level"] = "星系"
    if bad in ("last", "several"):
        second["chain_roles"][0]["role"] = "老大"
    if bad == "several":
        second["enterprise_products"][1]["revenue_share"] = "很多"
        second["supplies"] = [{"supplier": "E-NOPE", "customer": "E-DAYUN", **P}]
    folder = write_csv_dir(second)
    with pytest.raises(ValidationFailed) as want:
        check_path(folder, existing=spy)
    steps = []
    with pytest.raises(ValidationFailed) as got:
        load_path(spy, folder, progress=lambda step, done, total: steps.append(step))
    assert Spy.fell_back == 1
    # the rolled-back attempt is said, then the input is read and checked again
    assert steps.count(RECHECK) == 1 and steps[steps.index(RECHECK) + 1:][:1] == ["read"]
    assert [str(p) for p in got.value.problems] == [str(p) for p in want.value.problems]
    assert got.value.omitted == want.value.omitted and str(got.value) == str(want.value)
    assert snapshot(spy) == before


def test_a_locked_store_still_reports_the_problems_first(spy, write_csv_dir, sample):
    from graph.errors import StoreLocked
    from graph.store.embedded.lock import WriteLock

    sample["chain_roles"][0]["role"] = "老大"
    bad, good = write_csv_dir(sample), write_csv_dir({"chains": sample["chains"], "regions": sample["regions"]})
    with WriteLock(spy.location):
        with pytest.raises(ValidationFailed):
            load_path(spy, bad)
        with pytest.raises(StoreLocked):
            load_path(spy, good)


def test_a_reference_by_name_to_a_long_table_falls_back(spy, tmp_path, write_csv_dir, sample, monkeypatch):
    monkeypatch.setattr(stream, "KEEP_ROWS", 2)          # enterprises keep only their ids
    folder = write_csv_dir(sample)                       # enterprise_products names 大运汽车股份有限公司
    load_path(spy, folder)
    assert Spy.fell_back == 1
    with classic(tmp_path, folder) as other:
        assert snapshot(spy) == snapshot(other)


def test_an_error_while_writing_rolls_back_and_stops_the_stream(spy, write_csv_dir, sample, monkeypatch):
    load_path(spy, write_csv_dir(sample))
    before = snapshot(spy)
    real = write.insert

    def failing(conn, target, rows, progress):
        if rows.table.name == "chain_products":
            raise RuntimeError("disk on fire")
        return real(conn, target, rows, progress)
    monkeypatch.setattr(write, "insert", failing)
    second = {name: [dict(r, source="second") for r in rows] for name, rows in sample.items()}
    with pytest.raises(RuntimeError, match="disk on fire"):
        load_path(spy, write_csv_dir(second))
    assert Spy.fell_back == 0                     # the writer's own error, not the stream's
    assert not [t for t in threading.enumerate() if t.name.startswith("stream")]
    monkeypatch.setattr(write, "insert", real)
    assert snapshot(spy) == before


def test_readers_see_the_previous_state_during_a_streamed_load(spy, tmp_path, write_csv_dir, sample, monkeypatch):
    load_path(spy, write_csv_dir(sample))
    before = snapshot(spy)
    reached, go = threading.Event(), threading.Event()
    real = stream.TableStream._make_one

    def slow(self, name, prepare):
        if name == "chain_roles":                  # enterprises … enterprise_products are written by now
            reached.set()
            go.wait(30)
        return real(self, name, prepare)
    monkeypatch.setattr(stream.TableStream, "_make_one", slow)
    second = {name: [dict(r, source="second") for r in rows] for name, rows in sample.items()}
    second["enterprises"].append({"enterprise_id": "E-NEW", "name": "新公司", "region": "140802", **P})
    done = []
    loader = threading.Thread(target=lambda: done.append(load_path(spy, write_csv_dir(second))))
    loader.start()
    try:
        assert reached.wait(30)
        with EmbeddedStore(spy.location) as reader:     # another reader, mid-load
            assert snapshot(reader) == before
    finally:
        go.set()
        loader.join(60)
    assert done and done[0].changes["enterprises"].added == 1
    assert spy.counts()["Enterprise"] == before[0]["Enterprise"] + 1
