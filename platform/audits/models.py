"""Audit rounds (审核轮次), the mandatory lists that start them, their reports, cases and notices."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer,
                        String, Text, false, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.models_base import Amount, TimestampMixin, utcnow

KINDS = {"mandatory": "强制性审核", "voluntary": "自愿性审核", "certification": "评价认证"}
PROCEDURES = {"full": "完整审核", "simplified": "简化审核"}
STATES = {
    "listed": "列入名单",
    "disclosed": "企业信息已公开",
    "auditing": "审核中",
    "report_submitted": "报告已提交",
    "evaluation": "评估中",
    "evaluation_passed": "评估通过",
    "evaluation_failed": "评估不通过",
    "acceptance": "验收中",
    "accepted": "验收合格",
    "acceptance_failed": "验收不合格",
    # the simplified procedure's combined review (评估验收合并), procedures.COMBINED
    "review": "评估验收合并审查中",
    "review_failed": "评估验收合并审查不合格",
    # a confirmed certification counts as the audit (视同开展清洁生产审核), Certification below
    "certified": "评价认证视同完成审核",
    "cancelled": "已撤销",
}
CLOSED_STATES = ("accepted", "cancelled", "certified")
# The firm's clean-production level at acceptance, against its industry's indicator system
# (清洁生产评价指标体系: Ⅰ级 国际清洁生产领先水平, Ⅱ级 国内清洁生产先进水平, Ⅲ级 国内清洁生产一般水平);
# results.rules cites the source and the uses of the level.
LEVELS = {"I": "Ⅰ级（国际清洁生产领先水平）", "II": "Ⅱ级（国内清洁生产先进水平）", "III": "Ⅲ级（国内清洁生产一般水平）"}
CASE_STATES = {
    "open": "待处理",
    "rectifying": "限期整改中",
    "overdue": "逾期未整改",
    "rectified": "已整改",
    "closed": "已结案",
    "penalized": "已处罚",  # a penalty decision was recorded (platform/credit); the case is not open
}
OPEN_CASE_STATES = ("open", "rectifying", "overdue")
# The discharge permit's status recorded in a round (排污许可管理条例: 第二条 申请取得排污许可证;
# 第二十四条 填报排污登记表 for those not needing a permit), and where the record came from.
PERMIT_STATUSES = {
    "permit": "已取得排污许可证",
    "registered": "已填报排污登记表（登记管理）",
    "applying": "正在申请排污许可证（尚未取得）",
    "none": "未取得排污许可证或未填报排污登记表",
}
PERMIT_SOURCES = {"register": "排污许可证数据（导入）", "enterprise": "企业填报"}
# The causes of listing (审核办法 第八条, the listing feature's keys) and the disclosure form each one
# asks for (第十一条第（一）至（三）项); a firm listed for several causes fills each form (第（四）项).
DISCLOSURE_CAUSES = {
    "over_discharge": "污染物排放信息（超标或超总量排放）",
    "over_energy": "能源消耗信息（超过单位产品能源消耗限额）",
    "toxic": "有毒有害物质信息（使用或排放有毒有害物质）",
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ListBatch(db.Model):
    """One published mandatory-audit list (强制性清洁生产审核名单): public once published."""

    __tablename__ = "list_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    document_no: Mapped[str | None] = mapped_column(String(100))  # 文号
    published_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    division_code: Mapped[str] = mapped_column(String(6), ForeignKey("divisions.code"), nullable=False)
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    division = relationship("Division")
    rounds = relationship("AuditRound", back_populates="batch", order_by="AuditRound.id")


class ParkRound(db.Model):
    """A park or industrial cluster audited as a whole (园区/产业集群整体审核)."""

    __tablename__ = "park_rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    park = relationship("Park")
    rounds = relationship("AuditRound", back_populates="park_round", order_by="AuditRound.id")


class AuditRound(TimestampMixin, db.Model):
    __tablename__ = "audit_rounds"
    __table_args__ = (
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("procedure", PROCEDURES), name="procedure"),
        CheckConstraint("kind <> 'mandatory' OR listed_on IS NOT NULL", name="mandatory_listed"),
        CheckConstraint(f"permit_status IS NULL OR {_in('permit_status', PERMIT_STATUSES)}", name="permit_status"),
        CheckConstraint("carbon_baseline_t IS NULL OR carbon_baseline_t > 0", name="carbon_baseline"),
        CheckConstraint("carbon_target_year IS NULL OR carbon_baseline_year IS NULL"
                        " OR carbon_target_year > carbon_baseline_year", name="carbon_target_year"),
        CheckConstraint("clean_production_level IS NULL OR (clean_production_level IN ('I','II','III')"
                        " AND state = 'accepted')", name="clean_production_level"),
        # At most one open round per enterprise.
        Index("uq_audit_rounds_open_enterprise", "enterprise_id", unique=True,
              sqlite_where=text(f"NOT {_in('state', CLOSED_STATES)}"),
              postgresql_where=text(f"NOT {_in('state', CLOSED_STATES)}")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    procedure: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    carbon_in_scope: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("list_batches.id"), index=True)
    park_round_id: Mapped[int | None] = mapped_column(ForeignKey("park_rounds.id"), index=True)
    # The consultancy doing the audit (its experts may not review it); see experts.services.
    service_org_id: Mapped[int | None] = mapped_column(ForeignKey("service_orgs.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)  # why the enterprise was listed
    # Why the round follows its procedure: the criteria of 差别化审核 that applied (rules.procedure_choice),
    # one a line; and whether it takes the simplified procedure's combined review (procedures.flow_of).
    procedure_basis: Mapped[str | None] = mapped_column(Text)
    combined_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    # Listed for toxic or hazardous substances (审核办法 第八条第（三）项): only such a round has a
    # repeat deadline (第十二条). Taken from the enterprise when it is listed.
    toxic_listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    # The causes it was listed for (DISCLOSURE_CAUSES keys, ","-joined): each asks for its disclosure
    # form (disclosures.py). None or empty: a round listed for no cause (voluntary, certification, a
    # list typed in with a reason only) discloses with a date and a URL as before.
    disclosure_causes: Mapped[str | None] = mapped_column(String(60))
    # The permit inside the audit (permits.py): its status when the round began (from the imported
    # permit data) or as the enterprise recorded it, and the latest year whose annual 执行报告 was submitted.
    permit_status: Mapped[str | None] = mapped_column(String(20))
    permit_no: Mapped[str | None] = mapped_column(String(40))
    permit_source: Mapped[str | None] = mapped_column(String(20))
    permit_report_year: Mapped[int | None] = mapped_column(Integer)
    # Carbon in scope (碳减排纳入审核): the baseline, the intensity and the reduction target the firm sets.
    carbon_baseline_year: Mapped[int | None] = mapped_column(Integer)
    carbon_baseline_t: Mapped[Decimal | None] = mapped_column(Amount)  # tCO2 in the baseline year
    carbon_intensity: Mapped[Decimal | None] = mapped_column(Amount)  # tCO2 per unit of product
    carbon_intensity_unit: Mapped[str | None] = mapped_column(String(30))  # e.g. tCO2/t 熟料
    carbon_target_year: Mapped[int | None] = mapped_column(Integer)
    carbon_target_reduction_t: Mapped[Decimal | None] = mapped_column(Amount)  # tCO2/a less than the baseline
    # Dates of each step, and the deadlines derived from them by rules.py. A step the enterprise
    # declares (disclosed, started, report submitted, acceptance requested) holds its effective date:
    # the declared date when the platform witnessed it in time or a regulator confirmed it, the day
    # it was recorded otherwise (StepRecord keeps both, and the confirmation).
    listed_on: Mapped[date | None] = mapped_column(Date)
    disclosure_due: Mapped[date | None] = mapped_column(Date, index=True)
    disclosed_on: Mapped[date | None] = mapped_column(Date)
    disclosure_url: Mapped[str | None] = mapped_column(String(500))
    start_due: Mapped[date | None] = mapped_column(Date, index=True)
    started_on: Mapped[date | None] = mapped_column(Date)
    report_due: Mapped[date | None] = mapped_column(Date, index=True)
    report_submitted_on: Mapped[date | None] = mapped_column(Date)
    evaluation_started_on: Mapped[date | None] = mapped_column(Date)
    evaluation_concluded_on: Mapped[date | None] = mapped_column(Date)
    acceptance_due: Mapped[date | None] = mapped_column(Date, index=True)
    acceptance_requested_on: Mapped[date | None] = mapped_column(Date)
    acceptance_concluded_on: Mapped[date | None] = mapped_column(Date)
    next_round_due: Mapped[date | None] = mapped_column(Date, index=True)
    clean_production_level: Mapped[str | None] = mapped_column(String(3), index=True)  # LEVELS, at acceptance
    cancelled_reason: Mapped[str | None] = mapped_column(Text)

    enterprise = relationship("Enterprise")
    batch = relationship(ListBatch, back_populates="rounds")
    park_round = relationship(ParkRound, back_populates="rounds")
    reports = relationship("ReportFile", back_populates="round", order_by="ReportFile.id")
    events = relationship("RoundEvent", back_populates="round", order_by="RoundEvent.id")
    step_records = relationship("StepRecord", back_populates="round", order_by="StepRecord.id")

    def step_record(self, step: str):
        return next((r for r in self.step_records if r.step == step), None)

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.clean_production_level or "", "")

    @property
    def procedure_label(self) -> str:
        return PROCEDURES[self.procedure]

    @property
    def permit_status_label(self) -> str:
        return PERMIT_STATUSES.get(self.permit_status or "", "未记录")

    @property
    def required_disclosures(self) -> list[str]:
        """The disclosure forms the round asks for, in 第十一条's order."""
        given = set((self.disclosure_causes or "").split(","))
        return [c for c in DISCLOSURE_CAUSES if c in given]

    @property
    def procedure_reasons(self) -> list[str]:
        return [line for line in (self.procedure_basis or "").splitlines() if line]

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES

    def snapshot(self) -> dict:
        return {c.key: getattr(self, c.key) for c in self.__table__.columns if c.key not in ("created_at", "updated_at")}


