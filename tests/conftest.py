"""Test world: a migrated database per test, factories for the people and things in it.

Set TEST_DATABASE_URL=postgresql+psycopg://... to run the suite on PostgreSQL (`make test` runs it
on both, the second time on a cluster of its own, scripts/pg-test-server); the default is a SQLite
file copied from a template migrated once per session. Under pytest-xdist each worker on PostgreSQL
has a database of its own beside the one named (gxcp_gw0, gxcp_gw1, …).

Markers: `sqlite_only` tests are left out of a PostgreSQL run and `postgresql_only` ones out of a
SQLite run (deselected, not skipped: each runs in the pass it belongs to).
"""
import os
import shutil
import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# pytest imported the standard library's `platform`; ours replaces it (see platform/__init__.py).
if not hasattr(sys.modules.get("platform"), "__path__"):
    sys.modules.pop("platform", None)

os.environ.setdefault("PLATFORM_ENV", "test")

from flask import g  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.pool import Pool  # noqa: E402

from platform import create_app  # noqa: E402
from platform.core.extensions import db  # noqa: E402
from platform.core.access import SYSTEM

PASSWORD = "Passw0rd-test"

from testdb import POSTGRES_URL, truncate  # noqa: E402  (this worker's PostgreSQL database, or "")


def pytest_configure(config):
    """REQUIRE_POSTGRESQL=1 (`make test`'s second pass): no PostgreSQL 15 or newer is a failure, not a SQLite run."""
    if os.environ.get("REQUIRE_POSTGRESQL") != "1":
        return
    if not POSTGRES_URL:
        raise pytest.UsageError("REQUIRE_POSTGRESQL=1 but TEST_DATABASE_URL is not set")
    from sqlalchemy import create_engine

    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            version = conn.scalar(text("SHOW server_version_num"))
    except Exception as exc:
        raise pytest.UsageError(f"REQUIRE_POSTGRESQL=1 but {engine.url!r} does not answer: {exc}") from exc
    finally:
        engine.dispose()
    if int(version) < 150000:
        raise pytest.UsageError(f"REQUIRE_POSTGRESQL=1 but the server is PostgreSQL {version}, not 15 or newer")


