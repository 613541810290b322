"""Clean-production schemes (清洁生产方案) proposed in an audit round, their revisions after the round's
report was submitted, and their per-round totals."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        Text, UniqueConstraint, or_, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.models_base import TimestampMixin, utcnow

CATEGORIES = {"low_cost": "无/低费", "high_cost": "中/高费"}
STATUSES = {"planned": "计划实施", "implementing": "实施中", "completed": "已完成", "abandoned": "已放弃"}
# A scheme whose figures exceed a plausible bound (schemes/rules.py) is held out of the statistics
# until a regulator decides: None means nothing to review.
REVIEW_STATUSES = {"pending": "数值待核实", "confirmed": "数值经核实确认", "rejected": "数值未获确认"}
REVISION_KINDS = {"create": "新增方案", "change": "修改方案", "withdraw": "撤回方案", "progress": "实施进展"}
REVISION_STATES = {"pending": "待监管部门审核", "approved": "已批准", "rejected": "未批准", "applied": "已登记"}

# Every amount is kept to 4 decimal places: 0.1 kg of a pollutant, 1 yuan of 万元.
SCALE = 4
MAX_AMOUNT = 10 ** 10  # exclusive; Numeric(15, 4) holds 11 integer digits, and no scheme comes near this


@dataclass(frozen=True)
class Metric:
    """One amount of a scheme: its column, its Chinese label and unit, and its import header."""

    key: str
    label: str
    unit: str
    header: str | None  # the column of the DESIGN §4 import file, when it has one


INVESTMENT = Metric("investment_wan_yuan", "投资", "万元", "投资（万元）")
# The results (绩效): counted only for completed schemes; verified once the round is accepted.
RESULTS = (
    Metric("energy_tce", "节能量", "tce", "节能量（tce）"),
    Metric("water_t", "节水量", "t", "节水量（t）"),
    Metric("electricity_kwh", "节电量", "kWh", None),
    Metric("cod_t", "COD削减量", "t", "COD削减量（t）"),
    Metric("nh3n_t", "氨氮削减量", "t", "氨氮削减量（t）"),
    Metric("nox_t", "氮氧化物削减量", "t", "氮氧化物削减量（t）"),
    Metric("vocs_t", "VOCs削减量", "t", "VOCs削减量（t）"),
    Metric("so2_t", "二氧化硫削减量", "t", "二氧化硫削减量（t）"),
    Metric("particulates_t", "颗粒物削减量", "t", None),
    Metric("co2_t", "二氧化碳减排量", "t", "二氧化碳减排量（t）"),
    Metric("hazardous_waste_t", "危险废物减量", "t", None),
    Metric("economic_benefit_wan_yuan", "经济效益", "万元/年", "经济效益（万元/年）"),
)
AMOUNTS = (INVESTMENT,) + RESULTS
METRIC = {m.key: m for m in AMOUNTS}
FIELD_LABELS = {"code": "方案编号", "name": "方案名称", "category": "方案类别", "status": "状态",
                "planned_completion_on": "计划完成日期", "completed_on": "完成日期",
                **{m.key: f"{m.label}（{m.unit}）" for m in AMOUNTS}}


def shown(field: str, value) -> str:
    """A stored value as a page shows it: category and status by their Chinese names, a blank as a dash."""
    if value is None or value == "":
        return "—"
    return {"category": CATEGORIES, "status": STATUSES}.get(field, {}).get(value, str(value))


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _amount():
    return mapped_column(Numeric(15, SCALE), nullable=False, default=0)


class Scheme(TimestampMixin, db.Model):
    __tablename__ = "schemes"
    __table_args__ = (
        UniqueConstraint("round_id", "code", name="uq_schemes_round_code"),
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        # A completion date belongs to a completed scheme, and a completed scheme has one.
        CheckConstraint("(status = 'completed') = (completed_on IS NOT NULL)", name="completed_on"),
        *(CheckConstraint(f"{m.key} >= 0", name=f"{m.key}_not_negative") for m in AMOUNTS),
        CheckConstraint(_in("review_status", REVIEW_STATUSES), name="review_status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False)
    # The round's enterprise, kept here so that scoping a list of schemes needs no join through rounds.
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(30), nullable=False)  # 方案编号, unique within the round
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    planned_completion_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    investment_wan_yuan = _amount()
    energy_tce = _amount()
    water_t = _amount()
    electricity_kwh = _amount()
    cod_t = _amount()
    nh3n_t = _amount()
    nox_t = _amount()
    vocs_t = _amount()
    so2_t = _amount()
    particulates_t = _amount()
    co2_t = _amount()
    hazardous_waste_t = _amount()
    economic_benefit_wan_yuan = _amount()
    # The plausibility review (schemes.services.assess, schemes.review.review_figures).
    review_status: Mapped[str | None] = mapped_column(String(20), index=True)
    review_reasons: Mapped[dict | None] = mapped_column(JSON)  # field -> why it needs review
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    # A scheme withdrawn by an approved revision is kept, with its history, but no longer counts.
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)

    round = relationship("AuditRound")
    enterprise = relationship("Enterprise")
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    revisions = relationship("SchemeRevision", back_populates="scheme", order_by="SchemeRevision.id")

    FIELDS = ("code", "name", "category", "status", "planned_completion_on", "completed_on",
              *(m.key for m in AMOUNTS))

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def review_label(self) -> str | None:
        return REVIEW_STATUSES.get(self.review_status) if self.review_status else None

    @property
    def counted(self) -> bool:
        """Whether the statistics count this scheme's figures: not withdrawn, and no figure awaiting or
        refused a regulator's review."""
        return self.withdrawn_at is None and self.review_status in (None, "confirmed")

    @property
    def verified(self) -> bool:
        """Results reported by the enterprise count as verified once the round is accepted (DESIGN §2)."""
        return self.status == "completed" and self.round.state == "accepted" and self.counted

    @property
    def pending_revision(self):
        return next((r for r in self.revisions if r.state == "pending"), None)

    def snapshot(self) -> dict:
        return {field: getattr(self, field) for field in self.FIELDS}


