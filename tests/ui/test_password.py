"""#12 item 6: deployments default to password-protected editing; wrong passwords are slowed down."""
from __future__ import annotations

import re
from pathlib import Path

from graph.settings import Settings
from ui import password

ROOT = Path(__file__).resolve().parents[2]


def test_deployment_defaults_to_password_desktop_stays_open():
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert re.search(r"CHAINATLAS_EDITING: \$\{CHAINATLAS_EDITING:-password\}", compose)
    assert re.search(r"^CHAINATLAS_EDITING=password$", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M)
    assert Settings.from_env({}).editing == "open"


def test_failures_make_each_check_wait_longer():
    waits, now = [], [0.0]
    gate = password.Gate(sleep=waits.append, clock=lambda: now[0])
    for _ in range(9):
        assert not gate.check("guess", "s3cret")
    assert waits == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert gate.check("s3cret", "s3cret") and gate.delay() == 0     # a correct password resets
    assert not gate.check("x", "s3cret") and gate.delay() == 0.5
    now[0] += password.FORGET_AFTER + 1
    assert gate.delay() == 0                                          # forgotten after a quiet while
    assert not gate.check("", "")                                     # no password configured: never


def test_app_checks_each_attempt_once_and_slows_the_next(env, seeded_db, app, monkeypatch):
    waits = []
    monkeypatch.setattr(password, "GATE", password.Gate(sleep=waits.append))
    env(CHAINATLAS_DB=seeded_db, CHAINATLAS_EDITING="password", CHAINATLAS_EDITOR_PASSWORD="s3cret")
    at = app("data")
    at.text_input(key="editor_password_input").input("wrong").run()
    at.run()                                          # a rerun is not a new attempt
    assert password.GATE.failures == 1 and any("密码不正确" in e.value for e in at.error)
    at.text_input(key="editor_password_input").input("wrong2").run()
    at.text_input(key="editor_password_input").input("s3cret").run()
    assert waits == [0.5, 1.0] and len(at.get("file_uploader")) >= 1
