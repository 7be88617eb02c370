"""``chainatlas import-registry FILE [--mapping MAP.csv] [--threshold 0.8] [--review-out review.csv]
[--accept review.csv] [--dry-run]``: load a 企业名录 export and tag its enterprises with products."""
from __future__ import annotations

import time

import click

from cli.common import (check_region_options, echo_region_review, progress_printer, region_inference_options,
                        store_from_env)


@click.command("import-registry")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False),
              help="CSV of column,field pairs overriding the automatic header mapping.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Tags below this confidence wait for review instead of loading.")
@click.option("--review-out", type=click.Path(dir_okay=False),
              help="Write tags to review here (fill decision with accept/reject).")
@click.option("--accept", type=click.Path(exists=True, dir_okay=False),
              help="A filled-in review CSV from an earlier run: accepted tags are loaded.")
@region_inference_options("注册地址 (address), else the name (when none is given or stored)")
@click.option("--as-of", help="数据日期 YYYY-MM-DD (default: the file's date).")
@click.option("--dry-run", is_flag=True, help="只预览，不写入。Preview changes, write nothing.")
def command(file, mapping, threshold, review_out, accept, infer_regions, region_review_out, region_accept, as_of,
            dry_run):
    """导入企业名录 Import a registry export (.csv UTF-8/GB18030 or .xlsx).

    Headers such as 企业名称, 统一社会信用代码, 所属省份/城市/区县, 企业规模, 经营范围, 主营产品 are
    recognised automatically. Products are tagged from 主营产品/经营范围; pure trade (销售/批发 …)
    does not count as making. Unknown regions are warnings (region left unknown).
    """
    from cli.commands.load import echo_report
    from loaders.registry import import_registry, write_review

    check_region_options(infer_regions, region_review_out, region_accept)
    started = time.perf_counter()
    with store_from_env() as store:
        result = import_registry(file, mapping=mapping, products=store.table("products"),
                                 regions=store.table("regions"), enterprises=store.table("enterprises"),
                                 threshold=threshold, accept=accept, as_of=as_of, infer_regions=infer_regions,
                                 region_review=region_accept)
        click.echo("列 columns: " + ", ".join(f"{f}←{h}" for f, h in result.columns.items()), err=True)
        for p in result.problems:
            click.echo(f"警告 warning: {p}", err=True)
        click.echo(result.summary())
        if review_out:
            write_review(result.review, review_out)
            click.echo(f"待审核 {len(result.review)} tags written to {review_out}: fill 'decision' with "
                       f"accept/reject and run again with --accept {review_out}")
        elif len(result.review):
            click.echo(f"{len(result.review)} tags below {threshold} are not loaded; use --review-out to review them.")
        echo_region_review(result.region_review, region_review_out)
        batch = result.batch
        report = store.plan(batch) if dry_run else store.apply(batch, progress=progress_printer())
        report.seconds = time.perf_counter() - started
        echo_report(report, examples=dry_run)
