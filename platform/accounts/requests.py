"""An enterprise asks for an account (企业申请账号): its USCC, name, a contact and a proof (e.g. the
business licence, or a letter with the company seal); a regulator of its city (or the province)
approves — the enterprise account is created, linked to the enterprise, and its first password is set
by a single-use link — or rejects with a reason. Both decisions are written to the audit log.
"""
import hashlib
import re
import secrets

from sqlalchemy import select

from ..core import access, mail, uploads
from ..core.auditlog.services import record
from ..core.errors import NotFound, PermissionDenied, ValidationError, collect, text
from ..core.extensions import db
from ..core.models_base import utcnow
from ..enterprises import services as enterprises
from ..enterprises import uscc as uscc_rules
from ..enterprises.models import Enterprise
from . import resets, services
from .models import ACCOUNT_REQUEST_STATES, AccountRequest, User

UPLOAD_FOLDER = "account-requests"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"[0-9+\-() ]{7,30}")


def _enterprise(code_text):
    """The registry's enterprise of a well-formed USCC, or a refusal naming the field and why."""
    def check():
        code = uscc_rules.validate(code_text, "uscc")
        enterprise = enterprises.by_uscc(code)
        if enterprise is None:
            raise ValidationError(f"统一社会信用代码 {code} 不在平台企业名录中。请先联系企业所在设区市生态环境局登记企业信息。",
                                  "uscc")
        pending = db.session.scalar(select(AccountRequest).where(
            AccountRequest.enterprise_id == enterprise.id, AccountRequest.state == "pending"))
        if pending is not None:
            raise ValidationError("该企业已有一份待审核的账号申请，请等待所在设区市生态环境局审核，无需重复提交。", "uscc")
        if db.session.scalar(select(User.id).where(User.enterprise_id == enterprise.id, User.active.is_(True))):
            raise ValidationError("该企业已开通平台账号。如忘记密码，请使用“忘记密码”或联系所在设区市生态环境局。", "uscc")
        return enterprise
    return check


def _matching(pattern, value, field, label, max_len):
    def check():
        cleaned = text(value, field, label, max_len, required=True)()
        if not pattern.fullmatch(cleaned):
            raise ValidationError(f"{label}格式不正确。", field)
        return cleaned
    return check


def _username(value):
    def check():
        name = (value or "").strip()
        problem = services.username_problem(name)
        if problem:
            raise ValidationError(problem, "username")
        return name
    return check


def submit(*, uscc: str, enterprise_name: str, username: str, contact_person: str, contact_phone: str,
           contact_email: str, data: bytes, filename: str) -> AccountRequest:
    """File a request; every wrong field is named at once. Anyone may file one (no login)."""
    values = collect({
        "uscc": _enterprise(uscc),
        "enterprise_name": text(enterprise_name, "enterprise_name", "企业名称", 200, required=True),
        "username": _username(username),
        "contact_person": text(contact_person, "contact_person", "联系人", 50, required=True),
        "contact_phone": _matching(PHONE, contact_phone, "contact_phone", "联系电话", 30),
        "contact_email": _matching(EMAIL, contact_email, "contact_email", "电子邮箱", 200),
        "proof": lambda: uploads.check_pdf(data, filename, label="证明材料", field="proof"),
    })
    # Asked last, as create_user does: only once everything else is right.
    name = values["username"]
    if db.session.scalar(select(User.id).where(User.username == name)) or db.session.scalar(select(AccountRequest.id).where(
            AccountRequest.username == name, AccountRequest.state == "pending")):
        raise ValidationError(f"用户名“{name}”已被使用，请换一个。", "username")
    enterprise = values["uscc"]
    row = AccountRequest(
        enterprise_id=enterprise.id, uscc=enterprise.uscc, enterprise_name=values["enterprise_name"],
        city_code=enterprise.city_code, username=name, contact_person=values["contact_person"],
        contact_phone=values["contact_phone"], contact_email=values["contact_email"],
        proof_original_name=values["proof"], proof_stored_name=uploads.store(UPLOAD_FOLDER, data),
        proof_sha256=hashlib.sha256(data).hexdigest(), state="pending")
    db.session.add(row)
    db.session.flush()
    return row