def figures_counted():
    """SQL: the scheme's figures count in statistics (the column side of Scheme.counted, without the
    withdrawal, which the callers filter on)."""
    return or_(Scheme.review_status.is_(None), Scheme.review_status == "confirmed")


class SchemeRevision(db.Model):
    """A change to a scheme of a round whose report has been submitted: requested by the enterprise
    with its reason and applied once a regulator of its region approves (create, change, withdraw),
    or a progress report the enterprise records itself (progress, state applied). `before` keeps the
    version it replaced — the evaluated one for the first — and `after` the values asked for, both as
    plain text (amounts as decimal strings, dates as YYYY-MM-DD)."""

    __tablename__ = "scheme_revisions"
    __table_args__ = (
        CheckConstraint(_in("kind", REVISION_KINDS), name="kind"),
        CheckConstraint(_in("state", REVISION_STATES), name="state"),
        CheckConstraint("kind = 'create' OR scheme_id IS NOT NULL", name="scheme"),
        # One change at a time per scheme: a second request waits for the first decision.
        Index("uq_scheme_revisions_pending", "scheme_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False, index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("schemes.id"), index=True)  # None: a new scheme asked for
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    scheme = relationship(Scheme, back_populates="revisions")
    round = relationship("AuditRound")
    enterprise = relationship("Enterprise")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def kind_label(self) -> str:
        return REVISION_KINDS[self.kind]

    @property
    def state_label(self) -> str:
        return REVISION_STATES[self.state]

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) of each field the revision changes (all of a new scheme's)."""
        before, after = self.before or {}, self.after or {}
        return [(f, before.get(f), after.get(f)) for f in Scheme.FIELDS if f in after and before.get(f) != after.get(f)]

    def changes_shown(self) -> list[tuple[str, str, str]]:
        """(label, before, after) for a page: what the revision changes, or for a withdrawal what it withdraws."""
        if self.kind == "withdraw":
            return [(FIELD_LABELS[f], shown(f, (self.before or {}).get(f)), "（撤回）") for f in ("code", "name")]
        return [(FIELD_LABELS[f], shown(f, old) if self.before else "—", shown(f, new))
                for f, old, new in self.changes()]


class SchemeTotals(db.Model):
    """One row per round: the sums of its schemes, rewritten in the same transaction as every scheme
    write (schemes.services.refresh_totals), so statistics read 50 000 rows instead of 1 000 000.

    Amount columns hold the sum × 10^SCALE as an integer (`<key>_e4`), so that sums of sums stay exact
    on SQLite too, whose NUMERIC columns are binary floating point.
    Counts cover every scheme not withdrawn; investment_planned covers schemes not abandoned; investment
    and the results cover completed schemes only (a planned scheme's figures are expectations, not
    results). A scheme whose figures await or were refused a regulator's review (Scheme.review_status)
    adds nothing to the amounts and is counted in schemes_under_review.
    """

    __tablename__ = "scheme_totals"
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), primary_key=True)
    schemes_total: Mapped[int] = mapped_column(Integer, nullable=False)
    schemes_completed: Mapped[int] = mapped_column(Integer, nullable=False)
    schemes_abandoned: Mapped[int] = mapped_column(Integer, nullable=False)
    schemes_low_cost: Mapped[int] = mapped_column(Integer, nullable=False)
    schemes_high_cost: Mapped[int] = mapped_column(Integer, nullable=False)
    schemes_under_review: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    investment_planned_wan_yuan_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    investment_wan_yuan_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    energy_tce_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    water_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    electricity_kwh_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    cod_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    nh3n_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    nox_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vocs_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    so2_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    particulates_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    co2_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    hazardous_waste_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    economic_benefit_wan_yuan_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)

