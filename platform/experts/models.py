"""The expert pool (专家库), service organisations (服务机构) and review panels (评估/验收专家组).

Contact data (phone, e-mail, contact person) lives only on these rows and is never put into a
search document, a public page or a public API answer.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        Text, UniqueConstraint, text, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.indexing.services import indexed
from ..core.models_base import TimestampMixin, utcnow
from ..core.reference.models import Industry
from .rules import EXCLUSION_REASONS, OUTCOME_LABELS, STAGES

STATUSES = {"pending": "待审核", "approved": "已入库", "suspended": "已暂停", "retired": "已退出"}
PANEL_STATES = {"scoring": "评审中", "concluded": "已出结论", "cancelled": "已撤销"}
MEMBER_STATES = {"active": "在组", "declined": "已拒绝"}
REQUEST_KINDS = {"cancel": "撤销专家组", "decline": "代专家拒绝参加"}
REQUEST_STATES = {"pending": "待批准", "approved": "已批准", "rejected": "已驳回", "lapsed": "已失效"}
ENGAGEMENT_STATES = {"pending": "待确认", "confirmed": "已生效", "refused": "服务机构不予确认",
                     "rejected": "监管部门不予批准", "withdrawn": "已撤回"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ServiceOrg(TimestampMixin, db.Model):
    """A consultancy (清洁生产审核咨询服务机构) that audits for enterprises; its track record is public."""

    __tablename__ = "service_orgs"
    __table_args__ = (CheckConstraint("length(uscc) = 18", name="uscc_length"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    uscc: Mapped[str] = mapped_column(String(18), unique=True, nullable=False)
    city_code: Mapped[str] = mapped_column(String(6), ForeignKey("divisions.code"), nullable=False, index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    # The organisation's own account (role service_org), if it has one.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Private: for regulators only.
    contact_person: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))

    city = relationship("Division")
    user = relationship("User")

    def snapshot(self) -> dict:
        return {k: getattr(self, k) for k in ("name", "uscc", "city_code", "address", "user_id", "active",
                                               "contact_person", "contact_phone")}


class ExpertSpecialty(db.Model):
    """An industry (GB/T 4754 two-digit code) the expert may review."""

    __tablename__ = "expert_specialties"
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(2), ForeignKey("industries.code"), primary_key=True)


@indexed
class Expert(TimestampMixin, db.Model):
    __tablename__ = "experts"
    __search_index__ = "experts"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("length(employer_uscc) = 18", name="employer_uscc_length"),
        CheckConstraint("years_of_practice >= 0 AND years_of_practice <= 70", name="years_of_practice"),
        # A suspension or retirement is always given with its reason.
        CheckConstraint("status NOT IN ('suspended', 'retired') OR status_reason IS NOT NULL", name="status_reason"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(50), nullable=False)  # 职称
    employer: Mapped[str] = mapped_column(String(200), nullable=False)
    employer_uscc: Mapped[str] = mapped_column(String(18), nullable=False, index=True)
    fields: Mapped[str | None] = mapped_column(String(300))  # 专业领域, e.g. 节能、废水治理
    qualifications: Mapped[str | None] = mapped_column(Text)  # 执业资格与主要业绩
    years_of_practice: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A new name asked for by an expert already decided on, until the province regulator approves it.
    pending_name: Mapped[str | None] = mapped_column(String(50))
    pending_name_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Private contact data: the expert and regulators only.
    phone: Mapped[str] = mapped_column(String(30), nullable=False)
    email: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # external version of the search document

    user = relationship("User", foreign_keys=[user_id])
    industries = relationship(Industry, secondary=ExpertSpecialty.__table__, order_by=Industry.code)
    conflicts = relationship("ExpertConflict", back_populates="expert", order_by="ExpertConflict.id",
                             cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    # Changing one of these sends an approved expert back for approval.
    KEY_FIELDS = ("title", "employer", "employer_uscc", "industry_codes")
    EDITABLE = ("name", "title", "employer", "employer_uscc", "fields", "qualifications", "years_of_practice",
                "phone", "email")

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def industry_codes(self) -> list[str]:
        return [i.code for i in self.industries]

    def snapshot(self) -> dict:
        data = {field: getattr(self, field) for field in self.EDITABLE}
        data["industry_codes"] = self.industry_codes
        data["status"] = self.status
        return data

    @classmethod
    def search_filter(cls):
        # Every expert is in the index (no contact data is): the public search asks for status
        # "approved", the regulator's pool search for any status.
        return true()

    @classmethod
    def search_document(cls, row: "Expert") -> dict | None:
        """The one place an expert becomes a search document. Never any contact data."""
        return {
            "id": row.id, "name": row.name, "title": row.title, "employer": row.employer,
            "specialty_codes": row.industry_codes, "specialty_names": [i.name for i in row.industries],
            "fields": row.fields or "", "status": row.status,
        }


class ExpertConflict(db.Model):
    """A conflict of interest the expert declared, with an enterprise or a service organisation."""

    __tablename__ = "expert_conflicts"
    __table_args__ = (UniqueConstraint("expert_id", "uscc", name="uq_expert_conflicts_expert_uscc"),
                      CheckConstraint("length(uscc) = 18", name="uscc_length"))
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), nullable=False, index=True)
    uscc: Mapped[str] = mapped_column(String(18), nullable=False, index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    expert = relationship(Expert, back_populates="conflicts")


class Panel(db.Model):
    """A review panel for one round at one stage: drawn, scored, concluded."""

    __tablename__ = "panels"
    __table_args__ = (
        CheckConstraint(_in("stage", STAGES), name="stage"),
        CheckConstraint(_in("state", PANEL_STATES), name="state"),
        CheckConstraint("size >= 3", name="size"),  # DESIGN §2: a panel of at least three experts
        CheckConstraint("pass_mark >= 0 AND pass_mark <= 100", name="pass_mark"),
        CheckConstraint("state <> 'concluded' OR (passed IS NOT NULL AND concluded_on IS NOT NULL "
                        "AND mean_total IS NOT NULL)", name="conclusion"),
        CheckConstraint("mean_total IS NULL OR (mean_total >= 0 AND mean_total <= 100)", name="mean_total"),
        # One panel at work per round at a time.
        Index("uq_panels_scoring_round", "round_id", unique=True,
              sqlite_where=text("state = 'scoring'"), postgresql_where=text("state = 'scoring'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False, index=True)
    stage: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="scoring", index=True)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    pass_mark: Mapped[int] = mapped_column(Integer, nullable=False)
    veto_min_members: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    drawn_on: Mapped[date] = mapped_column(Date, nullable=False)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    meeting_on: Mapped[date | None] = mapped_column(Date)  # the review meeting (评审会) date
    location: Mapped[str | None] = mapped_column(String(200))
    concluded_on: Mapped[date | None] = mapped_column(Date)
    concluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    passed: Mapped[bool | None] = mapped_column(Boolean)
    mean_total: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    vetoes: Mapped[list | None] = mapped_column(JSON)  # the veto item codes that stood
    conclusion: Mapped[str | None] = mapped_column(Text)
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    round = relationship("AuditRound")
    draws = relationship("PanelDraw", back_populates="panel", order_by="PanelDraw.seq")
    requests = relationship("PanelRequest", back_populates="panel", order_by="PanelRequest.id")
    members = relationship("PanelMember", back_populates="panel", order_by="PanelMember.id",
                           foreign_keys="PanelMember.panel_id")

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]

    @property
    def state_label(self) -> str:
        return PANEL_STATES[self.state]

    @property
    def outcome_label(self) -> str:
        if self.passed is None:
            return ""
        passed, failed = OUTCOME_LABELS[self.stage]
        return passed if self.passed else failed

    @property
    def active_members(self) -> list["PanelMember"]:
        return [m for m in self.members if m.state == "active"]

    @property
    def all_signed(self) -> bool:
        active = self.active_members
        return len(active) == self.size and all(m.signed_at for m in active)


class PanelDraw(db.Model):
    """One random draw: the initial one, or a replacement after a member declined.

    Its record is enough to replay it: `random.Random(seed).sample(eligible, requested)` where
    eligible is candidate_ids without the excluded experts, by id. While its panel scores only the
    commitment (draw.commitment over the record) is published; see draw.py.
    """

    __tablename__ = "panel_draws"
    __table_args__ = (
        UniqueConstraint("panel_id", "seq", name="uq_panel_draws_panel_seq"),
        CheckConstraint("requested >= 1", name="requested"),
        CheckConstraint("length(seed) BETWEEN 1 AND 20", name="seed"),
        CheckConstraint("length(nonce) = 32", name="nonce"),
        CheckConstraint("length(commitment) = 64", name="commitment"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)  # 1: the initial draw; 2, 3…: replacements
    # An unsigned 64-bit integer in decimal digits: no SQL integer type holds it, and SQLite would
    # round it as a NUMERIC.
    seed: Mapped[str] = mapped_column(String(20), nullable=False)
    nonce: Mapped[str] = mapped_column(String(32), nullable=False)  # 128 random bits, hex
    commitment: Mapped[str] = mapped_column(String(64), nullable=False)  # SHA-256 hex, published at draw time
    requested: Mapped[int] = mapped_column(Integer, nullable=False)
    candidate_ids: Mapped[list] = mapped_column(JSON, nullable=False)  # every expert in the pool, by id
    chosen_ids: Mapped[list] = mapped_column(JSON, nullable=False)  # in the order drawn
    drawn_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    panel = relationship(Panel, back_populates="draws")
    exclusions = relationship("PanelExclusion", back_populates="draw", order_by="PanelExclusion.expert_id")

    @property
    def seed_int(self) -> int:
        return int(self.seed)

    @property
    def is_replacement(self) -> bool:
        return self.seq > 1


class PanelExclusion(db.Model):
    __tablename__ = "panel_exclusions"
    __table_args__ = (UniqueConstraint("draw_id", "expert_id", name="uq_panel_exclusions_draw_expert"),
                      CheckConstraint(_in("reason", EXCLUSION_REASONS), name="reason"))
    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("panel_draws.id"), nullable=False, index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), nullable=False)
    reason: Mapped[str] = mapped_column(String(20), nullable=False)

    draw = relationship(PanelDraw, back_populates="exclusions")
    expert = relationship(Expert)

    @property
    def reason_label(self) -> str:
        return EXCLUSION_REASONS[self.reason]


class PanelMember(db.Model):
    __tablename__ = "panel_members"
    __table_args__ = (
        UniqueConstraint("panel_id", "expert_id", name="uq_panel_members_panel_expert"),
        CheckConstraint(_in("state", MEMBER_STATES), name="state"),
        CheckConstraint("state <> 'declined' OR declined_reason IS NOT NULL", name="declined_reason"),
        CheckConstraint("signed_at IS NULL OR (state = 'active' AND opinion IS NOT NULL)", name="signature"),
        # Only a signed sheet is discarded (with its cancelled panel); it is kept, never deleted.
        CheckConstraint("discarded_at IS NULL OR signed_at IS NOT NULL", name="discarded"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), nullable=False, index=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("panel_draws.id"), nullable=False)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), nullable=False, index=True)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="active")
    declined_reason: Mapped[str | None] = mapped_column(Text)
    declined_at: Mapped[datetime | None] = mapped_column(DateTime)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("panel_members.id"))
    opinion: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    discarded_at: Mapped[datetime | None] = mapped_column(DateTime)  # the signed sheet fell with its panel
    # The member's name as published with the panel: taken at the draw, fixed when the panel concludes
    # or is withdrawn, so that a later change of name does not rewrite a published record.
    expert_name: Mapped[str] = mapped_column(String(50), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    panel = relationship(Panel, back_populates="members", foreign_keys=[panel_id])
    draw = relationship(PanelDraw)
    expert = relationship(Expert)
    replaced_by = relationship("PanelMember", remote_side=[id])
    scores = relationship("Score", back_populates="member", order_by="Score.id", cascade="all, delete-orphan")

    @property
    def state_label(self) -> str:
        return MEMBER_STATES[self.state]

    @property
    def total(self) -> Decimal:
        return sum((s.points for s in self.scores if s.points is not None), Decimal(0))

    def points(self) -> dict[str, Decimal]:
        return {s.item_code: s.points for s in self.scores if s.points is not None}

    def vetoes(self) -> set[str]:
        return {s.item_code for s in self.scores if s.vetoed}


class Score(db.Model):
    """One member's points for one item of the table, or a veto item they ticked."""

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("member_id", "item_code", name="uq_scores_member_item"),
        CheckConstraint("points IS NULL OR (points >= 0 AND points <= 100)", name="points"),
        CheckConstraint("points IS NOT NULL OR vetoed", name="points_or_veto"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_members.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    item_code: Mapped[str] = mapped_column(String(30), nullable=False)
    points: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    vetoed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    member = relationship(PanelMember, back_populates="scores")


class PanelRequest(db.Model):
    """A change to a panel at work that one regulator may not make alone (four eyes).

    Cancelling a panel on which a member has signed, or declining on an expert's behalf, is filed
    here with its reason; a second regulator with scope over the round approves (and the change is
    made then) or rejects it. A request whose panel or seat moved on meanwhile lapses.
    """

    __tablename__ = "panel_requests"
    __table_args__ = (
        CheckConstraint(_in("kind", REQUEST_KINDS), name="kind"),
        CheckConstraint(_in("state", REQUEST_STATES), name="state"),
        CheckConstraint("kind <> 'decline' OR member_id IS NOT NULL", name="member"),
        CheckConstraint("state = 'pending' OR decided_at IS NOT NULL", name="decided"),
        CheckConstraint("decided_by_id IS NULL OR decided_by_id <> requested_by_id", name="four_eyes"),
        Index("uq_panel_requests_pending_cancel", "panel_id", unique=True,
              sqlite_where=text("state = 'pending' AND kind = 'cancel'"),
              postgresql_where=text("state = 'pending' AND kind = 'cancel'")),
        Index("uq_panel_requests_pending_decline", "member_id", unique=True,
              sqlite_where=text("state = 'pending' AND kind = 'decline'"),
              postgresql_where=text("state = 'pending' AND kind = 'decline'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("panel_members.id"))
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="pending", index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    panel = relationship(Panel, back_populates="requests")
    member = relationship(PanelMember)
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def kind_label(self) -> str:
        return REQUEST_KINDS[self.kind]

    @property
    def state_label(self) -> str:
        return REQUEST_STATES[self.state]


class ExpertNotice(db.Model):
    """A notice to an expert in the platform (and by e-mail when SMTP is configured, experts/jobs.py)."""

    __tablename__ = "expert_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), nullable=False, index=True)
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panels.id"))
    message: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    expert = relationship(Expert)
    panel = relationship(Panel)


class ServiceEngagement(db.Model):
    """Who does a round's audit, as proposed and as confirmed (experts/engagements.py).

    Only a confirmed engagement sets the round's service_org_id, which the public record, the
    statistics and the draw's conflict rule read. An enterprise's proposal waits for the named
    organisation (needs_org) and, once the report has been submitted, for a regulator too
    (needs_regulator). A regulator's (or the operator's) direct setting needs neither.
    """

    __tablename__ = "service_engagements"
    __table_args__ = (
        CheckConstraint(_in("state", ENGAGEMENT_STATES), name="state"),
        # Nothing counts unconfirmed: every confirmation it needed is on the row.
        CheckConstraint("state <> 'confirmed' OR ((NOT needs_org OR org_confirmed_at IS NOT NULL) "
                        "AND (NOT needs_regulator OR regulator_approved_at IS NOT NULL))", name="confirmed"),
        CheckConstraint("NOT needs_org OR service_org_id IS NOT NULL", name="needs_org"),
        CheckConstraint("state = 'pending' OR decided_at IS NOT NULL", name="decided"),
        Index("uq_service_engagements_pending_round", "round_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False, index=True)
    service_org_id: Mapped[int | None] = mapped_column(ForeignKey("service_orgs.id"), index=True)  # None: no consultancy
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="pending", index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the operator (CLI, demo)
    proposed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    needs_org: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    org_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    needs_regulator: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    regulator_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    regulator_approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    round = relationship("AuditRound")
    service_org = relationship(ServiceOrg)
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])

    @property
    def state_label(self) -> str:
        return ENGAGEMENT_STATES[self.state]

    @property
    def waiting_for(self) -> list[str]:
        """Who must still agree, in words (for a pending engagement)."""
        if self.state != "pending":
            return []
        out = []
        if self.needs_org and self.org_confirmed_at is None:
            out.append("待服务机构确认")
        if self.needs_regulator and self.regulator_approved_at is None:
            out.append("待监管部门批准")
        return out
