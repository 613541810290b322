"""CSRF on every form: a POST without the page's token is refused, in Chinese; with it, it works."""
import pytest
from sqlalchemy import select

from foundation_helpers import count, csrf_token, text
from platform.accounts.models import User
from platform.enterprises.uscc import make
from platform.core.extensions import db

pytestmark = pytest.mark.config(WTF_CSRF_ENABLED=True)

PASSWORD = "Passw0rd-test"
NEW_ENTERPRISE = {"name": "南宁戊制药有限公司", "uscc": make("450100", 8080), "division_code": "450100",
                  "industry_code": "2710", "permit_class": "", "park_id": ""}


def _assert_refused(response):
    assert response.status_code == 400
    assert "表单已过期或来源不明" in text(response)


def test_logging_in_without_the_token_is_refused(world, client):
    _assert_refused(client.post("/login", data={"username": world.admin.username, "password": PASSWORD}))
    assert client.get("/admin/users").status_code == 302


def test_logging_in_with_the_token_of_the_login_page_works(world, client):
    token = csrf_token(text(client.get("/login")))
    response = client.post("/login", data={"username": world.admin.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_a_token_that_is_not_the_sessions_own_is_refused(world, client, app):
    other = app.test_client()
    stolen = csrf_token(text(other.get("/login")))
    _assert_refused(client.post("/login", data={
        "username": world.admin.username, "password": PASSWORD, "csrf_token": stolen}))


def test_registering_an_enterprise_without_the_token_is_refused_and_nothing_written(world, client_for):
    enterprises = count()
    _assert_refused(client_for(world.regulator_a).post("/enterprises/new", data=NEW_ENTERPRISE))
    assert count() == enterprises


def test_registering_an_enterprise_with_the_forms_token_works(world, client_for):
    client = client_for(world.regulator_a)
    token = csrf_token(text(client.get("/enterprises/new")))
    assert client.post("/enterprises/new", data={**NEW_ENTERPRISE, "csrf_token": token}).status_code == 302
    assert count() == 3


def test_changing_the_password_needs_the_token(world, client_for):
    client = client_for(world.expert)
    form = {"current_password": PASSWORD, "new_password": "Neues-Passw0rt", "confirm": "Neues-Passw0rt"}
    _assert_refused(client.post("/account/password", data=form))
    token = csrf_token(text(client.get("/account/password")))
    assert client.post("/account/password", data={**form, "csrf_token": token}).status_code == 302


def test_logging_out_needs_the_token(world, client_for):
    client = client_for(world.expert)
    _assert_refused(client.post("/logout"))
    token = csrf_token(text(client.get("/")))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_admin_actions_need_the_token(world, client_for):
    _assert_refused(client_for(world.admin).post(f"/admin/users/{world.expert.id}/deactivate"))
    assert db.session.scalar(select(User.active).where(User.id == world.expert.id))


def test_the_token_free_api_is_not_subject_to_csrf(world, client):
    response = client.post("/api/v1/enterprises")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
