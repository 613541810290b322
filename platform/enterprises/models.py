"""Enterprises (企业) and industrial parks (园区)."""
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.models_base import TimestampMixin
from ..core.reference.models import Division, Industry

PERMIT_CLASSES = {"key": "重点管理", "simplified": "简化管理", "registration": "登记管理"}

# The three causes that make a clean-production audit mandatory (清洁生产促进法 第二十七条;
# 清洁生产审核办法 第八条).
MANDATORY_FLAGS = {
    "over_discharge": "超标或超总量排放",
    "over_energy_quota": "超过单位产品能源消耗限额",
    "toxic_substances": "使用或排放有毒有害物质（含优先控制化学品）",
}
# Every flag an enterprise carries: 两高 is not a cause of listing but the plan's criterion for the
# strict audit procedure (广西方案 §十六, audits/rules.procedure_for).
FLAGS = {**MANDATORY_FLAGS, "two_high": "高耗能高排放（两高）企业（适用完整审核程序）"}


class Park(TimestampMixin, db.Model):
    __tablename__ = "parks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    city_code: Mapped[str] = mapped_column(String(6), ForeignKey("divisions.code"), nullable=False, index=True)

    city = relationship(Division)


class Enterprise(TimestampMixin, db.Model):
    __tablename__ = "enterprises"
    __table_args__ = (
        CheckConstraint("length(uscc) = 18", name="uscc_length"),
        CheckConstraint("permit_class IS NULL OR permit_class IN ('key','simplified','registration')", name="permit_class"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True, nullable=False)
    # A pilot code that fails the GB 32100 check, registered by a regulator's explicit override.
    uscc_check_overridden: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    legal_representative: Mapped[str | None] = mapped_column(String(50))
    city_code: Mapped[str] = mapped_column(String(6), ForeignKey("divisions.code"), nullable=False, index=True)
    county_code: Mapped[str | None] = mapped_column(String(6))
    industry_code: Mapped[str] = mapped_column(String(2), ForeignKey("industries.code"), nullable=False, index=True)
    industry_class: Mapped[str] = mapped_column(String(4), nullable=False)  # the full 2–4 digit code as given
    park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    permit_no: Mapped[str | None] = mapped_column(String(40))
    permit_class: Mapped[str | None] = mapped_column(String(20))
    over_discharge: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    over_energy_quota: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    toxic_substances: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    two_high: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    mandatory_reason: Mapped[str | None] = mapped_column(Text)
    # Private: shown to the enterprise itself and to regulators, never in public pages or APIs.
    contact_person: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))

    city = relationship(Division, foreign_keys=[city_code])
    industry = relationship(Industry)
    park = relationship(Park)

    @property
    def division_code(self) -> str:
        return self.county_code or self.city_code

    @property
    def flags(self) -> list[str]:
        return [label for flag, label in FLAGS.items() if getattr(self, flag)]

    @property
    def mandatory_flags(self) -> list[str]:
        return [label for flag, label in MANDATORY_FLAGS.items() if getattr(self, flag)]

    @property
    def permit_class_label(self) -> str:
        return PERMIT_CLASSES.get(self.permit_class or "", "")

    EDITABLE = (
        "name", "legal_representative", "city_code", "county_code", "industry_code", "industry_class", "park_id",
        "address", "permit_no", "permit_class", "over_discharge", "over_energy_quota", "toxic_substances",
        "two_high", "mandatory_reason", "contact_person", "contact_phone",
    )

    def snapshot(self) -> dict:
        return {field: getattr(self, field) for field in ("uscc",) + self.EDITABLE}
