"""Accounts: hashed passwords, logging in, slowing and locking after failures, unlocking,
deactivation, password changes, and `flask users create`."""
import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from foundation_helpers import audit_entries, field_errors, text
from platform.accounts import services
from platform.accounts.models import ApiToken, User
from platform.core.errors import PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.core.models_base import utcnow
from platform.core.access import SYSTEM

PASSWORD = "Passw0rd-test"  # the factories' password (tests/conftest.py)
T0 = datetime(2026, 3, 2, 9, 0, 0)


def _login(client, username, password, **query):
    return client.post("/login", query_string=query, data={"username": username, "password": password})


# --- passwords are stored hashed -----------------------------------------------------------------

def test_a_password_is_stored_only_as_a_salted_hash(world):
    stored = world.admin.password_hash
    assert PASSWORD not in stored
    assert check_password_hash(stored, PASSWORD)
    assert world.expert.password_hash != stored  # salted: the same password hashes differently


def test_production_hashes_with_scrypt(app, world):
    del app.config["PASSWORD_HASH_METHOD"]  # the suite's cheap method; production sets none
    user = services.create_user(SYSTEM, username="scrypt-user", password=PASSWORD, role="expert")
    assert user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize("password, message", [
    ("short1", "至少需要 10 个字符"), ("onlyletters", "同时包含字母和数字"), ("1234567890", "同时包含字母和数字")])
def test_a_weak_password_is_refused_when_an_account_is_created(app, password, message):
    with pytest.raises(ValidationError) as caught:
        services.create_user(SYSTEM, username="weak", password=password, role="expert")
    assert message in caught.value.message


# --- creating accounts ---------------------------------------------------------------------------

def test_a_username_is_unique(world):
    with pytest.raises(ValidationError) as caught:
        services.create_user(SYSTEM, username=world.admin.username, password=PASSWORD, role="expert")
    assert caught.value.field == "username"


@pytest.mark.parametrize("city", [None, "", "110000", "450102"])
def test_a_regulator_needs_the_province_or_one_city_as_its_scope(app, city):
    with pytest.raises(ValidationError) as caught:
        services.create_user(SYSTEM, username="reg", password=PASSWORD, role="regulator", division_code=city)
    assert caught.value.field == "division_code"


def test_an_enterprise_account_needs_its_enterprise(app):
    with pytest.raises(ValidationError):
        services.create_user(SYSTEM, username="ent", password=PASSWORD, role="enterprise")


def test_only_an_admin_creates_accounts(world):
    with pytest.raises(PermissionDenied):
        services.create_user(world.province, username="x", password=PASSWORD, role="expert")
    user = services.create_user(world.admin, username="new-expert", password=PASSWORD, role="expert")
    entry = audit_entries("user.create")[-1]
    assert (entry.actor_id, entry.object_id, entry.after["role"]) == (world.admin.id, str(user.id), "expert")


def test_the_admin_creates_a_city_regulator_through_the_form(world, client_for):
    response = client_for(world.admin).post("/admin/users/new", data={
        "username": "gl-regulator", "display_name": "桂林市生态环境局", "role": "regulator",
        "division_code": "450300", "password": PASSWORD})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "gl-regulator"))
    assert (user.role, user.division_code) == ("regulator", "450300")


def test_the_user_form_shows_a_refusal_beside_its_field(world, client_for):
    response = client_for(world.admin).post("/admin/users/new", data={
        "username": "new-ent", "role": "enterprise", "enterprise_uscc": "91350100M000100Y43", "password": PASSWORD})
    assert response.status_code == 422
    assert "未找到" in field_errors(text(response))["enterprise_uscc"][0]


@pytest.mark.parametrize("role", ["regulator_a", "province", "enterprise_a", "expert", "service_org"])
def test_only_the_admin_reaches_account_management(world, client_for, role):
    client = client_for(getattr(world, role))
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.post(f"/admin/users/{world.admin.id}/deactivate").status_code == 403


# --- logging in ------------------------------------------------------------------------------------

def test_logging_in_takes_each_role_to_its_own_start_page(world, client):
    for user, home in [(world.regulator_a, "/workbench"), (world.enterprise_a, "/audits/mine"),
                       (world.admin, "/admin/users"), (world.expert, "/"),  # no expert profile yet: no reviews
                       (world.service_org, "/service-orgs/mine")]:
        response = _login(client, user.username, PASSWORD)
        assert (response.status_code, response.headers["Location"]) == (302, home)
        client.post("/logout")


