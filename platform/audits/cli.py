
import click
from flask import Flask
from flask.cli import AppGroup

from ..core.cli import unit_of_work
from .jobs import compliance_scan, send_reminders
from ..core.dates import beijing_today

compliance = AppGroup("compliance", help="合规扫描")
audits = AppGroup("audits", help="清洁生产审核")


def _as_of_option(command):
    return click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                        help="按该日期执行（YYYY-MM-DD），默认今天")(command)


@compliance.command("scan")
@_as_of_option
def scan_command(as_of):
    """查找逾期和评估、验收不通过的审核轮次，立案、结案并报告结果（可重复执行）。"""
    with unit_of_work():
        report = compliance_scan(as_of.date() if as_of else beijing_today())
    for line in report.lines():
        click.echo(line)


@audits.command("reminders")
@_as_of_option
def reminders_command(as_of):
    """生成截止日期前 30、7、1 天的提醒（可重复执行）。"""
    with unit_of_work():
        created = send_reminders(as_of.date() if as_of else beijing_today())
    click.echo(f"新增提醒 {created} 条。")


def register(app: Flask) -> None:
    app.cli.add_command(compliance)
    app.cli.add_command(audits)
