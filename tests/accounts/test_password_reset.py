"""忘记密码 by e-mail (single-use, expiring, hashed links; one answer whether the account exists or not;
rate-limited), and without SMTP an administrator's reset, recorded and ending the user's logins."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from platform.accounts import resets
from platform.accounts.models import LoginSession, PasswordReset
from platform.core.auditlog.models import AuditLog
from platform.core.errors import NotFound, ValidationError
from platform.core.extensions import db
from platform.core.models_base import utcnow

PASSWORD = "Passw0rd-test"
NEW = "Brand-new-passw0rd"
MAILING = pytest.mark.config(MAIL_SERVER="smtp.test:25", MAIL_CAPTURE=True)


def _link(message) -> str:
    return re.search(r"http://localhost(/password/reset/\S+)", message.get_content()).group(1)


@pytest.fixture
def with_email(world):
    world.regulator_a.email = "reg.a@example.com"
    db.session.commit()
    return world.regulator_a


@MAILING
def test_a_link_is_mailed_and_sets_the_password_once(client, with_email, outbox):
    response = client.post("/password/forgot", data={"username": "REG.A@example.com"}, follow_redirects=True)
    assert resets.NEUTRAL_ANSWER in response.get_data(as_text=True)
    assert [m["To"] for m in outbox] == ["reg.a@example.com"]
    path = _link(outbox[0])
    token = path.rsplit("/", 1)[1]
    stored = db.session.scalar(select(PasswordReset))
    assert token not in stored.token_hash and len(stored.token_hash) == 64  # only its hash is kept

    assert client.get(path).status_code == 200
    response = client.post(path, data={"new_password": NEW, "confirm": NEW})
    assert response.headers["Location"] == "/login"
    assert client.post("/login", data={"username": with_email.username, "password": NEW}).status_code == 302
    # spent: a second use is refused like an unknown link
    assert client.get(path).status_code == 404
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.object_id == str(with_email.id))).all()
    assert "user.password_reset_mail" in actions


@MAILING
def test_unknown_and_known_accounts_get_the_same_answer(client, with_email, world, outbox):
    answers = [client.post("/password/forgot", data={"username": name}, follow_redirects=True).get_data(as_text=True)
               for name in (with_email.username, "nobody-at-all", world.regulator_b.username)]  # B has no e-mail
    assert all(resets.NEUTRAL_ANSWER in answer for answer in answers)
    assert len(outbox) == 1


@MAILING
def test_an_expired_link_is_refused(app, with_email, outbox):
    with app.test_request_context():
        resets.request_by_mail(with_email.username, "10.0.0.1", now=utcnow() - timedelta(hours=2))
    token = _link(outbox[0]).rsplit("/", 1)[1]
    with pytest.raises(NotFound, match="无效或已过期"):
        resets.set_password(token, NEW)


@MAILING
def test_a_newer_link_voids_the_older_one(app, with_email, outbox):
    with app.test_request_context():
        resets.request_by_mail(with_email.username, "10.0.0.1")
        resets.request_by_mail(with_email.email, "10.0.0.1")
    first, second = (_link(m).rsplit("/", 1)[1] for m in outbox)
    with pytest.raises(NotFound):
        resets.valid_link(first)
    assert resets.valid_link(second).user == with_email


@MAILING
def test_requests_are_rate_limited_by_what_was_typed_and_by_address(app, with_email, outbox):
    with app.test_request_context():
        for n in range(resets.REQUESTS_PER_TYPED):
            resets.request_by_mail("nobody-at-all", f"10.0.0.{n}")
        with pytest.raises(ValidationError, match="过于频繁"):
            resets.request_by_mail("nobody-at-all", "10.0.0.99")
        for n in range(resets.REQUESTS_PER_ADDRESS):
            resets.request_by_mail(f"someone-{n}", "10.9.9.9")
        with pytest.raises(ValidationError, match="过于频繁"):
            resets.request_by_mail(with_email.username, "10.9.9.9")
    assert outbox == []


@MAILING
def test_a_weak_new_password_is_refused_and_the_link_still_works(client, with_email, outbox):
    client.post("/password/forgot", data={"username": with_email.username})
    path = _link(outbox[0])
    response = client.post(path, data={"new_password": "short", "confirm": "short"})
    assert response.status_code == 422 and "至少需要 10 个字符" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_without_smtp_the_page_says_to_ask_an_administrator(client):
    page = client.get("/password/forgot").get_data(as_text=True)
    assert "请联系系统管理员重置密码" in page and "<form method=\"post\" novalidate>" not in page


def test_an_admin_reset_ends_the_users_logins_and_is_recorded(app, world, client_for, client):
    victim = client_for(world.regulator_a)
    assert victim.get("/workbench").status_code == 200
    page = client_for(world.admin).post(f"/admin/users/{world.regulator_a.id}/reset-password")
    assert page.status_code == 200
    path = re.search(r'value="http://localhost(/password/reset/[^"]+)"', page.get_data(as_text=True)).group(1)
    assert victim.get("/workbench").status_code == 302  # signed out everywhere
    assert db.session.scalar(select(LoginSession.end_reason).where(LoginSession.user_id == world.regulator_a.id)) == "reset"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.password_reset"))
    assert (entry.actor_id, entry.object_id) == (world.admin.id, str(world.regulator_a.id))

    assert client.post(path, data={"new_password": NEW, "confirm": NEW}).status_code == 302
    assert client.post("/login", data={"username": world.regulator_a.username, "password": NEW}).status_code == 302


@pytest.mark.parametrize("role", ["regulator_a", "enterprise_a", "province"])
def test_only_an_admin_resets_a_password(world, client_for, role):
    assert client_for(getattr(world, role)).post(f"/admin/users/{world.expert.id}/reset-password").status_code == 403
    assert db.session.scalar(select(PasswordReset)) is None
