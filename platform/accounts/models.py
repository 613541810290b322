"""Users, roles and API tokens."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow
from ..reference.models import Division

ROLES = {
    "public": "公众",
    "enterprise": "企业",
    "expert": "专家",
    "service_org": "服务机构",
    "regulator": "监管部门",
    "admin": "系统管理员",
}


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('public','enterprise','expert','service_org','regulator','admin')", name="role"),
        CheckConstraint("role <> 'regulator' OR division_code IS NOT NULL", name="regulator_scope"),
        CheckConstraint("role <> 'enterprise' OR enterprise_id IS NOT NULL", name="enterprise_link"),
        CheckConstraint("failed_logins >= 0", name="failed_logins"),
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
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    division = relationship(Division)
    enterprise = relationship("Enterprise", foreign_keys=[enterprise_id])

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
    def scope_label(self) -> str:
        return self.division.name if self.division else ""


class ApiToken(db.Model):
    """A bearer token for the JSON API, stored only as its SHA-256."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship(User)
