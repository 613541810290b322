"""Setting a password by a single-use link: 忘记密码 by e-mail, an administrator's reset, the first
password of an enterprise account approved by a regulator.

A link carries a random token; only its SHA-256 is kept (OWASP ASVS V2.5.1, "a system generated
initial activation or recovery secret ... should be securely randomly generated ... and expire after
a short period of time"); it works once, and using it ends every login session of the account. Asking
for a link answers the same whether the name or address belongs to an account or not (no enumeration,
ASVS V2.5.7 / V3.7), and the asking is rate-limited by client address and by what was typed.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import func, or_, select, update

from ..core import access, mail
from ..core.auditlog.services import record
from ..core.errors import NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.models_base import utcnow
from . import services
from .models import PasswordReset, ResetRequest, User

# How long a link works: an e-mailed one briefly, one handed over by a person for longer.
LIFETIME = {"mail": timedelta(hours=1), "admin": timedelta(hours=72), "initial": timedelta(days=7)}
# At most this many requests an hour from one address, and for one name or address typed.
REQUESTS_PER_ADDRESS = 5
REQUESTS_PER_TYPED = 3
WINDOW = timedelta(hours=1)

NEUTRAL_ANSWER = "如果该用户名或电子邮箱对应一个已登记邮箱的有效账号，我们已向该邮箱发送重置密码的链接，1 小时内有效。"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def issue(user: User, purpose: str, created_by=None, now: datetime | None = None) -> str:
    """A new link for `user`; earlier unused links of the account stop working. Returns the token."""
    now = now or utcnow()
    db.session.execute(update(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(user_id=user.id, token_hash=_hash(token), purpose=purpose, created_at=now,
                                 expires_at=now + LIFETIME[purpose],
                                 created_by_id=None if created_by is None or access.is_system(created_by) else created_by.id))
    db.session.flush()
    return token


def link(token: str) -> str:
    return url_for("accounts.reset_password", token=token, _external=True)


def request_by_mail(typed: str, address: str = "", now: datetime | None = None) -> str:
    """忘记密码: mail a link to the account named or addressed by `typed`, if there is one with an
    e-mail address; the answer (returned) is the same either way. Too many requests raise."""
    if not mail.enabled():
        raise PermissionDenied("本平台未配置邮件发送，请联系系统管理员重置密码。")
    now = now or utcnow()
    typed = (typed or "").strip()[:200]
    if not typed:
        raise ValidationError("请填写用户名或电子邮箱。", "username")
    address = (address or "")[:45]
    typed_hash = _hash(typed.lower())
    since = now - WINDOW
    from_address = db.session.scalar(select(func.count(ResetRequest.id)).where(
        ResetRequest.address == address, ResetRequest.at > since))
    for_typed = db.session.scalar(select(func.count(ResetRequest.id)).where(
        ResetRequest.typed_hash == typed_hash, ResetRequest.at > since))
    if from_address >= REQUESTS_PER_ADDRESS or for_typed >= REQUESTS_PER_TYPED:
        raise ValidationError("重置密码的请求过于频繁，请 1 小时后再试。", "username")
    db.session.add(ResetRequest(address=address, typed_hash=typed_hash, at=now))
    user = db.session.scalar(select(User).where(
        or_(User.username == typed, func.lower(User.email) == typed.lower()), User.active.is_(True)).limit(1))
    if user is not None and user.email:
        token = issue(user, "mail", now=now)
        mail.send([user.email], "【广西清洁生产信息平台】重置密码",
                  f"{user.display_name}：\n\n有人（希望是您本人）请求重置您在广西清洁生产信息平台的账号 {user.username} 的密码。"
                  f"请在 1 小时内打开以下链接设置新密码（只能使用一次）：\n\n{link(token)}\n\n"
                  "如果这不是您本人的请求，请忽略本邮件，您的密码不会改变。")
    return NEUTRAL_ANSWER


def admin_reset(actor, user: User) -> str:
    """An administrator's reset: the account's logins end now and a link (returned once) lets its
    owner set a new password; recorded in the audit log."""
    if not access.is_person(actor, "admin"):
        raise PermissionDenied("只有系统管理员可以重置密码。")
    if user.id == actor.id:
        raise ValidationError("请通过“修改密码”修改自己的密码。")
    token = issue(user, "admin", created_by=actor)
    ended = services.end_sessions(user, "reset")
    record(actor, "user.password_reset", "user", user.id, after={"username": user.username},
           note=f"签发重置密码链接，结束 {ended} 个登录会话")
    return token


def valid_link(token: str, now: datetime | None = None) -> PasswordReset:
    """The unused, unexpired link of `token`, or NotFound in words that do not say which it was."""
    row = None
    if token and len(token) <= 100:
        row = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= (now or utcnow()) or not row.user.active:
        raise NotFound("该链接无效或已过期，请重新申请重置密码。")
    return row


def set_password(token: str, new: str, now: datetime | None = None) -> User:
    """Use a link: the new password is set, the link is spent, every login session ends."""
    now = now or utcnow()
    row = valid_link(token, now)
    problem = services.password_problem(new)
    if problem:
        raise ValidationError(problem, "new_password")
    user = row.user
    user.password_hash = services._hash(new)
    row.used_at = now
    services.end_sessions(user, "reset")
    record(user, "user.password_reset_mail" if row.purpose == "mail" else "user.password", "user", user.id,
           note=f"通过{'邮件' if row.purpose == 'mail' else '一次性'}链接设置密码")
    return user


def login_page_hint() -> str:
    """What the 忘记密码 page says when mail cannot be sent."""
    contact = current_app.config.get("SITE_CONTACT_EMAIL") or current_app.config.get("SITE_CONTACT_PHONE")
    return ("本平台未配置邮件发送。请联系系统管理员重置密码" + (f"（{contact}）" if contact else "")
            + "；企业用户也可联系所在设区市生态环境局。管理员重置后，您的所有登录将被退出，并会收到一个一次性设置密码的链接。")
