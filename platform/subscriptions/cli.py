import click
from flask import Flask
from flask.cli import AppGroup

from ..core.cli import unit_of_work
from . import jobs

subscriptions = AppGroup("subscriptions", help="邮件订阅")


@subscriptions.command("digest")
def digest_command():
    """向已确认的订阅发送自上次周报以来的动态（可重复执行，不会重复发送同一时段的动态）。"""
    with unit_of_work():
        summary = jobs.digest_job()
    click.echo(summary)


def register(app: Flask) -> None:
    app.cli.add_command(subscriptions)
