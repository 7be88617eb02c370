"""ChainAtlas served with a warm-up: ``streamlit run serve.py`` (the same app as ``streamlit run app.py``).

Streamlit runs app.py only when a browser session connects. Served through this ``st.App``
(Streamlit's ASGI entry; the same server, routes and options as ``streamlit run app.py``), the
server starts the default page's work at start-up (:mod:`ui.warm`), while the first browser still
downloads Streamlit's JavaScript, so the first page is drawn sooner; and Streamlit's own static
files go out from memory, each in one response (:mod:`ui.static_files`). ``CHAINATLAS_WARM=0``:
no warm-up.
"""
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from ui.static_files import StaticFromMemory


@asynccontextmanager
async def _warm_up(_app):
    from ui import warm
    warm.start()
    yield


app = st.App("app.py", lifespan=_warm_up, middleware=[Middleware(StaticFromMemory)])
