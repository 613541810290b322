"""Accounts: creating users, logging in with throttling and lock-out, passwords and API tokens."""
import hashlib
import re
import secrets
from datetime import date, datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..core import access
from ..core.auditlog.services import record
from ..core.dates import beijing_today, utc_of_beijing_midnight
from ..core.errors import NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.models_base import utcnow
from ..core.reference.models import Division
from ..core.reference.services import cities
from .models import DEFAULT_DEPARTMENT, DEPARTMENTS, ROLES, ApiToken, LoginFailure, LoginSession, User

# Guessing is slowed and then stopped per name typed *and* client address (OWASP ASVS V2.2.1,
# "anti-automation ... without allowing an attacker to lock out a legitimate user"): after
# SLOW_AFTER failures in a row each further attempt from that address must wait, doubling from 5
# seconds; after LOCK_AFTER the name is locked for that address for LOCK_MINUTES after its last
# failure. The owner, from another address, still signs in; failures older than LOCK_MINUTES no
# longer count, and a success clears them. One address that fails ADDRESS_LIMIT times within
# LOCK_MINUTES, across any names, is refused outright until its failures age out (spraying).
# Names that exist and names that do not are counted and answered alike.
SLOW_AFTER = 3
LOCK_AFTER = 8
LOCK_MINUTES = 30
ADDRESS_LIMIT = 30
MIN_PASSWORD_LENGTH = 10


def _hash(password: str) -> str:
    # scrypt by default; the test suite sets a cheap method so that its hundreds of users are fast.
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


# A name typed at every login, on any keyboard: letters (Chinese too), digits and . _ - @, starting
# with a letter or digit; one or two characters are too easily confused or guessed.
USERNAME = re.compile(r"[^\W_][\w.@-]{%d,%d}" % (2, 39))
USERNAME_RULE = "用户名须为 3–40 个字符，由字母、汉字、数字或 . _ - @ 组成，并以字母、汉字或数字开头。"


def username_problem(username: str) -> str | None:
    name = (username or "").strip()
    if not name:
        return "请填写用户名。"
    return None if USERNAME.fullmatch(name) else USERNAME_RULE


def password_problem(password: str) -> str | None:
    """Every rule the password breaks, in one message (not one rule a submission)."""
    password = password or ""
    short = len(password) < MIN_PASSWORD_LENGTH
    unmixed = not any(ch.isalpha() for ch in password) or not any(ch.isdigit() for ch in password)
    if short and unmixed:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符，且须同时包含字母和数字。"
    if short:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。"
    return "密码须同时包含字母和数字。" if unmixed else None


def new_account_problems(username: str, password: str, confirm: str | None = None) -> dict[str, str]:
    """What is wrong with a new account's name and password, every field at once (not whether the
    name is taken: that is asked last, see create_user)."""
    problems = {"username": username_problem(username), "password": password_problem(password)}
    if confirm is not None and not problems["password"] and confirm != password:
        problems["confirm"] = "两次填写的密码不一致。"
    return {field: message for field, message in problems.items() if message}


def _check_password_strength(password: str, field: str = "password") -> None:
    problem = password_problem(password)
    if problem:
        raise ValidationError(problem, field)


def create_user(actor, *, username: str, password: str, role: str, display_name: str | None = None,
                division_code: str | None = None, enterprise_id: int | None = None,
                department: str | None = None) -> User:
    """Create an account: by an admin, or by access.SYSTEM (the CLI and the demo loader). A regulator
    belongs to a department (DEPARTMENTS), ecology and environment unless another is named."""
    if not access.is_system(actor) and actor.role != "admin":
        raise PermissionDenied("只有系统管理员可以创建账号。")
    username = (username or "").strip()
    if not username:
        raise ValidationError("请填写用户名。", "username")
    if role not in ROLES:
        raise ValidationError("角色不正确。", "role")
    if role == "regulator":
        if division_code != Division.PROVINCE and division_code not in cities():
            raise ValidationError("监管部门账号须指定全区（450000）或一个设区市的行政区划代码。", "division_code")
        department = department or DEFAULT_DEPARTMENT
        if department not in DEPARTMENTS:
            raise ValidationError(f"所属部门“{department}”不正确，应为：{'、'.join(DEPARTMENTS.values())}。", "department")
    else:
        division_code = department = None
    if role == "enterprise" and not enterprise_id:
        raise ValidationError("企业账号须关联一家企业。", "enterprise_id")
    if username_problem(username):
        raise ValidationError(username_problem(username), "username")
    _check_password_strength(password)
    # Asked last, after everything a caller can fix without knowing which names exist (OWASP
    # ASVS V2.1: a sign-up page should not list the accounts by trial).
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise ValidationError(f"用户名“{username}”已被使用。", "username")
    user = User(
        username=username, password_hash=_hash(password), role=role,
        display_name=display_name or username, division_code=division_code,
        enterprise_id=enterprise_id if role == "enterprise" else None, department=department,
    )
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", "user", user.id,
           after={"username": username, "role": role, "division_code": division_code, "enterprise_id": user.enterprise_id,
                  "department": department})
    return user


