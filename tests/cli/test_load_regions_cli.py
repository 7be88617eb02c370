"""No regions loaded (a CKG import, a drafted chain): the CLI says exactly that and
``chainatlas load-regions`` loads the bundled national reference in one step."""
from __future__ import annotations

from click.testing import CliRunner

from cli.main import main
from loaders.ckg import import_ckg
from tests.conftest import CKG_FIXTURE, build_batch


def test_gaps_without_regions_says_so_and_load_regions_fixes_it(tmp_path):
    from graph.store.embedded.store import EmbeddedStore

    db = tmp_path / "atlas"
    with EmbeddedStore(str(db)) as s:
        s.apply(import_ckg(CKG_FIXTURE)[0])              # no --regions, no inference: no region at all
        s.apply(build_batch(chains=[dict(chain_id="C-COKE", name="焦化")],
                            chain_products=[dict(chain="C-COKE", product="CKG:焦炭", stage="midstream")]))
    env = {"CHAINATLAS_DB": str(db), "CHAINATLAS_SEED": "none"}
    run = lambda *a: CliRunner().invoke(main, list(a), env=env)     # noqa: E731
    before = run("gaps", "--chain", "焦化", "--region", "山西省")
    assert before.exit_code != 0
    assert "尚未载入行政区划" in before.output and "chainatlas load-regions" in before.output
    assert "empty" not in before.output and "Traceback" not in before.output
    dry = run("load-regions", "--dry-run")
    assert dry.exit_code == 0 and "364" in dry.output, dry.output
    done = run("load-regions")
    assert done.exit_code == 0, done.output
    with EmbeddedStore(str(db)) as s:
        assert s.counts()["Region"] == 364
    after = run("gaps", "--chain", "焦化", "--region", "山西省")
    assert after.exit_code == 0, after.output
    assert run("load-regions", "--counties").exit_code == 0
    with EmbeddedStore(str(db)) as s:
        assert s.counts()["Region"] == 364 + 2849