class RoundEvent(db.Model):
    """The round's public timeline: one row per transition, with its date and who did it."""

    __tablename__ = "round_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False, index=True)
    on: Mapped[date] = mapped_column(Date, nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    round = relationship(AuditRound, back_populates="events")

    @property
    def to_label(self) -> str:
        return STATES[self.to_state]


# The steps an enterprise (or its service organisation) declares, each with the round's column of
# its effective date, the deadline it meets, and its label.
DECLARED_STEPS = {
    "disclosed": ("disclosed_on", "disclosure_due", "公开企业信息"),
    "auditing": ("started_on", "start_due", "开展清洁生产审核"),
    "report_submitted": ("report_submitted_on", "report_due", "完成审核并提交报告"),
    "acceptance": ("acceptance_requested_on", "acceptance_due", "申请验收"),
}
STEP_STATUSES = {
    "witnessed": "平台记录",  # recorded in time: the declared date stands
    "pending": "待核实",  # backdated: counts from the day recorded until a regulator confirms
    "confirmed": "已核实",  # a regulator confirmed the date against evidence
    "refused": "核实未采信",  # a regulator did not accept the declared date: the day recorded stands
}


class StepRecord(db.Model):
    """What the platform witnessed of a declared step: the date declared, the moment and the person
    that recorded it, and — where the declared date is earlier than the platform can vouch for — a
    regulator's confirmation against evidence (an uploaded document, or a disclosure URL with its date)."""

    __tablename__ = "step_records"
    __table_args__ = (
        CheckConstraint(_in("step", DECLARED_STEPS), name="step"),
        CheckConstraint(_in("status", STEP_STATUSES), name="status"),
        CheckConstraint("declared_on <= recorded_on", name="declared_not_after_recorded"),
        Index("uq_step_records_round_step", "round_id", "step", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False)
    step: Mapped[str] = mapped_column(String(20), nullable=False)
    declared_on: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_on: Mapped[date] = mapped_column(Date, nullable=False)  # the Beijing date it was recorded
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the CLI or an import
    recorder_role: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    evidence_stored_name: Mapped[str | None] = mapped_column(String(100), unique=True)
    evidence_original_name: Mapped[str | None] = mapped_column(String(255))
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    evidence_dated_on: Mapped[date | None] = mapped_column(Date)  # the date the evidence itself shows
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    round = relationship(AuditRound, back_populates="step_records")

    @property
    def status_label(self) -> str:
        return STEP_STATUSES[self.status]

    @property
    def step_label(self) -> str:
        return DECLARED_STEPS[self.step][2]

    @property
    def due(self) -> date | None:
        return getattr(self.round, DECLARED_STEPS[self.step][1])

    @property
    def late_entry(self) -> bool:
        """逾期补录: recorded after the deadline while declaring a date by it."""
        return self.due is not None and self.recorded_on > self.due >= self.declared_on

    @property
    def summary(self) -> str:
        """How the public page, the regulators' pages and the API describe the step's date."""
        recorded, declared = self.recorded_on.isoformat(), self.declared_on.isoformat()
        if self.status == "pending":
            kind = "逾期补录" if self.late_entry else "补录"
            return f"{kind}（{recorded} 录入，申报 {declared}，待核实）"
        if self.status == "confirmed":
            return f"经监管部门核实：{self.evidence_dated_on.isoformat()}（{recorded} 录入，申报 {declared}）"
        if self.status == "refused":
            return f"申报日期 {declared} 未获核实，以录入日 {recorded} 为准"
        return f"{recorded} 录入"


class DisclosureForm(db.Model):
    """One version of one §11 disclosure form of a round (disclosures.FORMS says what it holds).

    A row is never changed: a correction is a new version with its reason, the old one kept and shown
    to regulators; the public sees the latest version and that it was corrected."""

    __tablename__ = "disclosure_forms"
    __table_args__ = (
        CheckConstraint(_in("cause", DISCLOSURE_CAUSES), name="cause"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("version = 1 OR correction_note IS NOT NULL", name="correction_note"),
        Index("uq_disclosure_forms_round_cause_version", "round_id", "cause", "version", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False, index=True)
    cause: Mapped[str] = mapped_column(String(20), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[dict] = mapped_column(JSON, nullable=False)  # validated by disclosures.validate
    correction_note: Mapped[str | None] = mapped_column(Text)
    recorded_on: Mapped[date] = mapped_column(Date, nullable=False)  # the Beijing date the platform received it
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorder_role: Mapped[str] = mapped_column(String(20), nullable=False)

    round = relationship(AuditRound)

    @property
    def cause_label(self) -> str:
        return DISCLOSURE_CAUSES[self.cause]


class ReportFile(db.Model):
    """An uploaded audit report: stored outside static/ and served only after a permission check."""

    __tablename__ = "report_files"
    __table_args__ = (CheckConstraint("size > 0", name="size"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False, index=True)
    stored_name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    round = relationship(AuditRound, back_populates="reports")


class Case(db.Model):
    """A non-compliance case (违规案件): opened by the daily scan or by a regulator."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(_in("state", CASE_STATES), name="state"),
        CheckConstraint("state <> 'rectifying' OR rectification_deadline IS NOT NULL", name="rectification_deadline"),
        # At most one open case per round and cause: the scan can never open a second.
        Index("uq_cases_open_round_cause", "round_id", "cause", unique=True,
              sqlite_where=text(_in("state", OPEN_CASE_STATES)),
              postgresql_where=text(_in("state", OPEN_CASE_STATES))),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False, index=True)
    cause: Mapped[str] = mapped_column(String(30), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    due_on: Mapped[date | None] = mapped_column(Date)  # the deadline that was missed
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the compliance scan
    rectification_deadline: Mapped[date | None] = mapped_column(Date)
    rectification_note: Mapped[str | None] = mapped_column(Text)
    rectification_ordered_on: Mapped[date | None] = mapped_column(Date)
    cured_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    enterprise = relationship("Enterprise")
    round = relationship(AuditRound)

    @property
    def state_label(self) -> str:
        return CASE_STATES[self.state]

    @property
    def cause_label(self) -> str:
        from .rules import CAUSES

        return CAUSES[self.cause]

    @property
    def penalty(self):
        """The article that punishes this cause, its default legal basis and fine range (rules.py)."""
        from .rules import penalty_for

        return penalty_for(self.cause)

    @property
    def penalty_allowed(self) -> bool:
        """促进法 第三十九条 fines only a refusal to correct (the order ran out); 第三十六条 at once."""
        return self.state == "overdue" or (self.is_open and not self.penalty.needs_refusal)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CASE_STATES


class Notice(db.Model):
    """A reminder in the platform (and by e-mail when SMTP is configured): once per deadline and lead time."""

    __tablename__ = "notices"
    __table_args__ = (Index("uq_notices_round_deadline_days", "round_id", "deadline", "days_before", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False)
    deadline: Mapped[str] = mapped_column(String(30), nullable=False)  # the due column's name
    days_before: Mapped[int] = mapped_column(Integer, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    created_on: Mapped[date] = mapped_column(Date, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime)


CERTIFICATION_STATUSES = {"pending": "待核实", "confirmed": "已核实，视同开展清洁生产审核", "rejected": "未予核实"}


class Certification(db.Model):
    """A clean-production certification (清洁生产评价认证) that counts as an audit once a regulator of the
    enterprise's city confirms it against the certificate: it then closes the listing obligation of the
    enterprise's open mandatory round (or stands as a round of its own when none is open)."""

    __tablename__ = "certifications"
    __table_args__ = (
        CheckConstraint(_in("status", CERTIFICATION_STATUSES), name="status"),
        CheckConstraint("certified_on <= recorded_on", name="certified_not_after_recorded"),
        CheckConstraint("status = 'pending' OR decided_at IS NOT NULL", name="decided"),
        # One certificate of a body counts once (a rejected entry may be recorded again).
        Index("uq_certifications_body_number", "certifying_body", "certificate_no", unique=True,
              sqlite_where=text("status <> 'rejected'"), postgresql_where=text("status <> 'rejected'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    # The round it closes: the open mandatory round when it was recorded, or the certification round
    # created when it was confirmed.
    round_id: Mapped[int | None] = mapped_column(ForeignKey("audit_rounds.id"), index=True)
    certificate_no: Mapped[str] = mapped_column(String(100), nullable=False)
    certifying_body: Mapped[str] = mapped_column(String(200), nullable=False)
    certified_on: Mapped[date] = mapped_column(Date, nullable=False)
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    stored_name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    recorded_on: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorder_role: Mapped[str] = mapped_column(String(20), nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str | None] = mapped_column(Text)

    enterprise = relationship("Enterprise")
    round = relationship(AuditRound)

    @property
    def status_label(self) -> str:
        return CERTIFICATION_STATUSES[self.status]

    def snapshot(self) -> dict:
        return {k: getattr(self, k) for k in ("certificate_no", "certifying_body", "certified_on", "scope", "status",
                                              "round_id", "sha256")}
