import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .jobs import JOBS
from .runner import LeasedScheduler

scheduler = AppGroup("scheduler", help="定时任务")


@scheduler.command("run")
def run_command():
    """运行定时任务调度器（生产环境单独一个进程；多实例时由数据库租约保证只有一个在执行）。"""
    leased = LeasedScheduler(current_app._get_current_object())
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    leased.start()
    click.echo(f"调度器已启动（{leased.holder}），任务：{', '.join(j.id for j in JOBS)}")
    stop.wait()
    leased.stop()
    click.echo("调度器已停止。")


def register(app: Flask) -> None:
    app.cli.add_command(scheduler)
