"""Test world: a migrated database per test, factories for the people and things in it.

Set TEST_DATABASE_URL=postgresql+psycopg://... to run the suite on PostgreSQL; the default is
a SQLite file copied from a template migrated once per session.
"""
import os
import shutil
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
from flask_login import FlaskLoginClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from platform import create_app  # noqa: E402
from platform.extensions import db  # noqa: E402

PASSWORD = "Passw0rd-test"
REFERENCE_TABLES = {"divisions", "industries", "alembic_version"}
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


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


@pytest.fixture
def app(template_db, tmp_path, request):
    if template_db is None:
        url = POSTGRES_URL
    else:
        shutil.copy(template_db, tmp_path / "test.db")
        url = f"sqlite:///{tmp_path / 'test.db'}"
    overrides = _test_config(url, tmp_path)
    marker = request.node.get_closest_marker("config")
    if marker:
        overrides.update(marker.kwargs)
    app = create_app(overrides, "test")
    app.test_client_class = FlaskLoginClient
    # Requests made while the test holds an app context share its `g`; Flask-Login caches the
    # user there, so each request must look its user up afresh, as it does in production.
    @app.before_request
    def forget_cached_user():
        g.pop("_login_user", None)

    with app.app_context():
        if template_db is None:
            _truncate()
        yield app
        db.session.remove()
        db.engine.dispose()


def _truncate():
    tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    db.session.commit()


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
        enterprise = services.create(None, raw)
        db.session.commit()
        return enterprise

    return factory


@pytest.fixture
def make_user(app):
    from platform.accounts import services

    counter = iter(range(1, 10**6))

    def factory(role: str, city: str | None = None, enterprise=None, username: str | None = None):
        user = services.create_user(
            None, username=username or f"{role}-{next(counter)}", password=PASSWORD, role=role,
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
