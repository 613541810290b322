"""Which service organisation does a round's audit: proposed by the enterprise, confirmed by the organisation.

The round's service_org_id is what counts: the organisation's public track record, the statistics
and the draw's conflict rule read it. So an enterprise cannot simply name a firm: it proposes one
(a ServiceEngagement), and only the organisation's own account confirming it sets the round's
organisation. Once the report has been submitted the audit is done and the name matters to the
review, so a change also needs a regulator with scope over the round (the enterprise asks, the
organisation confirms, the regulator approves), or the regulator sets it directly with a reason.
The operator (access.SYSTEM: the CLI and the demo loader) records engagements as confirmed.
While a panel is at work nothing changes: the panel was drawn against the organisation's staff.
"""
from sqlalchemy import select

from ..core import access
from ..core.auditlog.services import record
from ..audits.models import CLOSED_STATES, AuditRound
from ..enterprises import services as enterprises
from ..enterprises.models import Enterprise
from ..core.errors import NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.models_base import utcnow
from .models import ServiceEngagement, ServiceOrg
from ..reviews.models import Panel
from . import accountability
from .services import service_org_of

# Before the report the enterprise and the organisation settle it between them; from the report
# on (report_submitted, evaluation, acceptance and their outcomes) a regulator must agree as well.
BEFORE_REPORT = ("listed", "disclosed", "auditing")


# --- reading ---------------------------------------------------------------------------------------

def get_engagement(engagement_id: int) -> ServiceEngagement:
    engagement = db.session.get(ServiceEngagement, engagement_id)
    if engagement is None:
        raise NotFound("未找到该委托记录。")
    return engagement


def history(round_: AuditRound) -> list[ServiceEngagement]:
    return list(db.session.scalars(select(ServiceEngagement).where(ServiceEngagement.round_id == round_.id)
                                   .order_by(ServiceEngagement.id.desc())))


def pending_for_org(org: ServiceOrg) -> list[ServiceEngagement]:
    """Proposals naming the organisation that still wait for its answer."""
    return list(db.session.scalars(select(ServiceEngagement).where(
        ServiceEngagement.service_org_id == org.id, ServiceEngagement.state == "pending",
        ServiceEngagement.needs_org.is_(True), ServiceEngagement.org_confirmed_at.is_(None))
        .order_by(ServiceEngagement.id)))


def awaiting_regulator(user) -> list[ServiceEngagement]:
    """Late changes in the user's scope that wait for a regulator."""
    query = (select(ServiceEngagement).join(AuditRound, AuditRound.id == ServiceEngagement.round_id)
             .join(Enterprise, Enterprise.id == AuditRound.enterprise_id)
             .where(ServiceEngagement.state == "pending", ServiceEngagement.needs_regulator.is_(True),
                    ServiceEngagement.regulator_approved_at.is_(None), enterprises.scope_clause(user))
             .order_by(ServiceEngagement.id))
    return list(db.session.scalars(query.limit(200)))


# --- checks ----------------------------------------------------------------------------------------

def _org(org_id: int | None) -> ServiceOrg | None:
    if not org_id:
        return None
    org = db.session.get(ServiceOrg, org_id)
    if org is None or not org.active:
        raise ValidationError("所选服务机构不存在或已停用。", "service_org_id")
    accountability.require_choosable(org)
    return org


def _require_changeable(actor, round_: AuditRound) -> None:
    if round_.state in CLOSED_STATES and not access.is_system(actor):  # the operator may record history (demo, CLI)
        raise ValidationError(f"该审核轮次已{round_.state_label}，不能再变更服务机构。", "service_org_id")
    if db.session.scalar(select(Panel.id).where(Panel.round_id == round_.id, Panel.state == "scoring")):
        # The panel was drawn against this organisation's staff; changing it now would void the draw.
        raise ValidationError("该轮次的评审专家组正在评审，不能变更服务机构。", "service_org_id")


def _require_pending(engagement: ServiceEngagement) -> None:
    if engagement.state != "pending":
        raise ValidationError(f"该委托记录{engagement.state_label}，不能再办理。", "state")


def _log(actor, action: str, engagement: ServiceEngagement, note: str | None = None) -> None:
    round_ = engagement.round
    record(actor, action, "audit_round", round_.id, division_code=round_.enterprise.city_code, note=note,
           after={"engagement": engagement.id, "service_org_id": engagement.service_org_id,
                  "state": engagement.state})


def _close_pending(actor, round_: AuditRound, why: str) -> None:
    for engagement in db.session.scalars(select(ServiceEngagement).where(
            ServiceEngagement.round_id == round_.id, ServiceEngagement.state == "pending")):
        engagement.state, engagement.decided_at, engagement.decision_note = "withdrawn", utcnow(), why
        _log(actor, "round.service_org.withdraw", engagement, why)


def _apply(actor, engagement: ServiceEngagement) -> None:
    """The engagement takes effect: the one place a round's service organisation changes."""
    round_ = engagement.round
    _require_changeable(actor, round_)
    org = engagement.service_org
    if org is not None:
        accountability.require_choosable(org)  # suspended while the proposal waited
    engagement.state, engagement.decided_at = "confirmed", utcnow()
    reason = f"；{engagement.reason}" if engagement.reason else ""
    record(actor, "round.service_org", "audit_round", round_.id, before={"service_org_id": round_.service_org_id},
           after={"service_org_id": engagement.service_org_id, "engagement": engagement.id},
           division_code=round_.enterprise.city_code, note=(org.name if org else "未委托服务机构") + reason)
    round_.service_org_id = engagement.service_org_id


