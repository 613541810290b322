"""Running a CLI command or a scheduled job as one unit of work: commit once, or roll back."""
from contextlib import contextmanager

import click

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
    except Exception:
        db.session.rollback()
        raise
