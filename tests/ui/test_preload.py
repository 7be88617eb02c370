"""ui.preload (serve.py's middleware): the default page's element code asked for once the page has loaded."""
from __future__ import annotations

import asyncio
import re

from ui import preload


def test_chunks_are_the_installed_element_files_and_their_imports_not_the_pages_own():
    files = preload.chunks()
    folder = preload.static_js()
    stems = {f.split(".")[0] for f in files}
    assert {"Metric", "DataFrame", "ArrowVegaLiteChart", "embed", "Selectbox"} <= stems
    assert all((folder / f).is_file() for f in files)
    page = (folder.parent.parent / "index.html").read_text(encoding="utf-8")
    own = set(re.findall(r"\./static/js/([^\"/]+\.js)", page))
    assert own and not own & set(files)                     # index.html's files are loaded anyway
    imported = set(re.findall(r'(?:\bfrom|\bimport)\s*"\./([^"/]+\.js)"',
                              (folder / next(f for f in files if f.startswith("DataFrame."))).read_text()))
    assert imported - preload._closure(folder, own) <= set(files)   # what DataFrame imports comes too


def test_chunks_of_a_folder_without_streamlit_files_is_empty(tmp_path):
    assert preload.chunks(tmp_path) == []


def _serve(body: bytes, content_type: bytes, path="/"):
    asked = []

    async def inner(scope, receive, send):
        asked.append(dict(scope["headers"]))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
        half = len(body) // 2
        await send({"type": "http.response.body", "body": body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": body[half:], "more_body": False})
    sent = []

    async def send(message):
        sent.append(message)
    mw = preload.PreloadChunks(inner, files=["Metric.x1.js", "embed.y2.js"])
    asyncio.run(mw({"type": "http", "method": "GET", "path": path,
                    "headers": [(b"accept-encoding", b"gzip, br"), (b"host", b"x")]}, None, send))
    if content_type == b"text/html" and "/static/" not in path:
        assert asked == [{b"host": b"x"}]          # a page is asked for uncompressed, to be edited
    body_out = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return dict(sent[0]["headers"]), body_out


def test_the_script_goes_into_every_html_page_before_head_end_with_its_length():
    html = b"<html><head><title>t</title></head><body></body></html>"
    for path in ("/", "/overview", "/gaps"):
        headers, body = _serve(html, b"text/html", path)
        assert body.count(b"modulepreload") == 2 and b"./static/js/Metric.x1.js" in body and b"./static/js/embed.y2.js" in body
        assert body.index(b"<link") < body.index(b"</head>")
        assert int(headers[b"content-length"]) == len(body)


def test_other_responses_pass_unchanged():
    js = b"export const x = '</head>';"
    assert _serve(js, b"text/javascript", "/static/js/a.js")[1] == js
    assert _serve(js, b"text/javascript", "/anything")[1] == js             # not HTML
    assert _serve(b"<head></head>", b"text/html", "/static/x.html")[1] == b"<head></head>"
