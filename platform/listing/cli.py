"""`flask permits|monitoring|energy|chemicals import FILE` and `flask lists candidates [--as-of DATE]`."""
from datetime import date
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..core.access import SYSTEM
from ..core.cli import run_import
from ..core.dates import beijing_today
from . import candidates as candidate_rules
from .importer import KINDS, import_file

lists = AppGroup("lists", help="强制性清洁生产审核名单")


def _import_group(kind: str) -> AppGroup:
    group = AppGroup(kind, help=f"{KINDS[kind].title}")

    @group.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_command(path: Path):
        run_import(lambda data, filename, progress: import_file(SYSTEM, kind, data, filename, progress=progress), path)

    import_command.__doc__ = f"导入{KINDS[kind].title}（.xlsx 或 .csv，第一行为中文表头）。有行被拒绝时整个文件不导入，以非零状态退出。"
    return group


@lists.command("candidates")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="筛选日（默认今天，北京时间）")
@click.option("--city", default=None, help="设区市行政区划代码")
def candidates_command(as_of, city):
    """按《清洁生产审核办法》第八条列出候选企业、列入情形和证据。"""
    day: date = as_of.date() if as_of else beijing_today()
    found = candidate_rules.generate(day, city=city)
    proof = candidate_rules.evidence([c.enterprise_id for c in found], day)
    for c in found:
        click.echo(f"{c.uscc}\t{c.name}\t{'；'.join(c.cause_labels)}")
        for items in proof[c.enterprise_id].values():
            for item in items:
                click.echo(f"\t- {item['text']}")
    click.echo(f"共 {len(found)} 家候选企业（筛选日 {day.isoformat()}）。")


def register(app: Flask) -> None:
    app.cli.add_command(lists)
    for kind in ("permits", "monitoring", "energy", "chemicals"):
        app.cli.add_command(_import_group(kind))
