"""A live server and a real Chromium for the browser tests.

The server is the platform built on its own copy of the migrated template database, with CSRF
enabled (the forms carry real tokens), served by werkzeug in a thread on a free port. Chromium is
Debian's, driven by Playwright (Playwright's own browser download does not work on this machine).
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from browser_world import CHROMIUM_ARGS, PASSWORD, seed
from platform import create_app


def _config(database_url: str, tmp: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "WTF_CSRF_ENABLED": True,
        "UPLOAD_DIR": str(tmp / "uploads"),
        "SEARCH_EMBEDDED_PATH": str(tmp / "search.sqlite3"),
        "CREDIT_DROP_DIR": str(tmp / "credit-drop"),
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "PROPAGATE_UNEXPECTED": False,  # a server error is a page, as a real user would see it
    }


def _serve(template_db, tmp: Path, **extra):
    """Build the platform on its own copy of the template database, seed it and serve it in a
    thread; returns (app, server, thread)."""
    database = tmp / "browser.db"
    if template_db is not None:
        shutil.copy(template_db, database)
    app = create_app({**_config(f"sqlite:///{database}", tmp), **extra}, "test")
    with app.app_context():
        if template_db is None:  # the suite runs on PostgreSQL: the browser keeps to its own SQLite
            from flask_migrate import upgrade

            upgrade()
        seed()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return app, server, thread


@pytest.fixture(scope="session")
def live_server(template_db, tmp_path_factory):
    """The base URL of a running platform with two cities' enterprises and a user of every role."""
    _app, server, thread = _serve(template_db, tmp_path_factory.mktemp("browser"))
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def mailing_server(template_db, tmp_path_factory):
    """(base URL, app) of a second running platform, the same people, that sends e-mail: SMTP is set
    and MAIL_CAPTURE keeps each message in the app's core.mail.outbox() instead of sending it."""
    app, server, thread = _serve(template_db, tmp_path_factory.mktemp("browser-mail"),
                                 MAIL_SERVER="smtp.test:25", MAIL_CAPTURE=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["SITE_URL"] = url  # the weekly digest's links (no request to take the host from)
    yield url, app
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.skip(f"Chromium not found at {executable} (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab with no cookies, whose relative URLs go to the live server."""
    context = chromium.new_context(base_url=live_server, locale="zh-CN")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def log_in(page):
    """`log_in(username)`: through the real login form, as a person would."""
    def submit(username: str, password: str = PASSWORD):
        page.goto("/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        return page
    return submit
