"""Scheduled jobs of the audits feature: the daily compliance scan and the deadline reminders.

Both are set-based SQL (one statement per cause, not a loop over enterprises), idempotent, and
take an explicit `as_of` date, so the rules can be run and tested at any date.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, insert, literal, or_, select, update

from sqlalchemy.orm import aliased

from ..core import mail
from ..core.auditlog.services import record
from ..core.extensions import db
from ..core.models_base import utcnow
from . import rules
from .models import CLOSED_STATES, OPEN_CASE_STATES, AuditRound, Case, Notice, StepRecord
from ..core.access import SYSTEM


@dataclass(frozen=True)
class DeadlineCause:
    """A deadline the round can miss: the due column, the column of the step that meets it (its
    effective date), and the step's name among the declared steps.

    A step recorded after its deadline while declaring a date by it (逾期补录) has not met the
    deadline until a regulator confirms the declared date: its case opens, or stays open, meanwhile."""
    due: object
    done: object
    step: str

    def unconfirmed_late(self):
        return and_(self.done > self.due, exists().where(
            StepRecord.round_id == R.id, StepRecord.step == self.step, StepRecord.status == "pending"))

    def pending(self, as_of):
        return and_(self.due < as_of, or_(self.done.is_(None), self.done > as_of, self.unconfirmed_late()))

    def cured(self, as_of):
        return and_(self.done <= as_of, ~self.unconfirmed_late())


@dataclass(frozen=True)
class StateCause:
    """A failed review: open while the round stands in `state` (concluded by `as_of`), cured once it
    reaches one of `cured_states`."""
    state: str
    concluded: object
    cured_states: tuple
    due: object = None

    def pending(self, as_of):
        return and_(AuditRound.state == self.state, self.concluded <= as_of)

    def cured(self, as_of):
        return AuditRound.state.in_(self.cured_states)


R = AuditRound
CAUSE_RULES = {
    "disclosure_overdue": DeadlineCause(R.disclosure_due, R.disclosed_on, "disclosed"),
    "start_overdue": DeadlineCause(R.start_due, R.started_on, "auditing"),
    "report_overdue": DeadlineCause(R.report_due, R.report_submitted_on, "report_submitted"),
    "evaluation_failed": StateCause("evaluation_failed", R.evaluation_concluded_on,
                                    ("evaluation_passed", "acceptance", "accepted", "acceptance_failed")),
    "acceptance_overdue": DeadlineCause(R.acceptance_due, R.acceptance_requested_on, "acceptance"),
    "acceptance_failed": StateCause("acceptance_failed", R.acceptance_concluded_on, ("accepted",)),
    # the simplified procedure's combined review (procedures.COMBINED): cured once a review passes
    "review_failed": StateCause("review_failed", R.evaluation_concluded_on, ("accepted",)),
}
# Every cause the scan opens has its rule here; the others are opened by a regulator.
assert set(CAUSE_RULES) | {"next_round_overdue"} == {c for c, cause in rules.CAUSES_RULES.items() if cause.by_scan}


def overdue_now(as_of: date):
    """SQL condition: an open round has a deadline passed without the step that meets it (the scan's rule)."""
    return and_(R.state.not_in(CLOSED_STATES),
                or_(*(rule.pending(as_of) for rule in CAUSE_RULES.values() if isinstance(rule, DeadlineCause))))


@dataclass
class ScanReport:
    as_of: date
    opened: dict = field(default_factory=dict)
    closed: int = 0
    rectified: int = 0
    overdue: int = 0

    @property
    def opened_total(self) -> int:
        return sum(self.opened.values())

    def lines(self) -> list[str]:
        out = [f"合规扫描（截至 {self.as_of.isoformat()}）：新立案 {self.opened_total} 件，"
               f"原因消除结案 {self.closed} 件，整改完成 {self.rectified} 件，转为逾期未整改 {self.overdue} 件。"]
        out += [f"  {rules.CAUSES[c]}：{n} 件" for c, n in self.opened.items() if n]
        return out


def _later_round(as_of):
    later = aliased(AuditRound)
    return exists().where(later.enterprise_id == R.enterprise_id, later.id > R.id, later.state != "cancelled",
                          func.coalesce(later.listed_on, later.started_on) <= as_of)


def compliance_scan(as_of: date) -> ScanReport:
    """Open a case for every missed obligation, close cases whose cause was cured, mark overdue rectifications."""
    report = ScanReport(as_of=as_of)
    now = utcnow()
    # A round closed by a confirmed certification (certified) met its listing: none of its deadlines is scanned.
    mandatory = and_(R.kind == "mandatory", R.state.not_in(("cancelled", "certified")))
    pending = {cause: rule.pending(as_of) for cause, rule in CAUSE_RULES.items()}
    pending["next_round_overdue"] = and_(R.state.in_(("accepted", "certified")), R.next_round_due < as_of,
                                         ~_later_round(as_of))
    due_of = {cause: getattr(rule, "due", None) for cause, rule in CAUSE_RULES.items()}
    due_of["next_round_overdue"] = R.next_round_due

    # 1. Cured causes first, so a cured case is never marked overdue.
    cured = {cause: rule.cured(as_of) for cause, rule in CAUSE_RULES.items()}
    cured["next_round_overdue"] = _later_round(as_of)
    for cause, condition in cured.items():
        round_cured = exists().where(R.id == Case.round_id, condition)
        rule = CAUSE_RULES.get(cause)
        done_on = (select(rule.done).where(R.id == Case.round_id).scalar_subquery()
                   if isinstance(rule, DeadlineCause) else literal(as_of))
        cured_on = func.coalesce(done_on, as_of)
        where = (Case.cause == cause, round_cured)
        report.closed += _update(Case.state == "open", *where, state="closed", cured_on=cured_on, closed_on=as_of,
                                 closed_reason="违规原因已消除，自动结案")
        report.rectified += _update(Case.state.in_(("rectifying", "overdue")), *where, state="rectified",
                                    cured_on=cured_on)
    # Cases of cancelled rounds close with the round.
    report.closed += _update(Case.state.in_(OPEN_CASE_STATES), exists().where(R.id == Case.round_id, R.state == "cancelled"),
                             state="closed", closed_on=as_of, closed_reason="审核轮次已撤销")

    # 2. Open one case per round and cause, never a second (the unique index guards it too).
    for cause, condition in pending.items():
        already = exists().where(Case.round_id == R.id, Case.cause == cause)
        due = due_of[cause] if due_of[cause] is not None else literal(None)
        rows = select(R.enterprise_id, R.id, literal(cause), literal("open"), due, literal(as_of), literal(now)).where(
            R.kind == "mandatory" if cause == "next_round_overdue" else mandatory, condition, ~already)
        result = db.session.execute(insert(Case).from_select(
            ["enterprise_id", "round_id", "cause", "state", "due_on", "opened_on", "created_at"], rows))
        report.opened[cause] = result.rowcount

    # 3. Rectification orders whose deadline passed without a cure.
    report.overdue = _update(Case.state == "rectifying", Case.rectification_deadline < as_of, state="overdue")
    record(SYSTEM, "compliance.scan", "scan", as_of.isoformat(), after={
        "opened": report.opened, "closed": report.closed, "rectified": report.rectified, "overdue": report.overdue})
    return report


def _update(*conditions, **values) -> int:
    statement = update(Case).where(*conditions).values(**values).execution_options(synchronize_session=False)
    return db.session.execute(statement).rowcount


# --- reminders ---------------------------------------------------------------------------------

REMINDED = {
    "disclosure_due": (R.disclosed_on, "公开企业信息"),
    "start_due": (R.started_on, "开展清洁生产审核"),
    "report_due": (R.report_submitted_on, "完成审核并提交审核报告"),
    "acceptance_due": (R.acceptance_requested_on, "申请验收"),
}


def send_reminders(as_of: date) -> int:
    """Notices 30, 7 and 1 days before each open deadline; each (round, deadline, lead time) once."""
    created = 0
    leads = sorted(rules.REMINDER_DAYS.value)  # 1, 7, 30
    for i, days in enumerate(leads):
        lower = as_of + timedelta(days=leads[i - 1]) if i else as_of - timedelta(days=1)
        upper = as_of + timedelta(days=days)
        for deadline, (done, label) in REMINDED.items():
            due = getattr(R, deadline)
            already = exists().where(Notice.round_id == R.id, Notice.deadline == deadline, Notice.days_before == days)
            message = f"提醒：距“{label}”的截止日期已不足 {days} 天，请按时办理。"
            rows = select(R.enterprise_id, R.id, literal(deadline), literal(days), due, literal(message),
                          literal(as_of)).where(
                R.state.not_in(CLOSED_STATES), due > lower, due <= upper, done.is_(None), ~already)
            result = db.session.execute(insert(Notice).from_select(
                ["enterprise_id", "round_id", "deadline", "days_before", "due_on", "message", "created_on"], rows))
            created += result.rowcount
    if mail.enabled():
        _email_notices()
    return created


def _email_notices() -> None:
    """E-mail each notice not yet sent to the enterprise's users who gave an address; a failure is retried next run."""
    from ..accounts.models import User

    pending = db.session.scalars(select(Notice).where(Notice.emailed_at.is_(None)).order_by(Notice.id).limit(500))
    for notice in pending:
        to = [e for (e,) in db.session.execute(select(User.email).where(
            User.enterprise_id == notice.enterprise_id, User.active.is_(True), User.email.is_not(None)))]
        if to:
            try:
                mail.send(to, "【广西清洁生产信息平台】审核期限提醒", f"{notice.message}\n截止日期：{notice.due_on.isoformat()}")
            except OSError:
                continue
        notice.emailed_at = utcnow()


# --- the scheduler's entries (platform/core/scheduler/jobs.py) -------------------------------------

def scan_job(as_of) -> str:
    return "\n".join(compliance_scan(as_of).lines())


def reminders_job(as_of) -> str:
    return f"新增提醒 {send_reminders(as_of)} 条"