def visible(user, state: str = ""):
    """The requests of the regulator's region (admins: all), newest first."""
    access.require_role(user, "regulator", "admin", message="只有监管部门可以查看企业账号申请。")
    query = select(AccountRequest).join(Enterprise, Enterprise.id == AccountRequest.enterprise_id).where(
        enterprises.scope_clause(user))
    if state:
        if state not in ACCOUNT_REQUEST_STATES:
            raise ValidationError(f"申请状态“{state}”不正确。", "state")
        query = query.where(AccountRequest.state == state)
    return query.order_by(AccountRequest.requested_at.desc(), AccountRequest.id.desc())


def get(user, request_id: int) -> AccountRequest:
    access.require_role(user, "regulator", "admin", message="只有监管部门可以查看企业账号申请。")
    row = db.session.get(AccountRequest, request_id)
    if row is None or not access.sees_city(user, row.city_code):
        raise NotFound("未找到该账号申请。")
    return row


def proof_path(user, request_id: int):
    row = get(user, request_id)
    return row, uploads.stored_file(UPLOAD_FOLDER, row.proof_stored_name)


def _decidable(actor, row: AccountRequest) -> None:
    access.require_regulator_of(actor, row.city_code, "只有企业所在设区市或自治区的监管部门可以审核账号申请。")
    if row.state != "pending":
        raise ValidationError(f"该申请已{row.state_label}，不能再次审核。", "decision")


def approve(actor, row: AccountRequest) -> tuple[User, str | None]:
    """Create the enterprise's account; its first password is set by a single-use link, mailed to
    the contact where SMTP is configured, else returned for the regulator to hand over."""
    _decidable(actor, row)
    if db.session.scalar(select(User.id).where(User.enterprise_id == row.enterprise_id, User.active.is_(True))):
        raise ValidationError("该企业已有有效的平台账号，请驳回本申请。", "decision")
    user = services.create_user(
        access.SYSTEM, username=row.username, password=secrets.token_urlsafe(24) + "a1", role="enterprise",
        display_name=row.enterprise.name, enterprise_id=row.enterprise_id)
    user.email = row.contact_email
    row.state, row.decided_at, row.decided_by_id, row.user_id = "approved", utcnow(), actor.id, user.id
    token = resets.issue(user, "initial", created_by=actor)
    record(actor, "account_request.approve", "account_request", row.id, division_code=row.city_code,
           before={"state": "pending"}, after={"state": "approved", "user_id": user.id, "username": user.username})
    if mail.enabled():
        mail.send([row.contact_email], "【广西清洁生产信息平台】企业账号已开通",
                  f"{row.contact_person}：\n\n{row.enterprise.name}的平台账号申请已通过审核，用户名：{user.username}。\n"
                  f"请在 7 天内打开以下链接设置密码（只能使用一次）：\n\n{resets.link(token)}\n")
        return user, None
    return user, token


def reject(actor, row: AccountRequest, reason: str) -> None:
    _decidable(actor, row)
    reason = collect({"reason": text(reason, "reason", "驳回理由", 500, required=True)})["reason"]
    row.state, row.decided_at, row.decided_by_id, row.reason = "rejected", utcnow(), actor.id, reason
    record(actor, "account_request.reject", "account_request", row.id, division_code=row.city_code,
           before={"state": "pending"}, after={"state": "rejected", "reason": reason})
    if mail.enabled():
        mail.send([row.contact_email], "【广西清洁生产信息平台】企业账号申请未通过",
                  f"{row.contact_person}：\n\n{row.enterprise.name}的平台账号申请未通过审核。理由：{reason}\n"
                  "如有疑问，请联系企业所在设区市生态环境局。")
