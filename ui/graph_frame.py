"""A pyvis page shown in a sandboxed frame that reports node clicks back to the app.

The frame runs only our generated page (names HTML-escaped in :mod:`ui.panorama`), sandboxed
to scripts (no same-origin access to the app). Its script posts ``{chainatlasNode: id}`` to the
parent on a node click; this Streamlit v2 component passes it on as the trigger value ``node``.
"""
from __future__ import annotations

import streamlit as st

_JS = """
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  let frame = parentElement.querySelector("iframe");
  if (!frame) {
    frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts");
    frame.setAttribute("title", data.title || "graph");
    frame.style.border = "0";
    frame.style.width = "100%";
    frame.style.display = "block";
    parentElement.appendChild(frame);
  }
  frame.style.height = data.height + "px";
  if (frame.getAttribute("data-html") !== data.digest) {
    frame.setAttribute("data-html", data.digest);
    frame.srcdoc = data.html;
  }
  const onMessage = (event) => {
    if (event.source === frame.contentWindow && event.data && typeof event.data.chainatlasNode === "string") {
      setTriggerValue("node", event.data.chainatlasNode);
    }
  };
  window.addEventListener("message", onMessage);
  return () => window.removeEventListener("message", onMessage);
}
"""

_COMPONENT = None


def _component():
    global _COMPONENT
    if _COMPONENT is None:
        _COMPONENT = st.components.v2.component("chainatlas_graph_frame", js=_JS)
    return _COMPONENT


def graph_frame(page: str, height: int, *, key: str, title: str = "graph") -> str | None:
    """Show ``page`` (a whole HTML document) ``height`` pixels tall; the id of the node clicked
    since the last run, else None."""
    import hashlib

    digest = hashlib.sha1(page.encode("utf-8")).hexdigest()
    result = _component()(data={"html": page, "height": int(height), "digest": digest, "title": title},
                          key=key, on_node_change=lambda: None, height=int(height))
    node = getattr(result, "node", None)
    return str(node) if node else None
