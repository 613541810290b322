"""Security headers on every kind of answer, and the production configuration's cookies and errors.

Every response — page, JSON, error page, static file, download, redirect — forbids framing, MIME
sniffing and foreign scripts. In production the session and remember-me cookies are Secure, HttpOnly
and SameSite=Lax, DEBUG is off, and an unexpected exception is the Chinese 500 page, never a traceback.
"""
import shutil
from http.cookies import SimpleCookie

import pytest

from testdb import POSTGRES_URL, truncate
from platform import create_app
from platform.core.extensions import db
from routes_world import PASSWORD, built_world, walker  # noqa: F401
from platform.core.access import SYSTEM

CSP_PARTS = ("default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'")


def assert_secure_headers(response, what: str):
    assert response.headers.get("X-Frame-Options") == "DENY", what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    csp = response.headers.get("Content-Security-Policy", "")
    missing = [part for part in CSP_PARTS if part not in csp]
    assert not missing, f"{what}: Content-Security-Policy lacks {missing}: {csp!r}"


@pytest.mark.parametrize("role, path, status, kind", [
    ("anonymous", "/", 200, "text/html"),
    ("anonymous", "/api/v1/", 200, "application/json"),
    ("anonymous", "/api/v1/stats/summary", 200, "application/json"),
    ("anonymous", "/static/css/app.css", 200, "text/css"),
    ("anonymous", "/static/js/stats-charts.js", 200, "text/javascript"),
    ("anonymous", "/technologies/export.xlsx", 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("anonymous", "/credit/export.csv", 200, "text/csv"),
    ("enterprise_a", "/audits/reports/{report_a}", 200, "application/pdf"),
    ("regulator_a", "/credit/repairs/{repair}/proof", 200, "application/pdf"),
    ("anonymous", "/audits/rounds", 302, "text/html"),  # to the login page
    ("anonymous", "/no-such-page", 404, "text/html"),
    ("anonymous", "/api/v1/no-such-thing", 404, "application/json"),
    ("enterprise_b", "/audits/rounds/{round_a}", 404, "text/html"),
    ("anonymous", "/api/v1/cases", 401, "application/json"),
    ("enterprise_a", "/api/v1/cases", 403, "application/json"),
    ("anonymous", "/logout", 405, "text/html"),
    ("anonymous", "/stats?year=abc", 422, "text/html"),
])
def test_every_kind_of_answer_carries_the_security_headers(walker, role, path, status, kind):
    response = walker.request(role, "GET", walker.fill(path))
    assert (response.status_code, response.mimetype) == (status, kind)
    assert_secure_headers(response, f"{role} GET {path}")


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_the_cross_site_refusal_carries_the_security_headers(walker):
    response = walker.request("regulator_a", "POST", "/enterprises/new", data={})
    assert response.status_code == 400 and "表单已过期或来源不明" in response.get_data(as_text=True)
    assert_secure_headers(response, "CSRF refusal")


@pytest.mark.config(PROPAGATE_UNEXPECTED=False)
def test_an_unexpected_error_page_carries_the_security_headers(walker, monkeypatch):
    import platform.public.views as public_views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(public_views, "render_template", broken)
    response = walker.request("anonymous", "GET", "/")
    assert response.status_code == 500 and "服务器内部错误" in response.get_data(as_text=True)
    assert_secure_headers(response, "500 page")


# --- the production configuration ----------------------------------------------------------------

@pytest.fixture
def production(template_db, tmp_path, monkeypatch):
    """The app as `create_app(…, "production")` builds it from the environment, on a migrated SQLite copy
    or, in the PostgreSQL run, on the emptied test database."""
    if template_db is None:
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{tmp_path / 'production.db'}"
        shutil.copy(template_db, tmp_path / "production.db")
    monkeypatch.setenv("SECRET_KEY", "production-secret-key-for-the-test")
    monkeypatch.setenv("DATABASE_URL", url)
    app = create_app({"UPLOAD_DIR": str(tmp_path / "uploads"), "SEARCH_EMBEDDED_PATH": str(tmp_path / "search.db"),
                      "CREDIT_DROP_DIR": str(tmp_path / "drop"), "SEARCH_INDEX_AFTER_COMMIT": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}, "production")

    def boom():
        raise RuntimeError("secret detail of a bug: /srv/platform/settings.py line 42")

    app.add_url_rule("/boom-for-the-test", "boom", boom)
    app.add_url_rule("/api/v1/boom-for-the-test", "api_boom", boom)
    with app.app_context():
        from platform.accounts.services import create_user

        if template_db is None:
            truncate()
        create_user(SYSTEM, username="prod-admin", password=PASSWORD, role="admin")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _log_in(app, remember: bool):
    """Log in through the form over HTTPS, as a browser does (CSRF token, same-site Referer)."""
    import re

    client = app.test_client()
    page = client.get("https://localhost/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"username": "prod-admin", "password": PASSWORD, "csrf_token": token, **({"remember": "y"} if remember else {})}
    response = client.post("https://localhost/login", data=form, headers={"Referer": "https://localhost/login"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client, response


def _set_cookies(response) -> dict:
    """name -> {attribute: value} of every Set-Cookie header."""
    out = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            attributes = {key: morsel[key] for key in ("secure", "httponly", "samesite") if morsel[key]}
            attributes["raw"] = header
            out[name] = attributes
    return out


def _assert_locked_down(cookie: dict, name: str):
    assert cookie.get("secure") is True, f"{name} cookie is not Secure: {cookie['raw']}"
    assert cookie.get("httponly") is True, f"{name} cookie is not HttpOnly: {cookie['raw']}"
    assert cookie.get("samesite") == "Lax", f"{name} cookie is not SameSite=Lax: {cookie['raw']}"


def test_production_reads_its_database_and_key_from_the_environment_and_runs_without_debug(production, tmp_path):
    assert production.config["SQLALCHEMY_DATABASE_URI"] == (POSTGRES_URL or f"sqlite:///{tmp_path / 'production.db'}")
    assert production.config["SECRET_KEY"] == "production-secret-key-for-the-test"
    assert production.debug is False and not production.config["DEBUG"] and not production.testing
    assert production.config["WTF_CSRF_ENABLED"] is not False


def test_production_refuses_to_start_without_a_secret_key_or_database(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({}, "production")
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.delenv("DATABASE_URL")
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app({}, "production")


def test_the_session_cookie_set_on_login_is_secure_httponly_and_lax(production):
    client, response = _log_in(production, remember=False)
    cookies = _set_cookies(response)
    assert "session" in cookies, f"no session cookie set on login: {response.headers.getlist('Set-Cookie')}"
    _assert_locked_down(cookies["session"], "session")
    assert "remember_token" not in cookies
    assert client.get("https://localhost/admin/users").status_code == 200  # the cookie works over HTTPS


def test_the_remember_me_cookie_is_secure_httponly_and_lax(production):
    client, response = _log_in(production, remember=True)
    cookies = _set_cookies(response)
    assert "remember_token" in cookies, f"no remember-me cookie: {response.headers.getlist('Set-Cookie')}"
    _assert_locked_down(cookies["remember_token"], "remember_token")
    _assert_locked_down(cookies["session"], "session")


def test_an_unexpected_error_in_production_is_the_chinese_500_page_without_a_traceback(production):
    response = production.test_client().get("https://localhost/boom-for-the-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "服务器内部错误" in page and "请稍后再试" in page
    for leak in ("Traceback", "RuntimeError", "secret detail", "settings.py", "Werkzeug", "__debugger__", "console"):
        assert leak not in page, f"the 500 page shows {leak!r}"
    assert_secure_headers(response, "production 500 page")

    api = production.test_client().get("https://localhost/api/v1/boom-for-the-test")
    assert api.status_code == 500 and api.get_json() == {
        "error": {"code": "server_error", "message": "服务器内部错误，请稍后再试。"}}
    assert_secure_headers(api, "production API 500")


def test_production_pages_carry_the_security_headers(production):
    client = production.test_client()
    for path in ("/", "/login", "/api/v1/", "/static/css/app.css", "/no-such-page"):
        assert_secure_headers(client.get(f"https://localhost{path}"), f"production GET {path}")
