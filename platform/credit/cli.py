
import click
from flask import Flask
from flask.cli import AppGroup

from ..core.cli import unit_of_work
from . import jobs
from .channel import ChannelNotConfigured
from ..core.dates import beijing_today

credit = AppGroup("credit", help="信用信息报送")


@credit.command("publish")
def publish_command():
    """报送到期的信用信息（公示与撤下），失败的按退避时间重试；可重复执行，不会重复报送。"""
    try:
        report = jobs.publish()  # commits batch by batch: a claim must be visible before anything is sent
    except ChannelNotConfigured as exc:
        raise click.ClickException(str(exc)) from exc
    for line in report.lines():
        click.echo(line)


@credit.command("expire")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="按该日期执行（YYYY-MM-DD），默认今天")
def expire_command(as_of):
    """撤下最长公示期已届满的信用记录，并排队报送撤下（可重复执行）。"""
    with unit_of_work():
        count = jobs.expire(as_of.date() if as_of else beijing_today())
    click.echo(f"公示期满撤下信用记录 {count} 条。下次报送时通知信用信息平台。")


def register(app: Flask) -> None:
    app.cli.add_command(credit)