def test_after_logging_in_the_pages_of_the_role_open(world, client):
    _login(client, world.regulator_a.username, PASSWORD)
    assert client.get("/enterprises/").status_code == 200
    client.post("/logout")
    assert client.get("/enterprises/").status_code == 302


def test_a_wrong_password_is_refused_beside_the_password_and_counted(world, client):
    response = _login(client, world.regulator_a.username, "Wrong-passw0rd")
    assert response.status_code == 200
    assert field_errors(text(response)) == {"password": ["用户名或密码不正确。"]}
    assert services.recent_failures([world.regulator_a.username]) == {world.regulator_a.username: 1}
    assert client.get("/enterprises/").status_code == 302


def test_an_unknown_username_gets_the_same_answer_as_a_wrong_password(world, client):
    response = _login(client, "nobody-here", "Wrong-passw0rd")
    assert field_errors(text(response)) == {"password": ["用户名或密码不正确。"]}


def test_empty_fields_are_refused_in_chinese(client):
    response = _login(client, "", "")
    assert response.status_code == 422
    assert field_errors(text(response)) == {"username": ["请填写用户名。"], "password": ["请填写密码。"]}


def test_an_overlong_username_is_refused_in_chinese(client):
    response = _login(client, "x" * 81, "whatever")
    assert field_errors(text(response)) == {"username": ["字段长度不能超过 80 个字符。"]}


@pytest.mark.parametrize("target, expected", [
    ("/enterprises/", "/enterprises/"), ("https://evil.example/", "/workbench"),
    ("//evil.example/", "/workbench"), ("/\\evil.example", "/workbench")])
def test_after_login_only_same_site_pages_are_followed(world, client, target, expected):
    response = _login(client, world.regulator_a.username, PASSWORD, next=target)
    assert response.headers["Location"] == expected


# --- slowed, then locked: for the guesser's address, never for the owner ----------------------------

HOME, ATTACKER, ELSEWHERE = "10.0.0.5", "203.0.113.9", "198.51.100.7"


def _fail(username, at, address=ATTACKER):
    user, reason = services.authenticate(username, "Wrong-passw0rd", address, now=at)
    assert user is None
    return reason


def test_three_failures_in_a_row_make_the_next_attempt_wait(world):
    name = world.regulator_a.username
    for second in range(3):
        assert _fail(name, T0 + timedelta(seconds=second)) == "用户名或密码不正确。"
    user, reason = services.authenticate(name, PASSWORD, ATTACKER, now=T0 + timedelta(seconds=3))
    assert user is None
    assert reason == "登录失败次数较多，请 4 秒后再试。"
    assert services.recent_failures([name], T0) == {name: 3}  # a refused early attempt is not a failure


def test_after_the_wait_the_right_password_is_accepted_and_the_count_cleared(world):
    name = world.regulator_a.username
    for second in range(3):
        _fail(name, T0 + timedelta(seconds=second))
    user, reason = services.authenticate(name, PASSWORD, ATTACKER, now=T0 + timedelta(seconds=7))
    assert (user, reason) == (world.regulator_a, None)
    assert services.recent_failures([name], T0) == {}
    assert user.last_login_at == T0 + timedelta(seconds=7)


def test_the_wait_doubles_with_each_further_failure(world):
    name, at = world.regulator_a.username, T0
    for _ in range(3):
        _fail(name, at)
    waits = []
    for _ in range(4):
        reason = services.authenticate(name, PASSWORD, ATTACKER, now=at)[1]
        waits.append(int(reason.split("请 ")[1].split(" 秒")[0]))
        at += timedelta(seconds=waits[-1])
        _fail(name, at)
    assert waits == [5, 10, 20, 40]


def _fail_eight_times(name, address=ATTACKER, start=T0) -> datetime:
    at = start
    for _ in range(8):
        _fail(name, at, address)
        at += timedelta(seconds=200)  # longer than any wait
    return at - timedelta(seconds=200)


def test_eight_failures_lock_the_name_for_that_address_even_against_the_right_password(world):
    eighth = _fail_eight_times(world.regulator_a.username)
    user, reason = services.authenticate(world.regulator_a.username, PASSWORD, ATTACKER, now=eighth + timedelta(minutes=1))
    assert user is None
    assert "暂停" in reason and "30 分钟后" in reason


def test_the_owner_signs_in_from_elsewhere_while_an_attacker_keeps_guessing(world):
    """OWASP ASVS V2.2.1: throttling must not let an attacker lock out the owner."""
    name = world.regulator_a.username
    at = _fail_eight_times(name)
    for _ in range(5):  # the attacker goes on, once a minute; each is refused without a check
        at += timedelta(minutes=1)
        assert "暂停" in _fail(name, at)
        user, _ = services.authenticate(name, PASSWORD, HOME, now=at + timedelta(seconds=1))
        assert user == world.regulator_a


