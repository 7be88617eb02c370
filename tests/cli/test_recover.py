"""``chainatlas recover`` and the load command's refusal (embedded store: nothing to recover)."""
from __future__ import annotations

from click.testing import CliRunner

from cli.main import main


def test_recover_on_the_embedded_store_has_nothing_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINATLAS_DB", str(tmp_path / "atlas"))
    monkeypatch.setenv("CHAINATLAS_SEED", "none")
    res = CliRunner().invoke(main, ["recover"])
    assert res.exit_code == 0 and "nothing to recover" in res.output


def test_recover_reports_each_load_it_handled(tmp_path, monkeypatch):
    from graph.store.embedded.store import EmbeddedStore
    done = [{"action": "rolled back", "id": "ab12", "source": "全国.xlsx", "started": 0.0, "pid": 4242,
             "host": "h1", "entries": 7}]
    seen = {}

    def recover(self, force=False, progress=None):
        seen["force"] = force
        return done
    monkeypatch.setattr(EmbeddedStore, "recover", recover)
    monkeypatch.setenv("CHAINATLAS_DB", str(tmp_path / "atlas"))
    res = CliRunner().invoke(main, ["recover", "--force"])
    assert res.exit_code == 0 and seen == {"force": True}
    assert "rolled back: load ab12 of 全国.xlsx" in res.output and "7 journal batch(es) undone" in res.output


def test_load_is_refused_while_a_load_is_unfinished(tmp_path, monkeypatch):
    from graph.errors import UnfinishedLoad
    from graph.store.embedded.store import EmbeddedStore

    def refuse(self):
        raise UnfinishedLoad("an unfinished load was found: load ab12 of 全国.xlsx")
    monkeypatch.setattr(EmbeddedStore, "check_writable", refuse)
    monkeypatch.setenv("CHAINATLAS_DB", str(tmp_path / "atlas"))
    res = CliRunner().invoke(main, ["load", "seeds/shanxi"])
    assert res.exit_code == 1 and "unfinished load" in res.output and "chainatlas recover" in res.output
