"""The public shell: a Chinese home page, Chinese error pages, /healthz, security headers,
and no private contact data on any public page."""
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy.exc import OperationalError

from foundation_helpers import text
from platform.core.extensions import db

PHONE, CONTACT = "0771-5551234", "联系人甲"


def test_the_home_page_is_in_chinese(world, client):
    response = client.get("/")
    assert response.status_code == 200
    html = text(response)
    assert '<html lang="zh-CN">' in html
    assert "<title>广西清洁生产信息平台</title>" in html
    assert "已登记企业 2 家" in html
    assert 'href="/login"' in html


def test_a_logged_in_visitor_sees_who_they_are_and_can_log_out(world, client_for):
    html = text(client_for(world.regulator_a).get("/"))
    assert "监管部门 · 南宁市" in html
    assert 'action="/logout"' in html and 'href="/login"' not in html


def test_an_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "404 · 页面不存在" in text(response)


def test_a_forbidden_page_is_a_chinese_403(world, client_for):
    response = client_for(world.expert).get("/enterprises/")
    assert response.status_code == 403
    assert "403 · 无权访问" in text(response)


def test_a_wrong_method_is_a_chinese_405(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "不支持的请求方式" in text(response)


@pytest.mark.config(PROPAGATE_UNEXPECTED=False)
def test_an_unexpected_error_is_a_chinese_500_that_reveals_nothing(client, monkeypatch):
    from platform.public import views

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views, "render_template", broken)
    response = client.get("/")
    assert response.status_code == 500
    html = text(response)
    assert "500 · 服务器内部错误" in html
    assert "secret internals" not in html and "Traceback" not in html


@pytest.mark.config(PROPAGATE_UNEXPECTED=False)
def test_an_unexpected_api_error_is_500_in_the_error_shape(client, monkeypatch):
    from platform.core import access

    monkeypatch.setattr(access, "_token_loader", lambda token: 1 / 0)
    response = client.get("/api/v1/enterprises", headers={"Authorization": "Bearer x"})
    assert response.status_code == 500
    assert response.json["error"]["code"] == "server_error"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"]["database"] == "ok"


def test_healthz_says_when_the_database_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "degraded"
    assert response.json["checks"]["database"].startswith("error")


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/healthz", "/api/v1/enterprises"])
def test_every_answer_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_the_session_cookie_is_not_readable_by_scripts(world, client):
    response = client.post("/login", data={"username": world.admin.username, "password": "Passw0rd-test"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _public_pages(client) -> set[str]:
    """The home page and every same-site page it links to (what the public can reach)."""
    home = text(client.get("/"))
    links = {urlsplit(href).path for href in re.findall(r'href="([^"]+)"', home)}
    return {"/"} | {path for path in links if path.startswith("/") and not path.startswith("/static/")}


def test_contact_data_never_appears_on_public_pages(world, client):
    world.ent_a.contact_person, world.ent_a.contact_phone = CONTACT, PHONE
    db.session.commit()
    pages = _public_pages(client) | {f"/audit-status?q={world.ent_a.name}", f"/audit-status/{world.ent_a.uscc}",
                                     f"/api/v1/enterprises/{world.ent_a.uscc}/audit-status"}
    for path in sorted(pages):
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert PHONE not in body and CONTACT not in body, path


def test_the_enterprise_itself_and_its_regulator_do_see_the_contact_data(world, client_for):
    world.ent_a.contact_phone = PHONE
    db.session.commit()
    assert PHONE in text(client_for(world.enterprise_a).get("/enterprises/mine"))
    assert PHONE in text(client_for(world.regulator_a).get(f"/enterprises/{world.ent_a.id}"))
