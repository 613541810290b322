"""Schemes after the audit report: revisions a regulator approves, progress the enterprise reports,
and the regulators' review of implausible figures.

Why. The report, the evaluation and the acceptance all describe the round's schemes; statistics and
the province's targets add up their figures. So from the report's submission on (services.FROZEN_STATES)
the enterprise no longer creates, edits or deletes them directly, and no figure counts that nobody
but the enterprise has looked at when it is implausible.

Decisions, written down:

* **Revisions.** A change (new values), a new scheme, or a withdrawal is requested by the enterprise
  with its reason and stays pending until a regulator of the enterprise's city (or the province)
  approves or rejects it; the enterprise never decides on its own request, nor does an admin. On
  approval the scheme takes the new values and the revision keeps the version it replaced (`before`),
  who asked and when, who approved and when: the scheme page shows that history. One request per
  scheme at a time. A scheme is never deleted after the report: an approved withdrawal marks it
  withdrawn (kept, shown, no longer counted).
* **Progress** (planned → implementing → completed) remains the enterprise's own input after the
  report and after acceptance: carrying out the schemes is what the round is for, and medium/high-cost
  schemes are often completed after acceptance. So it needs no approval, but it is bounded: it moves a
  scheme forward only (a completed or abandoned scheme changes only by revision), it is not taken
  while a panel is reviewing the round (评估中, 验收中), it keeps the scheme's number, name and category,
  and it sets the completion results once. Those results are assessed (services.assess): above a
  ceiling, above rules.COMPLETION_FACTOR times the evaluated figure (or where that was 0), or reported
  after acceptance (no panel will see them), they are held out of the statistics until a regulator
  confirms them. Each progress report is kept as a revision (state applied) with the version before it.
* **Implausible figures** — any write, by any path (form, import, revision, progress, demo), whose
  figure exceeds its ceiling — are accepted and flagged 待核实; the totals, and so every statistic,
  leave the scheme's figures out until a regulator of its region confirms them. A regulator who
  does not accept them rejects them with a reason: they stay out of the statistics until the
  enterprise corrects them through a revision, which is assessed afresh.
"""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..audits.models import STATES, AuditRound
from ..core import access
from ..core.auditlog.services import record
from ..enterprises import services as enterprises
from ..enterprises.models import Enterprise
from ..core.errors import NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.models_base import utcnow
from ..core.dates import iso
from . import services
from .models import AMOUNTS, Scheme, SchemeRevision

MAX_TEXT = 2000
# Progress is not recorded while a panel reviews the round: what it reviews stays as it is.
PROGRESS_STATES = tuple(s for s in services.FROZEN_STATES if s not in ("evaluation", "acceptance", "review"))
FORWARD = {"planned": ("implementing", "completed"), "implementing": ("completed",)}


def plain_values(values: dict) -> dict:
    """Scheme values as the revision stores them: amounts as decimal text, dates as YYYY-MM-DD."""
    out = {}
    for field, value in values.items():
        if isinstance(value, Decimal):
            value = str(services.plain(value))
        elif isinstance(value, date):
            value = iso(value)
        out[field] = value
    return out


# --- the enterprise asks ---------------------------------------------------------------------------

def _require_requester(actor, round_: AuditRound) -> str:
    """The enterprise itself, for a round whose schemes are frozen; the round locked. Returns its state."""
    if not access.is_person(actor, "enterprise"):
        raise PermissionDenied("方案修订由企业本身申请，由监管部门审核。")
    if actor.enterprise_id != round_.enterprise_id:
        raise PermissionDenied("只能为本企业的清洁生产方案提交修订申请。")
    state = services.lock_round(round_)
    if state == "cancelled":
        raise ValidationError("该审核轮次已撤销，方案不能再修订。", "round")
    if state not in services.FROZEN_STATES:
        raise ValidationError(f"该审核轮次当前为“{STATES[state]}”，方案尚未冻结，可直接修改，无需申请。", "round")
    return state


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请写明修订理由。", "reason")
    if len(reason) > MAX_TEXT:
        raise ValidationError(f"修订理由不能超过 {MAX_TEXT} 个字符。", "reason")
    return reason


def _require_no_pending(scheme: Scheme) -> None:
    if scheme.withdrawn_at is not None:
        raise ValidationError("该方案已撤回。", "round")
    waiting = db.session.scalar(select(SchemeRevision).where(SchemeRevision.scheme_id == scheme.id,
                                                             SchemeRevision.state == "pending"))
    if waiting is not None:
        raise ValidationError(f"该方案已有待审核的{waiting.kind_label}申请，请等待监管部门处理后再提交。", "round")


def _new_revision(actor, round_: AuditRound, scheme: Scheme | None, kind: str, *, before, after, reason,
                  state: str = "pending") -> SchemeRevision:
    revision = SchemeRevision(round_id=round_.id, enterprise_id=round_.enterprise_id,
                              scheme_id=scheme.id if scheme else None, kind=kind, state=state,
                              before=plain_values(before) if before is not None else None,
                              after=plain_values(after) if after is not None else None,
                              reason=reason, requested_by_id=getattr(actor, "id", None), requested_at=utcnow())
    db.session.add(revision)
    db.session.flush()
    return revision


