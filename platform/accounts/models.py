"""Users, roles and API tokens."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.models_base import utcnow
from ..core.reference.models import Division

ROLES = {
    "public": "公众",
    "enterprise": "企业",
    "expert": "专家",
    "service_org": "服务机构",
    "regulator": "监管部门",
    "admin": "系统管理员",
}

# A regulator's department (部门): the plan gives each task a responsible department. Existing
# regulators were ecology and environment's (the audits, cases and credit records are theirs).
DEPARTMENTS = {
    "ecology_environment": "生态环境",
    "development_reform": "发展改革",
    "industry_it": "工业和信息化",
    "agriculture": "农业农村",
    "housing": "住房城乡建设",
    "transport": "交通运输",
}
DEFAULT_DEPARTMENT = "ecology_environment"
DEPARTMENT_CHECK = "department IS NULL OR department IN (" + ",".join(f"'{d}'" for d in DEPARTMENTS) + ")"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('public','enterprise','expert','service_org','regulator','admin')", name="role"),
        CheckConstraint("role <> 'regulator' OR division_code IS NOT NULL", name="regulator_scope"),
        CheckConstraint("role <> 'enterprise' OR enterprise_id IS NOT NULL", name="enterprise_link"),
        CheckConstraint(DEPARTMENT_CHECK, name="department"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    display_name: Mapped[str] = mapped_column(String(100), nullable=False)
    email: Mapped[str | None] = mapped_column(String(200))  # for reminders by e-mail; never public
    # A regulator's scope: 450000 for the whole province, else one city's code.
    division_code: Mapped[str | None] = mapped_column(String(6), ForeignKey("divisions.code"))
    enterprise_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("enterprises.id"))
    # A regulator's department (DEPARTMENTS); None for every other role.
    department: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    division = relationship(Division)
    enterprise = relationship("Enterprise", foreign_keys=[enterprise_id])

    # The token of the login session this request runs in (accounts.services.start_session and
    # session_user set it); Flask-Login keeps it, not the user id, in the session and the remember
    # cookie, so ending the login session ends both.
    login_token = None  # not a column

    # A user is one row, whichever session it was loaded for (UserMixin compares by get_id()).
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def get_id(self) -> str:
        if not self.login_token:
            raise RuntimeError("start a login session (accounts.services.start_session) before login_user")
        return self.login_token

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.active

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    @property
    def is_regulator(self) -> bool:
        return self.role == "regulator"

    @property
    def is_province_regulator(self) -> bool:
        return self.role == "regulator" and self.division_code == Division.PROVINCE

    @property
    def department_label(self) -> str:
        return DEPARTMENTS.get(self.department or "", "")

    @property
    def scope_label(self) -> str:
        return self.division.name if self.division else ""


class LoginSession(db.Model):
    """One login: its own random token, kept only as its SHA-256, until it ends.

    Logging out, changing the password and deactivation end every login session of the user, and
    with it every remember-me cookie (OWASP ASVS V3.3).
    """

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(String(20))

    user = relationship(User)


class LoginFailure(db.Model):
    """A refused password, by the name typed and the client address (names that exist or not alike)."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    address: Mapped[str] = mapped_column(String(45), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)


class ApiToken(db.Model):
    """A bearer token for the JSON API, stored only as its SHA-256."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)  # None: until revoked
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship(User)


RESET_PURPOSES = {
    "mail": "邮件找回密码",
    "admin": "管理员重置密码",
    "initial": "新账号设置密码",
}


class PasswordReset(db.Model):
    """A single-use link to set a password: kept only as the SHA-256 of its token, until it expires.

    Made by 忘记密码 (mailed to the account's address), by an administrator's reset (handed over
    by the administrator) or when an enterprise's account request is approved (the first password).
    """

    __tablename__ = "password_resets"
    __table_args__ = (CheckConstraint("purpose IN ('mail','admin','initial')", name="purpose"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    purpose: Mapped[str] = mapped_column(String(10), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship(User, foreign_keys=[user_id])


class ResetRequest(db.Model):
    """One 忘记密码 request, by client address and the SHA-256 of what was typed (whether an account
    has it or not), for the rate limit."""

    __tablename__ = "password_reset_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(45), nullable=False, index=True)
    typed_hash: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)


ACCOUNT_REQUEST_STATES = {"pending": "待审核", "approved": "已批准", "rejected": "已驳回"}


class AccountRequest(db.Model):
    """An enterprise's request for an account, decided by a regulator of its city."""

    __tablename__ = "account_requests"
    __table_args__ = (
        CheckConstraint("state IN ('pending','approved','rejected')", name="state"),
        CheckConstraint("state <> 'rejected' OR reason IS NOT NULL", name="rejection_reason"),
        CheckConstraint("state <> 'approved' OR user_id IS NOT NULL", name="approved_user"),
        CheckConstraint("length(uscc) = 18", name="uscc_length"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    uscc: Mapped[str] = mapped_column(String(18), nullable=False, index=True)
    enterprise_name: Mapped[str] = mapped_column(String(200), nullable=False)  # as the applicant wrote it
    city_code: Mapped[str] = mapped_column(String(6), ForeignKey("divisions.code"), nullable=False, index=True)
    username: Mapped[str] = mapped_column(String(80), nullable=False)
    contact_person: Mapped[str] = mapped_column(String(50), nullable=False)
    contact_phone: Mapped[str] = mapped_column(String(30), nullable=False)
    contact_email: Mapped[str] = mapped_column(String(200), nullable=False)
    proof_original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    proof_stored_name: Mapped[str] = mapped_column(String(64), nullable=False)
    proof_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="pending", index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    enterprise = relationship("Enterprise")
    city = relationship(Division)
    decided_by = relationship(User, foreign_keys=[decided_by_id])

    @property
    def state_label(self) -> str:
        return ACCOUNT_REQUEST_STATES[self.state]