def test_the_lock_ends_thirty_minutes_after_the_last_failure_and_the_count_starts_afresh(world):
    """Before, the count was never reset: once the lock ran out one wrong password locked it again."""
    name = world.regulator_a.username
    eighth = _fail_eight_times(name)
    later = eighth + timedelta(minutes=30, seconds=1)
    assert _fail(name, later) == "用户名或密码不正确。"  # a single wrong password after the lock: no new lock
    user, _ = services.authenticate(name, PASSWORD, ATTACKER, now=later + timedelta(seconds=1))
    assert user == world.regulator_a


def test_an_address_that_guesses_many_names_is_refused_for_all_of_them(world, make_user):
    at = T0
    for i in range(services.ADDRESS_LIMIT):
        _fail(f"guess-{i}", at)
        at += timedelta(seconds=1)
    user, reason = services.authenticate(world.regulator_a.username, PASSWORD, ATTACKER, now=at)
    assert user is None and "此网络地址" in reason
    assert services.authenticate(world.regulator_a.username, PASSWORD, HOME, now=at)[0] == world.regulator_a


@pytest.mark.parametrize("who", ["unknown", "deactivated", "existing"])
def test_names_that_exist_or_not_are_answered_and_locked_alike(world, who):
    name = {"unknown": "nobody-here", "deactivated": world.expert.username, "existing": world.regulator_a.username}[who]
    if who == "deactivated":
        world.expert.active = False
    answers = [_fail(name, T0 + timedelta(seconds=200 * i)) for i in range(8)]
    assert answers == ["用户名或密码不正确。"] * 8
    reason = services.authenticate(name, PASSWORD, ATTACKER, now=T0 + timedelta(seconds=1500))[1]
    assert "暂停" in reason and "29 分钟后" in reason


def test_a_deactivated_account_costs_the_same_password_check_as_any_other(world, monkeypatch):
    """Before, a deactivated account was refused before its hash was checked (7 ms against 115 ms)."""
    checked = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    world.expert.active = False
    for name in (world.expert.username, "nobody-here", world.regulator_a.username):
        services.authenticate(name, "Wrong-passw0rd", ELSEWHERE, now=T0)
    assert len(checked) == 3
    method = world.regulator_a.password_hash.split("$")[0]
    assert all(h.split("$")[0] == method for h in checked)  # the stand-in hash is made as real ones are


def test_the_login_page_shows_the_lock(world, client):
    _fail_eight_times(world.regulator_a.username, "127.0.0.1", utcnow() - timedelta(minutes=25))
    response = _login(client, world.regulator_a.username, PASSWORD)
    assert "暂停" in field_errors(text(response))["password"][0]
    assert client.get("/enterprises/").status_code == 302


def test_the_admin_unlocks_an_account_and_it_is_logged(world, client_for, client):
    _fail_eight_times(world.regulator_a.username, "127.0.0.1", utcnow() - timedelta(minutes=25))
    db.session.commit()
    assert "暂停" in text(_login(client, world.regulator_a.username, PASSWORD))
    response = client_for(world.admin).post(f"/admin/users/{world.regulator_a.id}/unlock")
    assert response.status_code == 302
    assert services.recent_failures([world.regulator_a.username]) == {}
    entry = audit_entries("user.unlock")[-1]
    assert (entry.actor_id, entry.before, entry.after) == (world.admin.id, {"failed_logins": 8}, {"failed_logins": 0})
    assert _login(client, world.regulator_a.username, PASSWORD).status_code == 302


def test_only_an_admin_may_unlock(world):
    with pytest.raises(PermissionDenied):
        services.unlock(world.province, world.regulator_a)


# --- deactivation --------------------------------------------------------------------------------

def test_a_deactivated_account_cannot_log_in(world, client_for, client):
    assert client_for(world.admin).post(f"/admin/users/{world.expert.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert services.authenticate(world.expert.username, PASSWORD, HOME, now=T0) == (None, "用户名或密码不正确。")
    assert _login(client, world.expert.username, PASSWORD).status_code == 200
    assert audit_entries("user.deactivate")[-1].object_id == str(world.expert.id)


def test_a_deactivated_accounts_open_session_ends(world, client_for):
    client = client_for(world.regulator_a)
    assert client.get("/enterprises/").status_code == 200
    services.set_active(world.admin, world.regulator_a, False)
    db.session.commit()
    assert client.get("/enterprises/").status_code == 302


def test_a_deactivated_accounts_token_stops_working(world, client):
    token = services.issue_token(SYSTEM, world.regulator_a)
    services.set_active(world.admin, world.regulator_a, False)
    db.session.commit()
    assert client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_an_admin_cannot_deactivate_themself(world, client_for):
    response = client_for(world.admin).post(f"/admin/users/{world.admin.id}/deactivate")
    assert response.status_code == 422
    assert "不能停用自己的账号" in text(response)
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).active


