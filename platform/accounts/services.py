"""Accounts: creating users, logging in with throttling and lock-out, passwords and API tokens."""
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..auditlog.services import record
from ..errors import PermissionDenied, ValidationError
from ..extensions import db
from ..models_base import utcnow
from ..reference.models import Division
from ..reference.services import cities
from .models import ROLES, ApiToken, User

# After this many failures in a row each further attempt must wait, doubling from 5 seconds;
# after LOCK_AFTER failures the account is locked for LOCK_MINUTES (a regulator account can
# publish penalties, so guessing must be impractical).
SLOW_AFTER = 3
LOCK_AFTER = 8
LOCK_MINUTES = 30
MIN_PASSWORD_LENGTH = 10


def _hash(password: str) -> str:
    # scrypt by default; the test suite sets a cheap method so that its hundreds of users are fast.
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def _check_password_strength(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。", field)
    if password.isdigit() or password.isalpha():
        raise ValidationError("密码须同时包含字母和数字。", field)


def create_user(actor, *, username: str, password: str, role: str, display_name: str | None = None,
                division_code: str | None = None, enterprise_id: int | None = None) -> User:
    """Create an account. `actor` None means the CLI or demo loader (an operator on the server)."""
    if actor is not None and actor.role != "admin":
        raise PermissionDenied("只有系统管理员可以创建账号。")
    username = (username or "").strip()
    if not username:
        raise ValidationError("请填写用户名。", "username")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise ValidationError(f"用户名“{username}”已被使用。", "username")
    if role not in ROLES:
        raise ValidationError("角色不正确。", "role")
    if role == "regulator":
        if division_code != Division.PROVINCE and division_code not in cities():
            raise ValidationError("监管部门账号须指定全区（450000）或一个设区市的行政区划代码。", "division_code")
    else:
        division_code = None
    if role == "enterprise" and not enterprise_id:
        raise ValidationError("企业账号须关联一家企业。", "enterprise_id")
    _check_password_strength(password)
    user = User(
        username=username, password_hash=_hash(password), role=role,
        display_name=display_name or username, division_code=division_code,
        enterprise_id=enterprise_id if role == "enterprise" else None,
    )
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", "user", user.id,
           after={"username": username, "role": role, "division_code": division_code, "enterprise_id": user.enterprise_id})
    return user


def authenticate(username: str, password: str, now: datetime | None = None) -> tuple[User | None, str | None]:
    """Return (user, None) on success or (None, reason in Chinese).

    A failure is counted on the account and must be committed, so it is returned, not raised.
    """
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    generic = "用户名或密码不正确。"
    if user is None:
        # Spend the same time as a real check, so the answer does not reveal which names exist.
        check_password_hash(_DUMMY_HASH, password or "")
        return None, generic
    if user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        return None, f"连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试或联系管理员。"
    wait = _wait_seconds(user, now)
    if wait > 0:
        return None, f"登录失败次数较多，请 {wait} 秒后再试。"
    if not user.active or not check_password_hash(user.password_hash, password or ""):
        user.failed_logins += 1
        user.last_failed_at = now
        if user.failed_logins >= LOCK_AFTER:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        return None, generic
    user.failed_logins = 0
    user.last_failed_at = None
    user.locked_until = None
    user.last_login_at = now
    return user, None


def _wait_seconds(user: User, now: datetime) -> int:
    if user.failed_logins < SLOW_AFTER or user.last_failed_at is None:
        return 0
    delay = 5 * 2 ** (user.failed_logins - SLOW_AFTER)
    remaining = (user.last_failed_at + timedelta(seconds=delay) - now).total_seconds()
    return max(0, int(remaining + 0.999))


_DUMMY_HASH = generate_password_hash("not-a-real-password")


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current or ""):
        raise ValidationError("当前密码不正确。", "current_password")
    if new == current:
        raise ValidationError("新密码不能与当前密码相同。", "new_password")
    _check_password_strength(new, "new_password")
    user.password_hash = _hash(new)


def unlock(actor, user: User) -> None:
    if actor is None or actor.role != "admin":
        raise PermissionDenied("只有系统管理员可以解锁账号。")
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins = 0
    user.locked_until = None
    user.last_failed_at = None
    record(actor, "user.unlock", "user", user.id, before=before, after={"failed_logins": 0, "locked_until": None})


def set_active(actor, user: User, active: bool) -> None:
    if actor is None or actor.role != "admin":
        raise PermissionDenied("只有系统管理员可以停用或启用账号。")
    if user.id == actor.id and not active:
        raise ValidationError("不能停用自己的账号。")
    record(actor, "user.activate" if active else "user.deactivate", "user", user.id,
           before={"active": user.active}, after={"active": active})
    user.active = active


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(actor, user: User, name: str = "api") -> str:
    """Create a bearer token; the plain token is returned once and only its hash is kept."""
    if actor is not None and actor.role != "admin" and actor.id != user.id:
        raise PermissionDenied("只能为自己的账号签发令牌。")
    token = "gxcp_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_hash_token(token), name=name))
    record(actor, "token.issue", "user", user.id, after={"name": name})
    return token


def user_for_token(token: str) -> User | None:
    if not token:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token), ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user


def list_users(actor, role: str | None = None):
    if actor is None or actor.role != "admin":
        raise PermissionDenied("只有系统管理员可以管理账号。")
    query = select(User).order_by(User.id)
    if role:
        query = query.where(User.role == role)
    return query
