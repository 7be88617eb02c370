"""ui.static_files: Streamlit's static files from memory; everything else passes to Streamlit."""
from __future__ import annotations

import asyncio

import pytest

from ui.static_files import CACHE_CONTROL, StaticFromMemory, asset_path, streamlit_static_root


def _call(mw, path, method="GET", headers=()):
    """(what the middleware sent, whether the wrapped app was called) for one HTTP request."""
    sent, passed = [], []

    async def app(scope, receive, send):
        passed.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}
    scope = {"type": "http", "method": method, "path": path, "headers": list(headers)}
    mw.app = app
    asyncio.run(mw(scope, receive, send))
    return sent, bool(passed)


@pytest.fixture
def root(tmp_path):
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "js" / "index.abc.js").write_bytes(b"export const a = 1;\n")
    (tmp_path / "static" / "css").mkdir()
    (tmp_path / "static" / "css" / "x.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "index.html").write_text("<html></html>", encoding="utf-8")
    return tmp_path


def test_a_static_file_is_sent_whole_in_one_response_and_kept(root):
    mw = StaticFromMemory(None, root=root, base="")
    sent, passed = _call(mw, "/static/js/index.abc.js")
    assert not passed
    start, body = sent
    headers = dict(start["headers"])
    assert start["status"] == 200 and body["body"] == b"export const a = 1;\n" and not body["more_body"]
    assert headers[b"content-length"] == b"20" and headers[b"cache-control"] == CACHE_CONTROL
    assert b"javascript" in headers[b"content-type"]
    (root / "static" / "js" / "index.abc.js").unlink()      # kept: the second answer needs no disk
    assert _call(mw, "/static/js/index.abc.js")[0][1]["body"] == b"export const a = 1;\n"
    assert dict(_call(mw, "/static/css/x.css")[0][0]["headers"])[b"content-type"] == b"text/css"


@pytest.mark.parametrize("path, method, headers", [
    ("/static/js/missing.js", "GET", ()),                       # not a file: Streamlit answers (SPA, 404)
    ("/static/../index.html", "GET", ()),                       # no way out of the folder
    ("/static/js/../../index.html", "GET", ()),
    ("/static//js/index.abc.js", "GET", ()),
    ("/static\\js\\index.abc.js", "GET", ()),
    ("/index.html", "GET", ()), ("/", "GET", ()), ("/overview", "GET", ()),
    ("/_stcore/health", "GET", ()),
    ("/static/js/index.abc.js", "HEAD", ()),
    ("/static/js/index.abc.js", "POST", ()),
    ("/static/js/index.abc.js", "GET", [(b"range", b"bytes=0-3")]),
    ("/other/static/js/index.abc.js", "GET", ()),
])
def test_anything_else_passes_to_streamlit(root, path, method, headers):
    sent, passed = _call(StaticFromMemory(None, root=root, base=""), path, method, headers)
    assert passed and sent[0]["status"] == 299


def test_the_servers_base_url_path_is_honoured(root):
    mw = StaticFromMemory(None, root=root, base="/atlas/")
    assert not _call(mw, "/atlas/static/js/index.abc.js")[1]
    assert _call(mw, "/static/js/index.abc.js")[1]
    assert asset_path("/atlas/static/js/a.js", "atlas") == "static/js/a.js"


def test_websockets_pass_untouched(root):
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])
    asyncio.run(StaticFromMemory(app, root=root, base="")({"type": "websocket", "path": "/_stcore/stream"},
                                                          None, None))
    assert seen == ["websocket"]


def test_the_installed_streamlit_has_the_folder_it_serves():
    js = list((streamlit_static_root() / "static" / "js").glob("index.*.js"))
    assert js, "Streamlit's static/js folder moved: ui.static_files would pass every request through"