def authenticate(username: str, password: str, address: str = "", now: datetime | None = None
                 ) -> tuple[User | None, str | None]:
    """Return (user, None) on success or (None, reason in Chinese).

    A failure is recorded and must be committed, so it is returned, not raised. Every refused
    password costs one hash check, whether the name exists, is deactivated or not.
    """
    now = now or utcnow()
    name = (username or "").strip()[:80]
    address = (address or "")[:45]
    since = now - timedelta(minutes=LOCK_MINUTES)
    from_address = db.session.scalar(select(func.count(LoginFailure.id)).where(
        LoginFailure.address == address, LoginFailure.at > since))
    if from_address >= ADDRESS_LIMIT:
        return None, f"此网络地址登录失败次数过多，请 {LOCK_MINUTES} 分钟后再试。"
    failures = list(db.session.scalars(select(LoginFailure.at).where(
        LoginFailure.username == name, LoginFailure.address == address, LoginFailure.at > since
    ).order_by(LoginFailure.at)))
    if len(failures) >= LOCK_AFTER:
        minutes = int((failures[-1] + timedelta(minutes=LOCK_MINUTES) - now).total_seconds() // 60) + 1
        return None, f"连续登录失败次数过多，已暂停此账号在本网络地址的登录，请 {minutes} 分钟后再试或联系管理员。"
    wait = _wait_seconds(failures, now)
    if wait > 0:
        return None, f"登录失败次数较多，请 {wait} 秒后再试。"
    user = db.session.scalar(select(User).where(User.username == name)) if name else None
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    if user is None or not user.active or not matches:
        db.session.add(LoginFailure(username=name, address=address, at=now))
        db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - timedelta(days=1)))
        return None, "用户名或密码不正确。"
    # The owner's own count starts afresh; a guesser's, from elsewhere, stands.
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == name, LoginFailure.address == address))
    user.last_login_at = now
    return user, None


def _wait_seconds(failures: list[datetime], now: datetime) -> int:
    if len(failures) < SLOW_AFTER:
        return 0
    delay = 5 * 2 ** (len(failures) - SLOW_AFTER)
    remaining = (failures[-1] + timedelta(seconds=delay) - now).total_seconds()
    return max(0, int(remaining + 0.999))


def recent_failures(usernames, now: datetime | None = None) -> dict[str, int]:
    """Failed logins within the lock window, by name (the admin's account list)."""
    since = (now or utcnow()) - timedelta(minutes=LOCK_MINUTES)
    rows = db.session.execute(select(LoginFailure.username, func.count(LoginFailure.id)).where(
        LoginFailure.username.in_(list(usernames)), LoginFailure.at > since).group_by(LoginFailure.username))
    return dict(rows.all())


@cache
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash("not-a-real-password", method=method)


def _dummy_hash() -> str:
    """A hash made as real ones are, so that an unknown name costs the same time as a known one."""
    return _dummy_hash_for(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


# --- login sessions ---------------------------------------------------------------------------------

def start_session(user: User, address: str = "") -> str:
    """A new login session of `user`; its token (returned, and set as user.login_token) is what
    Flask-Login keeps in the session cookie and the remember-me cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_hash_token(token), address=(address or "")[:45]))
    db.session.flush()
    user.login_token = token
    return token


def session_user(token: str, now: datetime | None = None) -> User | None:
    """The user of a login session that has not ended nor outlived LOGIN_SESSION_DAYS."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(select(LoginSession).where(
        LoginSession.token_hash == _hash_token(token), LoginSession.ended_at.is_(None)))
    days = current_app.config.get("LOGIN_SESSION_DAYS", 30)
    if row is None or not row.user.active or row.created_at < (now or utcnow()) - timedelta(days=days):
        return None
    row.user.login_token = token
    return row.user


