"""Review panels: a panel for one round at one stage, its draws, members, score sheets and the
requests a second regulator decides."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.models_base import utcnow

from ..experts.models import Expert
from .rules import EXCLUSION_REASONS, OUTCOME_LABELS, STAGES

PANEL_STATES = {"scoring": "评审中", "concluded": "已出结论", "cancelled": "已撤销"}
MEMBER_STATES = {"active": "在组", "declined": "已拒绝"}
REQUEST_KINDS = {"cancel": "撤销专家组", "decline": "代专家拒绝参加"}
REQUEST_STATES = {"pending": "待批准", "approved": "已批准", "rejected": "已驳回", "lapsed": "已失效"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


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
    # The organisation whose work the panel reviews, as it stood at the draw (the round's may change
    # later): a failed conclusion or a falsification veto goes on its public record.
    service_org_id: Mapped[int | None] = mapped_column(ForeignKey("service_orgs.id"), index=True)
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
