"""The browser explorer (Streamlit) of ChainAtlas 产业链图谱.

- :mod:`ui.state`    — the store (``st.cache_resource``), cached engine queries keyed on a store
  generation (a load invalidates them), the current :class:`~ui.state.Selection`.
- :mod:`ui.sidebar`  — chain, province → city → county → park, thresholds, 飞地 toggle; every
  choice is bound to a URL query parameter so a link can be shared.
- :mod:`ui.layout`   — page frame: headers, error display (never a traceback), formatting.
- :mod:`ui.panorama` — the layered pyvis chain panorama (HTML, every data string escaped).
- :mod:`ui.neighbourhood` — the expandable one-hop graph of the enterprise & park explorer.
- :mod:`ui.downloads` — 清单 downloads (xlsx/csv/json) through :mod:`graph.export.build`.
- ``ui/pages/*.py``  — one script per page, run by ``st.navigation`` from ``app.py``.
"""
