"""pyvis's network page, built without importing pyvis: the same template, the same HTML.

``import pyvis`` also imports networkx and IPython (~0.6 s CPU on the first draw of a process),
and pyvis's template inlines ~700 kB of vis-network JS/CSS through ``{% include %}``, which Jinja
lexed and compiled as template code (~0.3 s per process). Here the nodes and edges are the dicts
pyvis's ``Network.add_node``/``add_edge`` make (same keys, same order), the page is rendered from
pyvis's own ``templates/template.html`` with the same arguments, and the included library files
are put in as text (they hold no template code) — tests/ui/test_panorama.py checks the page is
byte for byte pyvis's.

>>> net = Network(height="300px", directed=True)
>>> net.add_node("a", label="A", x=0, y=0)
>>> net.nodes
[{'color': '#97c2fc', 'x': 0, 'y': 0, 'id': 'a', 'label': 'A', 'shape': 'dot'}]
"""
from __future__ import annotations

import functools
import importlib.util
import json
import os


def template_dir() -> str:
    """pyvis's templates folder (found, not imported)."""
    spec = importlib.util.find_spec("pyvis")
    return os.path.join(list(spec.submodule_search_locations)[0], "templates") + "/"


@functools.lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader

    texts: dict[str, str] = {}

    class LibAsTextLoader(FileSystemLoader):
        """lib/* (vis-network, tom-select, bindings) as their text, put in by one expression: what
        Jinja would emit for them (newlines normalised, one trailing newline dropped), without
        lexing and compiling 700 kB as template code."""

        def get_source(self, environment, template):
            source, filename, uptodate = super().get_source(environment, template)
            if template.startswith("lib/"):
                lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                if not environment.keep_trailing_newline and lines[-1] == "":
                    del lines[-1]
                texts[template] = environment.newline_sequence.join(lines)
                source = "{{ _vis_page_lib[%s] }}" % json.dumps(template)
            return source, filename, uptodate

    env = Environment(loader=LibAsTextLoader(template_dir()))
    env.globals["_vis_page_lib"] = texts
    return env


class Network:
    """The part of ``pyvis.network.Network`` the app uses (add_node, add_edge, generate_html)."""

    def __init__(self, height="600px", width="100%", directed=False, bgcolor="#ffffff",
                 cdn_resources="local", heading=""):
        assert cdn_resources in ("local", "in_line", "remote")
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self.node_ids: list = []
        self._ids: set = set()
        self.height, self.width, self.heading = height, width, heading
        self.directed, self.bgcolor, self.cdn_resources = directed, bgcolor, cdn_resources
        self.options: dict = {}

    def add_node(self, n_id, label=None, shape="dot", color="#97c2fc", **options):
        assert isinstance(n_id, (str, int))
        if n_id in self._ids:
            return
        node = options if "group" in options else {"color": color, **options}
        node.update(id=n_id, label=label if label else n_id, shape=shape)
        self.nodes.append(node)
        self.node_ids.append(n_id)
        self._ids.add(n_id)

    def add_edge(self, source, to, **options):
        assert source in self._ids, "non existent node '" + str(source) + "'"
        assert to in self._ids, "non existent node '" + str(to) + "'"
        if not self.directed and any((source, to) in ((e["from"], e["to"]), (e["to"], e["from"])) for e in self.edges):
            return
        options["from"], options["to"] = source, to
        if self.directed and "arrows" not in options:
            options["arrows"] = "to"
        self.edges.append(options)

    def generate_html(self, notebook: bool = False) -> str:
        assert not notebook
        link = any(n.get("title") and "href" in n["title"] for n in self.nodes)
        physics = self.options["physics"]["enabled"] if "enabled" in self.options.get("physics", {}) else True
        return _environment().get_template("template.html").render(
            height=self.height, width=self.width, nodes=self.nodes, edges=self.edges, heading=self.heading,
            options=json.dumps(self.options), physics_enabled=physics, use_DOT=False, dot_lang="",
            widget=False, bgcolor=self.bgcolor, conf=False, tooltip_link=link, neighborhood_highlight=False,
            select_menu=False, filter_menu=False, notebook=False, cdn_resources=self.cdn_resources)
