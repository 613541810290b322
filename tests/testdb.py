"""Which database the tests run on: TEST_DATABASE_URL (PostgreSQL) per xdist worker, or "" for SQLite.

Importable from any test module (`from testdb import POSTGRES_URL`); tests/conftest.py uses it.
"""
import os

from sqlalchemy import text


def _worker_database(url: str) -> str:
    """The PostgreSQL database of this xdist worker (created on first use); `url` itself without xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _worker_database(os.environ.get("TEST_DATABASE_URL", ""))


REFERENCE_TABLES = {"divisions", "industries", "priority_chemicals", "alembic_version"}


def truncate() -> None:
    """Empty every table but the reference data, in the application context's database (PostgreSQL)."""
    from platform.core.extensions import db

    tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    db.session.commit()