def end_sessions(user: User, reason: str) -> int:
    """End every login session of `user` (logout, password change, deactivation)."""
    result = db.session.execute(update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    ).values(ended_at=utcnow(), end_reason=reason))
    user.login_token = None
    return result.rowcount


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current or ""):
        raise ValidationError("当前密码不正确。", "current_password")
    if new == current:
        raise ValidationError("新密码不能与当前密码相同。", "new_password")
    _check_password_strength(new, "new_password")
    user.password_hash = _hash(new)
    end_sessions(user, "password")
    record(user, "user.password", "user", user.id)


def unlock(actor, user: User) -> None:
    """Forget the failed logins of the account's name, from every address."""
    if not access.is_person(actor, "admin"):
        raise PermissionDenied("只有系统管理员可以解锁账号。")
    before = recent_failures([user.username]).get(user.username, 0)
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
    record(actor, "user.unlock", "user", user.id, before={"failed_logins": before}, after={"failed_logins": 0})


def set_active(actor, user: User, active: bool) -> None:
    if not access.is_person(actor, "admin"):
        raise PermissionDenied("只有系统管理员可以停用或启用账号。")
    if user.id == actor.id and not active:
        raise ValidationError("不能停用自己的账号。")
    record(actor, "user.activate" if active else "user.deactivate", "user", user.id,
           before={"active": user.active}, after={"active": active})
    user.active = active
    if not active:
        end_sessions(user, "deactivated")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_token_keeper(actor, user: User) -> None:
    if not access.is_system(actor) and actor.role != "admin" and actor.id != user.id:
        raise PermissionDenied("只能管理自己账号的令牌。")


def issue_token(actor, user: User, name: str = "api", expires_on: date | None = None,
                today: date | None = None) -> str:
    """Create a bearer token; the plain token is returned once and only its hash is kept.
    `expires_on`: the last Beijing day it works (None: until revoked)."""
    _require_token_keeper(actor, user)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationError("请填写令牌用途（不超过 80 个字符）。", "name")
    expires_at = None
    if expires_on is not None:
        if expires_on <= (today or beijing_today()):
            raise ValidationError("有效期须晚于今天。", "expires_on")
        expires_at = utc_of_beijing_midnight(expires_on + timedelta(days=1))
    token = "gxcp_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_hash_token(token), name=name, expires_at=expires_at))
    record(actor, "token.issue", "user", user.id, after={"name": name, "expires_on": expires_on})
    return token


def tokens_of(actor, user: User) -> list[ApiToken]:
    _require_token_keeper(actor, user)
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_token(actor, token_id: int) -> ApiToken:
    row = db.session.get(ApiToken, token_id)
    if row is None or (actor.role != "admin" and row.user_id != actor.id):
        raise NotFound("未找到该令牌。")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(actor, "token.revoke", "user", row.user_id, after={"name": row.name, "token_id": row.id})
    return row


# A token's last use is written at most this often, so that reading the API is not a write each time.
LAST_USE_PRECISION = timedelta(minutes=1)


def user_for_token(token: str, now: datetime | None = None) -> User | None:
    if not token or len(token) > 100:
        return None
    now = now or utcnow()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token), ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active or (row.expires_at is not None and row.expires_at <= now):
        return None
    if row.last_used_at is None or row.last_used_at < now - LAST_USE_PRECISION:
        row.last_used_at = now
    return row.user


def usernames(user_ids) -> dict[int, str]:
    """id -> username, for the ids given (the audit log's pages)."""
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(list(user_ids)))).all())


def list_users(actor, role: str | None = None):
    if not access.is_person(actor, "admin"):
        raise PermissionDenied("只有系统管理员可以管理账号。")
    query = select(User).order_by(User.id)
    if role:
        query = query.where(User.role == role)
    return query
