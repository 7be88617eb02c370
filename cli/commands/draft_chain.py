"""``chainatlas draft-chain --core 锂电池 [--up 3] [--down 2] --out draft.xlsx``: draft a chain
from the stored product flows as an import workbook to edit and load."""
from __future__ import annotations

import click

from cli.common import echo_frame, store_from_env


@click.command("draft-chain")
@click.option("--core", multiple=True, required=True, help="核心产品 (id, name or alias); repeatable.")
@click.option("--up", default=3, show_default=True, type=click.IntRange(0, 10), help="Upstream levels.")
@click.option("--down", default=2, show_default=True, type=click.IntRange(0, 10), help="Downstream levels.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Workbook to write (.xlsx).")
@click.option("--chain-id", help="Chain id (default DRAFT-<core>).")
@click.option("--name", help="Chain name (default <core>产业链).")
@click.option("--max-degree", default=60, show_default=True, type=int,
              help="Leave out hub products with more flow neighbours than this.")
@click.option("--min-degree", default=1, show_default=True, type=int,
              help="Leave out products with fewer flow neighbours than this.")
@click.option("--keep-generic", is_flag=True, help="Keep generic names (其他, 产品, 服务 …).")
def command(core, up, down, out, chain_id, name, max_degree, min_degree, keep_generic):
    """起草产业链 Draft a chain around core products from the stored product flows.

    Ancestors become 上游, the core 中游, descendants 下游 (segment = level). Edit the workbook,
    then load it with `chainatlas load`.
    """
    from graph.analysis.draft import draft_from_store
    from loaders.template import write_draft_workbook

    with store_from_env() as store:   # reads only the flows around the core products
        batch = draft_from_store(store, list(core), up=up, down=down, exclude_generic=not keep_generic,
                                 min_degree=min_degree, max_degree=max_degree, chain_id=chain_id, name=name)
    cp = batch["chain_products"].merge(batch["products"][["product_id", "name"]], left_on="product",
                                       right_on="product_id")
    echo_frame(cp[["name", "stage", "segment"]])
    path = write_draft_workbook(batch, out)
    click.echo(f"已写入 written {path}: {len(cp)} products, {len(batch['product_flows'])} flows")