def request_change(actor, scheme: Scheme, raw: dict, reason: str, *, today: date | None = None) -> SchemeRevision:
    """Ask for new values of a frozen scheme (fields `raw` leaves out keep theirs)."""
    round_ = scheme.round
    _require_requester(actor, round_)
    reason = _reason(reason)
    _require_no_pending(scheme)
    values = services.clean({**scheme.snapshot(), **raw}, round_, today=today)
    if values["code"] != scheme.code and services._code_taken(round_.id, values["code"], scheme.id):
        raise ValidationError(f"本轮审核已有编号为 {values['code']} 的方案。", "code")
    if values == scheme.snapshot():
        raise ValidationError("申请的内容与现有方案相同，没有需要修订的内容。", "round")
    revision = _new_revision(actor, round_, scheme, "change", before=scheme.snapshot(), after=values, reason=reason)
    _log_request(actor, revision)
    return revision


def request_new(actor, round_: AuditRound, raw: dict, reason: str, *, today: date | None = None) -> SchemeRevision:
    """Ask to add a scheme to a frozen round."""
    _require_requester(actor, round_)
    reason = _reason(reason)
    values = services.clean(raw, round_, today=today)
    asked = db.session.scalars(select(SchemeRevision.after).where(
        SchemeRevision.round_id == round_.id, SchemeRevision.kind == "create", SchemeRevision.state == "pending"))
    if services._code_taken(round_.id, values["code"]) or any((a or {}).get("code") == values["code"] for a in asked):
        raise ValidationError(f"本轮审核已有（或已申请新增）编号为 {values['code']} 的方案。", "code")
    revision = _new_revision(actor, round_, None, "create", before=None, after=values, reason=reason)
    _log_request(actor, revision)
    return revision


def request_withdrawal(actor, scheme: Scheme, reason: str) -> SchemeRevision:
    """Ask to withdraw a frozen scheme (entered in error): on approval it is marked withdrawn, not deleted."""
    round_ = scheme.round
    _require_requester(actor, round_)
    reason = _reason(reason)
    _require_no_pending(scheme)
    revision = _new_revision(actor, round_, scheme, "withdraw", before=scheme.snapshot(), after=None, reason=reason)
    _log_request(actor, revision)
    return revision


def _log_request(actor, revision: SchemeRevision) -> None:
    record(actor, "scheme.revision_request", "scheme_revision", revision.id,
           before=revision.before,
           after={"kind": revision.kind, "scheme_id": revision.scheme_id, **(revision.after or {})},
           division_code=revision.enterprise.city_code, note=revision.reason)


def report_progress(actor, scheme: Scheme, raw: dict, *, today: date | None = None) -> SchemeRevision:
    """The enterprise records that a frozen scheme is being carried out or is completed, with its
    actual results on completion. Bounded as the module docstring says; kept as an applied revision."""
    round_ = scheme.round
    if not access.is_person(actor, "enterprise"):
        raise PermissionDenied("方案实施进展由企业本身登记。")
    if actor.enterprise_id != round_.enterprise_id:
        raise PermissionDenied("只能登记本企业方案的实施进展。")
    state = services.lock_round(round_)
    if state in services.EDITABLE_STATES:
        raise ValidationError("本轮审核尚未提交报告，请直接修改方案。", "round")
    if state not in PROGRESS_STATES:
        raise ValidationError(f"该审核轮次当前为“{STATES[state]}”，评估、验收期间不登记方案实施进展。", "round")
    _require_no_pending(scheme)
    status = services.parse_status(raw.get("status"))
    if status not in FORWARD.get(scheme.status, ()):
        if scheme.status in ("completed", "abandoned"):
            raise ValidationError(f"该方案已{scheme.status_label.removeprefix('已')}；如需更正，请提交修订申请。", "status")
        raise ValidationError(f"方案当前为“{scheme.status_label}”，进展只能登记为实施中或已完成；放弃方案请提交修订申请。", "status")
    evaluated = scheme.snapshot()
    proposed = {**evaluated, "status": status}
    if status == "completed":
        proposed["completed_on"] = raw.get("completed_on")
        proposed.update({m.key: raw.get(m.key) for m in AMOUNTS if m.key in raw})
    else:
        proposed["planned_completion_on"] = raw.get("planned_completion_on") or evaluated["planned_completion_on"]
    values = services.clean(proposed, round_, today=today)
    completing = status == "completed"
    reasons = services.assess(values, evaluated=evaluated if completing else None,
                              after_acceptance=completing and state == "accepted")
    changed = services.apply_values(actor, scheme, values, action="scheme.progress", note="登记方案实施进展",
                                    reasons=reasons)
    return _new_revision(actor, round_, scheme, "progress", before={f: evaluated[f] for f in changed},
                         after={f: values[f] for f in changed}, reason=None, state="applied")


