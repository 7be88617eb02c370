"""Streamlit's own JavaScript, CSS and fonts served from memory, each file in one response.

Streamlit's server sends its static files through Starlette's ``StaticFiles``: a ``stat`` and then
64 KB reads, each on a worker thread handed back to the event loop. While the app's script or the
warm-up (:mod:`ui.warm`) holds the GIL, each of those hand-overs waits its turn, so a browser
that has never opened the app (nothing in its cache) got the ~80 files of the first page's
elements 0.2-0.4 s late, one module import waiting for the next (measured: a later start 3.23-3.76 s
with Streamlit's files, 3.01-3.08 s from memory, bench/app_bench.py cold-start; a browser with
the files in its cache is not affected).

:class:`StaticFromMemory` (ASGI middleware, serve.py) answers a ``GET`` for a file under
Streamlit's ``static/`` folder (the content-hashed ``/static/js/…``, ``/static/css/…``,
``/static/media/…``) with the file's bytes, read once and kept, and the same caching Streamlit
gives them (``public, immutable``). Everything else passes to Streamlit unchanged: its pages,
``index.html``, ``/_stcore/…``, the websocket, a ``HEAD`` or ``Range`` request, and any path that
is not exactly one of those files (no ``..``, no backslash, no empty segment).

>>> asset_path("/static/js/index.abc.js")
'static/js/index.abc.js'
>>> asset_path("/app/static/css/x.css", base="app")
'static/css/x.css'
>>> [asset_path(p) for p in ("/static/../index.html", "/overview", "/static/js/", "/x/static/js/a.js")]
[None, None, None, None]
"""
from __future__ import annotations

import mimetypes
from pathlib import Path

CACHE_CONTROL = b"public, immutable, max-age=31536000"     # as Streamlit serves its hashed files


def streamlit_static_root() -> Path:
    import streamlit
    return Path(streamlit.__file__).parent / "static"


def asset_path(path: str, base: str = "") -> str | None:
    """``static/…`` relative to Streamlit's static root for a request path (after the server's
    ``baseUrlPath`` ``base``), or None when it is not a plain path under ``/static/``."""
    prefix = "/" + base.strip("/") if base.strip("/") else ""
    if not path.startswith(prefix + "/static/"):
        return None
    rel = path[len(prefix) + 1:]
    parts = rel.split("/")
    if "\\" in rel or any(p in ("", ".", "..") for p in parts) or len(parts) < 3:
        return None
    return rel


class StaticFromMemory:
    """ASGI middleware: Streamlit's static files from memory (see the module doc)."""

    def __init__(self, app, root: Path | None = None, base: str | None = None):
        self.app = app
        self.root = Path(root) if root is not None else None
        self.base = base
        self.kept: dict[str, tuple[bytes, bytes]] = {}

    def _base(self) -> str:
        if self.base is None:
            from streamlit import config
            self.base = config.get_option("server.baseUrlPath") or ""
        return self.base

    def _file(self, rel: str) -> tuple[bytes, bytes] | None:
        hit = self.kept.get(rel)
        if hit is None:
            root = self.root if self.root is not None else streamlit_static_root()
            f = root / rel
            try:
                if not f.is_file() or f.is_symlink():
                    return None
                body = f.read_bytes()
            except OSError:
                return None
            kind = mimetypes.guess_type(f.name)[0] or "application/octet-stream"
            hit = self.kept[rel] = (body, kind.encode())
        return hit

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "http" and scope.get("method") == "GET" and not any(
                k.lower() == b"range" for k, _ in scope.get("headers") or []):
            rel = asset_path(scope.get("path", ""), self._base())
            hit = self._file(rel) if rel else None
            if hit is not None:
                body, kind = hit
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                        (b"cache-control", CACHE_CONTROL)]})
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
        await self.app(scope, receive, send)