def pytest_collection_modifyitems(config, items):
    """Leave out the tests of the other database (deselected, so FAIL_ON_SKIP has nothing to say)."""
    other = "sqlite_only" if POSTGRES_URL else "postgresql_only"
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker(other) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _test_config(database_url: str, tmp: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_DIR": str(tmp / "uploads"),
        "SEARCH_EMBEDDED_PATH": str(tmp / "search.sqlite3"),
        "CREDIT_DROP_DIR": str(tmp / "credit-drop"),
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def _migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """Migrate once; each test starts from a copy (SQLite) or from truncated tables (PostgreSQL)."""
    tmp = tmp_path_factory.mktemp("template")
    if POSTGRES_URL:
        _migrate(create_app(_test_config(POSTGRES_URL, tmp), "test"))
        return None
    path = tmp / "template.db"
    _migrate(create_app(_test_config(f"sqlite:///{path}", tmp), "test"))
    return path


@pytest.fixture(autouse=True)
def unsynced_sqlite():
    """A test database is thrown away after the test: skip the fsync of every commit (~12 ms each)."""
    def no_fsync(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=OFF")
            dbapi_connection.execute("PRAGMA journal_mode=MEMORY")

    event.listen(Pool, "connect", no_fsync)
    yield
    event.remove(Pool, "connect", no_fsync)


@pytest.fixture(scope="session")
def _apps():
    return {}  # configuration overrides -> (app, its database file)


PER_TEST_PATHS = ("UPLOAD_DIR", "SEARCH_EMBEDDED_PATH", "CREDIT_DROP_DIR")


@pytest.fixture
def app(template_db, tmp_path, tmp_path_factory, request, _apps):
    """The application on a fresh database, with fresh folders and its own configuration.

    Building an app compiles every feature's URL rules (~0.1 s), so one app per configuration
    (the `config` marker's overrides) serves every test; its configuration is restored after each.
    """
    marker = request.node.get_closest_marker("config")
    overrides = dict(marker.kwargs) if marker else {}
    key = tuple(sorted(overrides.items()))
    if key not in _apps:
        home = tmp_path_factory.mktemp("app")
        url = POSTGRES_URL or f"sqlite:///{home / 'test.db'}"
        built = create_app({**_test_config(url, home), **overrides}, "test")
        built.test_client_class = SignedInClient

        @built.before_request
        def forget_cached_user():
            # Requests made while the test holds an app context share its `g`; Flask-Login caches
            # the user there, so each request must look its user up afresh, as in production.
            g.pop("_login_user", None)

        _apps[key] = (built, home / "test.db")
    built, database = _apps[key]
    if template_db is not None:
        shutil.copy(template_db, database)
    saved = dict(built.config)
    built.config.update({name: _test_config("", tmp_path)[name] for name in PER_TEST_PATHS})
    built.extensions.pop("search_backend", None)  # bound to the previous test's search file
    with built.app_context():
        if template_db is None:
            truncate()
        yield built
        db.session.remove()
        db.engine.dispose()
    built.config.clear()
    built.config.update(saved)
    built.extensions.pop("search_backend", None)




class SignedInClient(FlaskClient):
    """`app.test_client(user=user)`: a browser signed in as `user` by a login session of its own,
    as the login page would start one (Flask-Login's own test client would keep the user id)."""

    def __init__(self, *args, user=None, fresh_login: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            from platform.accounts.services import start_session
            from platform.core.extensions import db

            token = start_session(user, "127.0.0.1")
            db.session.commit()
            with self.session_transaction() as session:
                session["_user_id"], session["_fresh"] = token, fresh_login


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def client_for(app):
    """`client_for(user)`: a test client logged in as that user."""
    return lambda user: app.test_client(user=user)


# --- factories ---------------------------------------------------------------------------------

@pytest.fixture
def make_enterprise(app):
    from platform.enterprises import services
    from platform.enterprises.uscc import make

    counter = iter(range(1, 10**6))

    def factory(city: str = "450100", **fields):
        serial = next(counter)
        raw = {"name": f"测试企业{serial:04d}有限公司", "uscc": make(city, 9000 + serial), "division_code": city,
               "industry_code": "3130", **fields}
        enterprise = services.create(SYSTEM, raw)
        db.session.commit()
        return enterprise

    return factory


@pytest.fixture
def make_user(app):
    from platform.accounts import services
    from platform.core.access import SYSTEM

    counter = iter(range(1, 10**6))

    def factory(role: str, city: str | None = None, enterprise=None, username: str | None = None):
        user = services.create_user(
            SYSTEM, username=username or f"{role}-{next(counter)}", password=PASSWORD, role=role,
            division_code=city if role == "regulator" else None,
            enterprise_id=enterprise.id if enterprise is not None else None)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def world(make_enterprise, make_user):
    """Two cities, their enterprises and one user of every role — for access-control tests."""
    class World:
        ent_a = make_enterprise("450100", name="南宁甲钢铁有限公司")
        ent_b = make_enterprise("450200", name="柳州乙化工有限公司")
        enterprise_a = make_user("enterprise", enterprise=ent_a)
        enterprise_b = make_user("enterprise", enterprise=ent_b)
        regulator_a = make_user("regulator", city="450100")
        regulator_b = make_user("regulator", city="450200")
        province = make_user("regulator", city="450000")
        admin = make_user("admin")
        expert = make_user("expert")
        service_org = make_user("service_org")

    return World


@pytest.fixture
def failing_commit(app):
    """``with failing_commit() as calls:`` makes every COMMIT fail (the disk is full, the connection
    drops) after the statements before it succeeded; ``calls["n"]`` counts the attempts."""
    from contextlib import contextmanager

    from sqlalchemy.exc import OperationalError

    @contextmanager
    def failing():
        calls = {"n": 0}

        def fail(conn):
            calls["n"] += 1
            raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database or disk is full"))

        event.listen(db.engine, "commit", fail)
        try:
            yield calls
        finally:
            event.remove(db.engine, "commit", fail)

    return failing


@pytest.fixture
def as_of():
    """The fixed date tests use instead of the clock."""
    return date(2026, 3, 2)


# --- CI: a skipped test is a failure -------------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("FAIL_ON_SKIP") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped, but `make test` must run every test (FAIL_ON_SKIP=1): {reason}"
