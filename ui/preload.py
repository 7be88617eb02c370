"""The first page's element code fetched while the server runs the script (serve.py's middleware).

Streamlit's browser code loads each element's JavaScript only when that element first arrives,
module by module (each file's imports are found only once it has arrived): the 总览's metrics,
table (st.dataframe: ~1.3 MB with its Arrow formatting), Vega-Lite charts (vega-embed: ~0.8 MB)
and the sidebar's widgets came as a chain of ~80 requests *after* the script had sent them, while
the page showed grey placeholders. :class:`PreloadChunks` adds to the page's HTML, after
Streamlit's own preloads, a ``<link rel="modulepreload">`` for each of those files (fetched and
compiled while the browser runs Streamlit's code and the server the script, not run) — the same
URLs, so Streamlit finds them ready when the elements arrive. It changes no element and no data; a file Streamlit no
longer ships (another version) is simply left out (:func:`chunks` reads the installed package).

>>> "Metric" in ELEMENTS and "embed" in ELEMENTS
True
>>> script(["Metric.abc.js"])
'<link rel="modulepreload" crossorigin href="./static/js/Metric.abc.js">'
>>> script([])
''
"""
from __future__ import annotations

import re
from pathlib import Path

# The elements of the default page (总览) and of the sidebar, by the file stem Streamlit gives them
# (``embed``: vega-embed, loaded by ``loadVegaEmbed``; ``rehype-raw``: markdown with HTML).
ELEMENTS = ("Metric", "DataFrame", "arrowFormatUtils", "ArrowVegaLiteChart", "loadVegaEmbed", "embed",
            "Selectbox", "Slider", "Checkbox", "Button", "rehype-raw")
_HASHED = re.compile(r"^(?P<stem>[A-Za-z-]+)\.[A-Za-z0-9_-]+\.js$")
_STATIC_IMPORT = re.compile(r'(?:\bfrom|\bimport)\s*"\./([^"/]+\.js)"')     # not import(`...`): lazy
_PAGE_SCRIPT = re.compile(r'\./static/js/([^"/]+\.js)')


def static_js() -> Path:
    import streamlit
    return Path(streamlit.__file__).parent / "static" / "static" / "js"


def _closure(folder: Path, names) -> set[str]:
    """``names`` and every file they import statically, transitively."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            todo += _STATIC_IMPORT.findall((folder / name).read_text(encoding="utf-8"))
        except OSError:
            seen.discard(name)
    return seen


def chunks(folder: Path | None = None) -> list[str]:
    """The files ELEMENTS need (each ``Stem.hash.js`` and what it imports), less those the page's
    own script already loads (index.html's), sorted; a stem missing or ambiguous is left out."""
    folder = static_js() if folder is None else folder
    found: dict[str, list[str]] = {}
    try:
        for f in folder.iterdir():
            m = _HASHED.match(f.name)
            if m and m["stem"] in ELEMENTS:
                found.setdefault(m["stem"], []).append(f.name)
        page = (folder.parent.parent / "index.html").read_text(encoding="utf-8")
    except OSError:
        return []
    wanted = _closure(folder, [found[s][0] for s in ELEMENTS if len(found.get(s, [])) == 1])
    return sorted(wanted - _closure(folder, _PAGE_SCRIPT.findall(page)))


def script(files: list[str]) -> str:
    """A ``<link rel="modulepreload">`` per file of ``files`` (relative to the page and with
    ``crossorigin``, as Streamlit's index.html preloads its own code); '' for no files."""
    return "".join(f'<link rel="modulepreload" crossorigin href="./static/js/{f}">' for f in files)


class PreloadChunks:
    """ASGI middleware: adds :func:`script` before ``</head>`` of every HTML page Streamlit serves
    (its index.html, for every page's path; asked for without compression); every other response
    passes unchanged."""

    def __init__(self, app, files: list[str] | None = None):
        self.app = app
        self.files = files
        self._tag: bytes | None = None

    @property
    def tag(self) -> bytes:
        if self._tag is None:       # read at the first page served, not while the server starts
            self._tag = script(chunks() if self.files is None else self.files).encode()
        return self._tag

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope.get("type") == "http" else ""
        if scope.get("type") != "http" or scope.get("method") != "GET" or "/static/" in path \
                or "/_stcore/" in path or "." in path.rsplit("/", 1)[-1] or not self.tag:
            return await self.app(scope, receive, send)
        start, body = None, []

        async def edit(message):
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if not headers.get(b"content-type", b"").startswith(b"text/html"):
                    start = False
                    return await send(message)
                start = message
                return None
            if start is False or message["type"] != "http.response.body":
                return await send(message)
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return None
            html = b"".join(body)
            if b"</head>" in html:
                html = html.replace(b"</head>", self.tag + b"</head>", 1)
            headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(html)).encode()))
            await send({**start, "headers": headers})
            return await send({"type": "http.response.body", "body": html, "more_body": False})

        # the page uncompressed (Streamlit gzips a page's HTML, ~14 KB, for some paths): editable
        scope = {**scope, "headers": [(k, v) for k, v in scope.get("headers") or [] if k.lower() != b"accept-encoding"]}
        return await self.app(scope, receive, edit)