# --- changing one's password ---------------------------------------------------------------------

NEW = "Neues-Passw0rt"


@pytest.mark.parametrize("form, field, message", [
    ({"current_password": "Wrong-passw0rd", "new_password": NEW, "confirm": NEW}, "current_password", "当前密码不正确。"),
    ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD}, "new_password", "新密码不能与当前密码相同。"),
    ({"current_password": PASSWORD, "new_password": "short1", "confirm": "short1"}, "new_password", "密码至少需要 10 个字符。"),
    ({"current_password": PASSWORD, "new_password": "abcdefghijk", "confirm": "abcdefghijk"}, "new_password", "密码须同时包含字母和数字。"),
    ({"current_password": PASSWORD, "new_password": NEW, "confirm": NEW + "x"}, "confirm", "两次填写的新密码不一致。"),
    ({"current_password": "", "new_password": NEW, "confirm": NEW}, "current_password", "请填写当前密码。"),
])
def test_a_password_change_that_breaks_a_rule_is_refused_beside_the_field(world, client_for, form, field, message):
    hash_before = world.expert.password_hash
    response = client_for(world.expert).post("/account/password", data=form)
    assert response.status_code == 422
    assert field_errors(text(response)) == {field: [message]}
    db.session.expire_all()
    assert db.session.get(User, world.expert.id).password_hash == hash_before


def test_after_a_password_change_only_the_new_password_works(world, client_for):
    response = client_for(world.expert).post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW})
    assert response.status_code == 302
    db.session.expire_all()
    assert services.authenticate(world.expert.username, PASSWORD, now=T0)[0] is None
    assert services.authenticate(world.expert.username, NEW, now=T0 + timedelta(hours=1))[0] == world.expert


# --- flask users create --------------------------------------------------------------------------

def _users_create(app, *args):
    return app.test_cli_runner().invoke(args=["users", "create", "--password", PASSWORD, *args])


def test_the_command_creates_a_city_regulator_with_a_token_for_the_api(app, world, client):
    result = _users_create(app, "--username", "nn-api", "--role", "regulator", "--city", "450100", "--token")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("gxcp_") and len(token) > 40
    response = client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [item["name"] for item in response.json["items"]] == [world.ent_a.name]
    [row] = db.session.scalars(select(ApiToken).join(User).where(User.username == "nn-api"))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash and row.last_used_at is not None


def test_the_command_prints_no_token_unless_asked(app):
    result = _users_create(app, "--username", "expert-x", "--role", "expert")
    assert result.exit_code == 0
    assert "gxcp_" not in result.output
    assert db.session.scalar(select(ApiToken.id)) is None


@pytest.mark.parametrize("args, message", [
    (["--username", "r", "--role", "regulator", "--city", "110000"], "行政区划代码"),
    (["--username", "e", "--role", "enterprise", "--enterprise", "91350100M000100Y43"], "未找到"),
    (["--username", "w", "--role", "wizard"], "wizard"),
])
def test_the_command_refuses_bad_input_and_creates_nothing(app, args, message):
    result = _users_create(app, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(User.id)) is None


def test_a_taken_name_is_only_told_once_everything_else_is_right(world):
    """Before, a sign-up with a taken name and a weak password was refused for the name first, so
    names could be listed by trial without a valid password (security finding 10)."""
    with pytest.raises(ValidationError) as caught:
        services.create_user(SYSTEM, username=world.admin.username, password="short1", role="expert")
    assert caught.value.field == "password"


def test_unlock_is_offered_only_for_an_account_with_recent_failures(world, client_for):
    admin = client_for(world.admin)
    unlock = f'/admin/users/{world.regulator_a.id}/unlock"'
    assert unlock not in text(admin.get("/admin/users"))
    _fail_eight_times(world.regulator_a.username, "127.0.0.1", utcnow() - timedelta(minutes=25))
    db.session.commit()
    page = text(admin.get("/admin/users"))
    assert unlock in page and f'/admin/users/{world.expert.id}/unlock"' not in page