# --- the regulator decides --------------------------------------------------------------------------

def _require_decider(actor, enterprise: Enterprise) -> None:
    """Only a regulator of the enterprise's city or the province: never the enterprise, nor an admin."""
    access.require_regulator_of(actor, enterprise.city_code)
    if not access.is_person(actor, "regulator"):
        raise PermissionDenied("只有监管部门可以审核方案修订和核实方案数值。")


def pending_revisions(user):
    """Revisions waiting for a decision in the user's region, oldest first (a select)."""
    return (select(SchemeRevision).join(Enterprise, Enterprise.id == SchemeRevision.enterprise_id)
            .where(SchemeRevision.state == "pending", enterprises.scope_clause(user))
            .order_by(SchemeRevision.requested_at, SchemeRevision.id))


def get_revision(user, revision_id: int) -> SchemeRevision:
    revision = db.session.get(SchemeRevision, revision_id)
    if revision is None or not access.sees_enterprise(user, revision.enterprise):
        raise NotFound("未找到该修订申请。")
    return revision


def decide(actor, revision: SchemeRevision, *, approve: bool, note: str = "", today: date | None = None) -> None:
    """Approve (apply, keeping the replaced version) or reject a pending revision, with the round locked."""
    _require_decider(actor, revision.enterprise)
    if revision.state != "pending":
        raise ValidationError(f"该修订申请当前为“{revision.state_label}”，无需审核。", "decision")
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ValidationError(f"审核意见不能超过 {MAX_TEXT} 个字符。", "note")
    if not approve and not note:
        raise ValidationError("不予批准须写明理由。", "note")
    round_ = revision.round
    if services.lock_round(round_) == "cancelled" and approve:
        raise ValidationError("该审核轮次已撤销，修订申请不能再批准，只能不予批准。", "decision")
    scheme = revision.scheme
    if approve:
        label = f"批准修订申请 #{revision.id}：{revision.reason}"
        if revision.kind == "create":
            values = services.clean(revision.after, round_, today=today)
            scheme = services.insert_scheme(actor, round_, values, note=label)
            revision.scheme, revision.scheme_id = scheme, scheme.id
        elif revision.kind == "change":
            values = services.clean(revision.after, round_, today=today)
            revision.before = plain_values(scheme.snapshot())  # the version this approval replaces
            services.apply_values(actor, scheme, values, note=label)
        else:  # withdraw
            revision.before = plain_values(scheme.snapshot())
            scheme.withdrawn_at = utcnow()
            record(actor, "scheme.withdraw", "scheme", scheme.id, before=scheme.snapshot(),
                   division_code=round_.enterprise.city_code, note=label)
            services.refresh_totals(round_.id)
    revision.state = "approved" if approve else "rejected"
    revision.decided_by_id, revision.decided_at, revision.decision_note = actor.id, utcnow(), note or None
    record(actor, f"scheme.revision_{'approve' if approve else 'reject'}", "scheme_revision", revision.id,
           before={"state": "pending"}, after={"state": revision.state, "kind": revision.kind,
                                               "scheme_id": revision.scheme_id},
           division_code=round_.enterprise.city_code, note=note or None)


# --- implausible figures ------------------------------------------------------------------------------

def figures_to_review(user):
    """Schemes whose figures wait for a regulator's review in the user's region, oldest first (a select)."""
    if not access.is_person(user, "regulator", "admin"):
        raise PermissionDenied("只有监管部门可以查看待核实的方案数值。")
    return (select(Scheme).join(Enterprise, Enterprise.id == Scheme.enterprise_id)
            .where(Scheme.review_status == "pending", Scheme.withdrawn_at.is_(None), enterprises.scope_clause(user))
            .order_by(Scheme.updated_at, Scheme.id))


def review_figures(actor, scheme: Scheme, *, confirm: bool, note: str = "") -> None:
    """A regulator confirms the flagged figures (they count from now on) or does not accept them
    (they stay out of the statistics until the enterprise corrects them by a revision)."""
    _require_decider(actor, scheme.enterprise)
    if scheme.review_status != "pending" or scheme.withdrawn_at is not None:
        raise ValidationError("该方案没有待核实的数值。", "decision")
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ValidationError(f"核实意见不能超过 {MAX_TEXT} 个字符。", "note")
    if not confirm and not note:
        raise ValidationError("不予确认须写明理由。", "note")
    services.lock_round(scheme.round)
    scheme.review_status = "confirmed" if confirm else "rejected"
    scheme.reviewed_by_id, scheme.reviewed_at, scheme.review_note = actor.id, utcnow(), note or None
    record(actor, f"scheme.review_{'confirm' if confirm else 'reject'}", "scheme", scheme.id,
           before={"review_status": "pending"},
           after={"review_status": scheme.review_status, "reasons": scheme.review_reasons,
                  **{field: getattr(scheme, field) for field in scheme.review_reasons if field != "status"}},
           division_code=scheme.enterprise.city_code, note=note or None)
    services.refresh_totals(scheme.round_id)
