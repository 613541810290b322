"""Login sessions: each login its own token; logout, a password change and deactivation end every
session and remember-me cookie of the user; the CSRF token is renewed at login; API tokens can be
listed, revoked and given an expiry, and record their last use (security findings 4, 13, 14)."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from foundation_helpers import audit_entries, csrf_token, field_errors, text
from platform.accounts import services
from platform.accounts.models import ApiToken, LoginSession
from platform.core.extensions import db
from platform.core.access import SYSTEM

PASSWORD = "Passw0rd-test"
NEW_PASSWORD = "Newer-passw0rd"


def _sign_in(app, user, remember=True):
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "remember": "y" if remember else ""})
    assert response.status_code == 302
    return client


def _cookie(client, name):
    cookie = client.get_cookie(name, domain="localhost")
    return cookie.value if cookie else None


def _browser_with(app, **cookies):
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value, domain="localhost")
    return client


def _signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def test_each_login_gets_its_own_remember_token(app, world):
    first, second = _sign_in(app, world.regulator_a), _sign_in(app, world.regulator_a)
    assert _cookie(first, "remember_token") != _cookie(second, "remember_token")
    assert str(world.regulator_a.id) != _cookie(first, "remember_token").split("|")[0]


def test_logout_ends_the_session_cookie_and_the_remember_cookie_of_every_browser(app, world):
    browser, other = _sign_in(app, world.regulator_a), _sign_in(app, world.regulator_a)
    stolen = {"session": _cookie(browser, "session"), "remember_token": _cookie(browser, "remember_token")}
    browser.post("/logout")
    assert not _signed_in(_browser_with(app, session=stolen["session"]))
    assert not _signed_in(_browser_with(app, remember_token=stolen["remember_token"]))
    assert not _signed_in(other)
    ended = db.session.scalars(select(LoginSession).where(LoginSession.user_id == world.regulator_a.id)).all()
    assert {(s.end_reason is not None) for s in ended} == {True}


def test_a_remember_cookie_alone_signs_in_until_logout(app, world):
    browser = _sign_in(app, world.regulator_a)
    assert _signed_in(_browser_with(app, remember_token=_cookie(browser, "remember_token")))


def test_a_password_change_ends_every_other_login_and_keeps_this_one(app, world):
    browser, other = _sign_in(app, world.regulator_a), _sign_in(app, world.regulator_a)
    old_remember = _cookie(browser, "remember_token")
    response = browser.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert _signed_in(browser)
    assert not _signed_in(other)
    assert not _signed_in(_browser_with(app, remember_token=old_remember))
    assert audit_entries("user.password")[-1].object_id == str(world.regulator_a.id)


def test_deactivation_ends_the_remember_cookie_too(app, world):
    browser = _sign_in(app, world.expert)
    remember = _cookie(browser, "remember_token")
    services.set_active(world.admin, world.expert, False)
    db.session.commit()
    services.set_active(world.admin, world.expert, True)  # even when the account comes back
    db.session.commit()
    assert not _signed_in(_browser_with(app, remember_token=remember))


def test_a_login_session_ends_after_its_days(app, world):
    browser = _sign_in(app, world.regulator_a)
    row = db.session.scalars(select(LoginSession).where(LoginSession.user_id == world.regulator_a.id)).one()
    row.created_at -= timedelta(days=app.config["LOGIN_SESSION_DAYS"] + 1)
    db.session.commit()
    assert not _signed_in(browser)


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_the_csrf_token_is_renewed_at_login(app, world):
    client = app.test_client()
    form = csrf_token(text(client.get("/login")))
    with client.session_transaction() as session:
        before = session.get("csrf_token")
    assert before
    response = client.post("/login", data={"username": world.regulator_a.username, "password": PASSWORD,
                                           "csrf_token": form})
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 200
    with client.session_transaction() as session:
        after = session.get("csrf_token")
    assert after and after != before


# --- API tokens ----------------------------------------------------------------------------------

def _api(client, token):
    return client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {token}"})


def test_a_user_issues_lists_and_revokes_their_own_tokens(app, world, client_for, client):
    browser = client_for(world.regulator_a)
    page = browser.post("/account/tokens", data={"name": "数据对接"})
    assert page.status_code == 200
    plain = text(page).split('class="token">')[1].split("<")[0]
    assert plain.startswith("gxcp_")
    assert _api(client, plain).status_code == 200
    row = db.session.scalars(select(ApiToken).where(ApiToken.user_id == world.regulator_a.id)).one()
    assert row.last_used_at is not None
    listing = text(browser.get("/account/tokens"))
    assert "数据对接" in listing and plain not in listing  # shown once, never again
    assert browser.post(f"/account/tokens/{row.id}/revoke").status_code == 302
    assert _api(client, plain).status_code == 401
    assert audit_entries("token.revoke")[-1].actor_id == world.regulator_a.id


def test_nobody_else_sees_or_revokes_a_users_token(app, world, client_for):
    token = services.issue_token(SYSTEM, world.regulator_a, "甲的令牌")
    db.session.commit()
    row = db.session.scalars(select(ApiToken).where(ApiToken.user_id == world.regulator_a.id)).one()
    assert client_for(world.regulator_b).post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert client_for(world.regulator_b).get(f"/admin/users/{world.regulator_a.id}/tokens").status_code == 403
    assert _api(app.test_client(), token).status_code == 200


def test_an_admin_lists_and_revokes_any_users_tokens(app, world, client_for):
    token = services.issue_token(SYSTEM, world.regulator_a, "甲的令牌")
    db.session.commit()
    admin = client_for(world.admin)
    assert "甲的令牌" in text(admin.get(f"/admin/users/{world.regulator_a.id}/tokens"))
    row = db.session.scalars(select(ApiToken).where(ApiToken.user_id == world.regulator_a.id)).one()
    response = admin.post(f"/account/tokens/{row.id}/revoke")
    assert response.headers["Location"].endswith(f"/admin/users/{world.regulator_a.id}/tokens")
    assert _api(app.test_client(), token).status_code == 401


def test_a_token_works_through_its_last_day_and_not_after(app, world):
    token = services.issue_token(SYSTEM, world.regulator_a, "短期", expires_on=date(2026, 3, 10), today=date(2026, 3, 1))
    db.session.commit()
    assert services.user_for_token(token, now=datetime(2026, 3, 10, 15, 59)) == world.regulator_a  # 23:59 Beijing
    assert services.user_for_token(token, now=datetime(2026, 3, 10, 16, 0)) is None  # 00:00 on the 11th
    row = db.session.scalars(select(ApiToken).where(ApiToken.user_id == world.regulator_a.id)).one()
    assert row.last_used_at == datetime(2026, 3, 10, 15, 59)


def test_an_expiry_in_the_past_is_refused_beside_the_field(world, client_for):
    response = client_for(world.regulator_a).post("/account/tokens", data={"name": "x", "expires_on": "2020-01-01"})
    assert response.status_code == 422
    assert field_errors(text(response)) == {"expires_on": ["有效期须晚于今天。"]}
