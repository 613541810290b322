from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..core.cli import run_import, unit_of_work
from . import services
from .importer import import_schemes
from ..core.access import SYSTEM

schemes = AppGroup("schemes", help="清洁生产方案")


@schemes.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path):
    """导入清洁生产方案（.xlsx 或 .csv），挂在各企业当前的审核轮次下。有行被拒绝时以非零状态退出。"""
    run_import(lambda data, filename, progress: import_schemes(SYSTEM, data, filename, progress=progress), path)


@schemes.command("rebuild-totals")
def rebuild_totals_command():
    """按方案明细重新计算各审核轮次的方案汇总（批量写入数据库之后使用）。"""
    with unit_of_work():
        before = services.totals_mismatches()
        rounds = services.rebuild_totals()
    click.echo(f"已重新计算 {rounds} 个审核轮次的方案汇总；此前与明细不一致的轮次 {len(before)} 个。")


def register(app: Flask) -> None:
    app.cli.add_command(schemes)
