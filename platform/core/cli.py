"""Running a CLI command or a scheduled job as one unit of work: commit once, or roll back."""
from contextlib import contextmanager

import click
from sqlalchemy.exc import OperationalError

from .errors import DomainError
from .extensions import db


@contextmanager
def unit_of_work():
    """Commit when the block finishes; roll back and report in Chinese when a rule refuses it."""
    try:
        yield
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        field = f"（{exc.field}）" if exc.field else ""
        raise click.ClickException(f"{exc.message}{field}") from exc
    except OperationalError as exc:  # locked past the busy timeout, or the connection lost
        db.session.rollback()
        raise click.ClickException(f"数据库繁忙或无法连接，本次操作没有保存，请稍后重试。（{exc.orig}）") from exc
    except Exception:
        db.session.rollback()
        raise


def run_import(importer, path) -> None:
    """The body of an `import FILE` command: `importer(data, filename, progress=...)` runs as one unit
    of work behind a progress bar; each refused row goes to stderr, then the summary; the command
    exits non-zero when any row was refused (DESIGN §4)."""
    import sys

    with unit_of_work():
        with click.progressbar(length=1, label="导入中", file=sys.stderr) as bar:
            def progress(done, total):
                bar.length = total
                bar.update(done - bar.pos)

            report = importer(path.read_bytes(), path.name, progress=progress)
    for row, column, reason in report.errors:
        click.echo(f"第 {row} 行 [{column}]：{reason}", err=True)
    click.echo(report.summary())
    if report.errors:
        sys.exit(1)
