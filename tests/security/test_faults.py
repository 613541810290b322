"""The database locked, failing or gone for a moment in the middle of a request: the answer is a
clear 503 in Chinese (a page, or the API's JSON error) with Retry-After, never a traceback; nothing
of the request is kept; and once the fault has passed, the same request succeeds.

Faults: another connection holding SQLite's exclusive lock (a short busy timeout), a statement
failing half-way through a write, the commit itself failing, and the database file unreachable.
"""
import sqlite3
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from abuse_helpers import bearer, overdue_case, row_counts
from platform.audits.models import Case
from platform.enterprises.models import Enterprise
from platform.enterprises.uscc import make
from platform.core.extensions import db

BUSY = "数据库繁忙，请稍后再试。"
NEW_ENTERPRISE = {"name": "南宁故障测试有限公司", "uscc": make("450100", 616161), "division_code": "450102",
                  "industry_code": "3130"}

@pytest.fixture
def sqlite_file(app):
    url = db.engine.url
    assert url.get_backend_name() == "sqlite"  # the lock is SQLite's: `sqlite_only` tests
    return url.database


@pytest.fixture
def short_busy_timeout(app):
    """Connections wait 100 ms for a lock instead of pysqlite's 5 s."""
    def set_timeout(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout = 100")

    event.listen(db.engine, "connect", set_timeout)
    db.session.commit()  # no connection held, so that every new one has the timeout
    db.engine.dispose()
    yield
    event.remove(db.engine, "connect", set_timeout)
    db.engine.dispose()


@contextmanager
def exclusive_lock(path: str):
    """Another process's write transaction holding the database (BEGIN EXCLUSIVE)."""
    db.session.commit()  # the test's own session holds no transaction open meanwhile
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


def enterprises_named(name: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.name == name))


def assert_busy_page(response) -> None:
    assert response.status_code == 503, response.status_code
    assert response.headers.get("Retry-After", "").isdigit()
    assert response.headers["X-Frame-Options"] == "DENY"  # the usual headers, even on a failed commit
    body = response.get_data(as_text=True)
    assert BUSY in body and "Traceback" not in body and "OperationalError" not in body


def assert_busy_json(response) -> None:
    assert response.status_code == 503 and response.is_json
    assert response.headers.get("Retry-After", "").isdigit()
    assert response.get_json()["error"] == {"code": "database_unavailable", "message": BUSY}


# --- a lock held by another connection -----------------------------------------------------------------------

@pytest.mark.sqlite_only
def test_a_form_post_while_another_connection_holds_the_lock_is_a_503_and_the_retry_succeeds(
        app, world, client_for, sqlite_file, short_busy_timeout):
    client = client_for(world.regulator_a)
    before = row_counts()
    with exclusive_lock(sqlite_file):
        assert_busy_page(client.post("/enterprises/new", data=NEW_ENTERPRISE))
        assert_busy_page(app.test_client().get("/lists"))  # a read waits in vain too
    assert row_counts() == before
    retry = client.post("/enterprises/new", data=NEW_ENTERPRISE)
    assert retry.status_code == 302
    assert enterprises_named(NEW_ENTERPRISE["name"]) == 1


@pytest.mark.sqlite_only
def test_an_api_write_while_the_database_is_locked_is_a_503_json_error_and_the_retry_succeeds(
        app, world, sqlite_file, short_busy_timeout):
    case = overdue_case(world, world.ent_a)
    url, deadline_before = f"/api/v1/cases/{case.id}/rectification", case.rectification_deadline
    headers, body = bearer(world.regulator_a), {"deadline": "2027-01-31", "note": "限期整改"}
    before = row_counts()
    with exclusive_lock(sqlite_file):
        assert_busy_json(app.test_client().post(url, json=body, headers=headers))
    assert row_counts() == before
    assert case.rectification_deadline == deadline_before
    retry = app.test_client().post(url, json=body, headers=headers)
    assert retry.status_code == 200, retry.get_json()
    db.session.refresh(case)
    assert case.rectification_deadline == date(2027, 1, 31)


# --- a statement failing half-way through a write ------------------------------------------------------------

