"""``chainatlas load-regions [--counties]``: load the bundled national region reference in one step."""
from __future__ import annotations

import time

import click

from cli.common import progress_printer, store_from_env


@click.command("load-regions")
@click.option("--counties", is_flag=True, help="Also the 2,849 county-level units (县/区/县级市/旗).")
@click.option("--dry-run", is_flag=True, help="只预览，不写入。Preview changes, write nothing.")
def command(counties, dry_run):
    """载入全国行政区划 Load the bundled national region reference (31 provinces, 333 prefecture-level
    units; seeds/reference/china_regions.csv), e.g. after import-ckg, whose companies come without
    regions. Regions already loaded are kept (updated where the reference differs)."""
    from cli.commands.load import echo_report
    from loaders.reference_regions import load_reference, reference_batch

    started = time.perf_counter()
    with store_from_env() as store:
        if dry_run:
            report = store.plan(reference_batch(counties))
        else:
            report = load_reference(store, counties, progress=progress_printer())
        report.seconds = time.perf_counter() - started
        echo_report(report, examples=dry_run)