def _ready(engagement: ServiceEngagement) -> bool:
    return ((not engagement.needs_org or engagement.org_confirmed_at is not None)
            and (not engagement.needs_regulator or engagement.regulator_approved_at is not None))


def _add(engagement: ServiceEngagement) -> ServiceEngagement:
    db.session.add(engagement)
    db.session.flush()
    return engagement


# --- the enterprise proposes -------------------------------------------------------------------------

def propose(actor, round_: AuditRound, org_id: int | None, reason: str = "") -> ServiceEngagement | None:
    """The enterprise names the organisation doing its audit (None: it audits itself).

    Returns the new engagement, which waits for the organisation (and after the report, for a
    regulator); dropping the organisation before the report takes effect at once. None: no change.
    """
    if not access.is_person(actor, "enterprise"):
        raise PermissionDenied("只有企业本身可以提出委托的服务机构。")
    if actor.enterprise_id != round_.enterprise_id:
        raise PermissionDenied("只能办理本企业的审核事项。")
    _require_changeable(actor, round_)
    org = _org(org_id)
    if org is not None and org.user_id is None:
        raise ValidationError(f"“{org.name}”尚未开通平台账号，无法确认委托；请联系监管部门核实后登记。",
                              "service_org_id")
    pending = db.session.scalar(select(ServiceEngagement).where(ServiceEngagement.round_id == round_.id,
                                                                ServiceEngagement.state == "pending"))
    target = org.id if org else None
    if target == round_.service_org_id and pending is None:
        return None
    late = round_.state not in BEFORE_REPORT
    reason = (reason or "").strip()[:2000]
    if late and not reason:
        raise ValidationError("审核报告提交后变更服务机构，须写明理由，并经监管部门批准。", "reason")
    _close_pending(actor, round_, "企业已提出新的委托")
    if target == round_.service_org_id:
        return None  # back to what stands: the pending proposal is withdrawn, nothing else changes
    engagement = _add(ServiceEngagement(round=round_, service_org_id=target, state="pending", proposed_by_id=actor.id,
                                        reason=reason or None, needs_org=org is not None, needs_regulator=late))
    _log(actor, "round.service_org.propose", engagement, reason or None)
    if _ready(engagement):
        _apply(actor, engagement)
    return engagement


# --- the organisation answers ------------------------------------------------------------------------

def _require_named_org(actor, engagement: ServiceEngagement) -> None:
    org = service_org_of(actor)
    if org is None or org.id != engagement.service_org_id:
        raise PermissionDenied("只能确认委托给本机构的审核。")


def confirm(actor, engagement: ServiceEngagement) -> None:
    """The named organisation confirms it does (or did) the round's audit."""
    _require_named_org(actor, engagement)
    _require_pending(engagement)
    if not engagement.needs_org or engagement.org_confirmed_at is not None:
        raise ValidationError("本机构已确认该委托。", "state")
    ready_after = not engagement.needs_regulator or engagement.regulator_approved_at is not None
    if ready_after:
        _require_changeable(actor, engagement.round)
    engagement.org_confirmed_by_id, engagement.org_confirmed_at = actor.id, utcnow()
    _log(actor, "round.service_org.confirm", engagement)
    if ready_after:
        _apply(actor, engagement)


def refuse(actor, engagement: ServiceEngagement, note: str = "") -> None:
    """The named organisation says it does not do the round's audit: nothing is recorded against it."""
    _require_named_org(actor, engagement)
    _require_pending(engagement)
    note = (note or "").strip()[:2000]
    engagement.state, engagement.decided_at, engagement.decision_note = "refused", utcnow(), note or None
    _log(actor, "round.service_org.refuse", engagement, note or None)


# --- the regulator -----------------------------------------------------------------------------------

def review(actor, engagement: ServiceEngagement, *, approve: bool, note: str = "") -> None:
    """A regulator in scope approves or rejects a change asked for after the report."""
    access.require_regulator_of(actor, engagement.round.enterprise.city_code)
    _require_pending(engagement)
    if not engagement.needs_regulator or engagement.regulator_approved_at is not None:
        raise ValidationError("该委托无需或已经监管部门批准。", "state")
    note = (note or "").strip()[:2000]
    if not approve:
        engagement.state, engagement.decided_at, engagement.decision_note = "rejected", utcnow(), note or None
        _log(actor, "round.service_org.reject", engagement, note or None)
        return
    ready_after = not engagement.needs_org or engagement.org_confirmed_at is not None
    if ready_after:
        _require_changeable(actor, engagement.round)
    engagement.regulator_approved_by_id = getattr(actor, "id", None)
    engagement.regulator_approved_at = utcnow()
    engagement.decision_note = note or None
    _log(actor, "round.service_org.approve", engagement, note or None)
    if ready_after:
        _apply(actor, engagement)


def set_directly(actor, round_: AuditRound, org_id: int | None, reason: str = "") -> ServiceEngagement | None:
    """A regulator in scope sets the round's organisation with a reason (the operator: without one)."""
    access.require_regulator_of(actor, round_.enterprise.city_code)
    reason = (reason or "").strip()[:2000]
    if not access.is_system(actor) and not reason:
        raise ValidationError("监管部门直接登记或变更服务机构，须写明理由（如核查的委托合同）。", "reason")
    _require_changeable(actor, round_)
    org = _org(org_id)
    target = org.id if org else None
    _close_pending(actor, round_, "监管部门已直接登记服务机构")
    if target == round_.service_org_id:
        return None
    engagement = _add(ServiceEngagement(round=round_, service_org_id=target, state="pending",
                                        proposed_by_id=getattr(actor, "id", None), reason=reason or None,
                                        needs_org=False, needs_regulator=False))
    _apply(actor, engagement)
    return engagement