@contextmanager
def failing_statement(match: str, nth: int = 1):
    """The `nth` statement whose SQL starts with `match` fails as a lost connection would."""
    seen = {"n": 0}

    def fail(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(match):
            seen["n"] += 1
            if seen["n"] == nth:
                raise OperationalError(statement, parameters, sqlite3.OperationalError("disk I/O error"))

    event.listen(db.engine, "before_cursor_execute", fail)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", fail)


def test_a_write_whose_second_insert_fails_keeps_nothing_of_the_first(app, world, client_for):
    """The enterprise row is inserted, then its audit-log entry fails: neither is kept."""
    client = client_for(world.regulator_a)
    before = row_counts()
    with failing_statement("INSERT", nth=2) as seen:
        assert_busy_page(client.post("/enterprises/new", data=NEW_ENTERPRISE))
    assert seen["n"] == 2
    assert row_counts() == before and enterprises_named(NEW_ENTERPRISE["name"]) == 0
    assert client.post("/enterprises/new", data=NEW_ENTERPRISE).status_code == 302
    assert enterprises_named(NEW_ENTERPRISE["name"]) == 1


def test_an_api_write_whose_update_fails_is_a_503_json_error(app, world):
    case = overdue_case(world, world.ent_a)
    headers = bearer(world.regulator_a)
    before = row_counts()
    with failing_statement("UPDATE"):
        assert_busy_json(app.test_client().post(f"/api/v1/cases/{case.id}/rectification",
                                                json={"deadline": "2027-01-31"}, headers=headers))
    assert row_counts() == before
    assert db.session.get(Case, case.id).rectification_deadline != date(2027, 1, 31)


# --- the commit itself failing ------------------------------------------------------------------------------

def test_a_form_post_whose_commit_fails_is_a_503_page_and_keeps_nothing(app, world, client_for, failing_commit):
    client = client_for(world.regulator_a)
    before = row_counts()
    with failing_commit() as calls:
        response = client.post("/enterprises/new", data=NEW_ENTERPRISE)
    assert calls["n"] == 1
    assert_busy_page(response)
    assert "Location" not in response.headers  # not the redirect to a record that does not exist
    db.session.rollback()
    assert row_counts() == before
    assert client.post("/enterprises/new", data=NEW_ENTERPRISE).status_code == 302
    assert enterprises_named(NEW_ENTERPRISE["name"]) == 1


def test_an_api_write_whose_commit_fails_is_a_503_json_error_and_keeps_nothing(app, world, failing_commit):
    case = overdue_case(world, world.ent_a)
    headers = bearer(world.regulator_a)
    before = row_counts()
    with failing_commit():
        assert_busy_json(app.test_client().post(f"/api/v1/cases/{case.id}/rectification",
                                                json={"deadline": "2027-01-31"}, headers=headers))
    db.session.rollback()
    assert row_counts() == before
    assert db.session.get(Case, case.id).rectification_deadline != date(2027, 1, 31)


# --- the database unreachable -----------------------------------------------------------------------------------

def test_pages_and_the_api_say_so_while_the_database_cannot_be_reached(app, world, client_for):
    def unreachable(dialect, conn_rec, cargs, cparams):  # the driver's own error: sqlite3's, or psycopg's
        raise dialect.loaded_dbapi.OperationalError("unable to open database file / connection refused")

    client = client_for(world.regulator_a)
    db.session.commit()
    db.engine.dispose()
    event.listen(db.engine, "do_connect", unreachable)
    try:
        assert_busy_page(app.test_client().get("/"))
        assert_busy_page(client.get("/enterprises/"))
        assert_busy_json(app.test_client().get("/api/v1/credit-records"))
        assert_busy_json(app.test_client().get("/api/v1/cases", headers={"Authorization": "Bearer gxcp_x"}))
    finally:
        event.remove(db.engine, "do_connect", unreachable)
    assert client.get("/enterprises/").status_code == 200


# --- a command line import -------------------------------------------------------------------------------------

@pytest.mark.sqlite_only
def test_an_import_command_while_the_database_is_locked_exits_with_a_chinese_message_and_writes_nothing(
        app, world, tmp_path, sqlite_file, short_busy_timeout):
    path = tmp_path / "名录.csv"
    path.write_text("企业名称,统一社会信用代码,行政区划代码,行业代码\n"
                    f"{NEW_ENTERPRISE['name']},{NEW_ENTERPRISE['uscc']},450102,3130\n", encoding="utf-8")
    before = row_counts()
    with exclusive_lock(sqlite_file):
        result = app.test_cli_runner().invoke(args=["enterprises", "import", str(path)])
    assert result.exit_code == 1 and "数据库繁忙" in result.output and "Traceback" not in result.output
    db.session.rollback()
    assert row_counts() == before
    retry = app.test_cli_runner().invoke(args=["enterprises", "import", str(path)])
    assert retry.exit_code == 0 and "新增 1" in retry.output
    assert enterprises_named(NEW_ENTERPRISE["name"]) == 1
