"""Service organisations answer for their work: qualification records (审核办法 第十六条), the public
record of what went wrong in the rounds they assisted, and suspension by the province.

The record is read from the facts where they are kept, so it is linked to the organisation the
moment the fact is recorded, and nobody has to remember to copy it:
- a failed review: a panel concluded 不通过/不合格 — attributed to the organisation whose work the panel
  reviewed (Panel.service_org_id, taken at the draw, so a later change of organisation does not move it);
- a falsification veto: a concluded panel whose standing veto items include one of
  reviews.rules.FALSIFICATION_VETOES (审核报告数据弄虚作假, 绩效数据不实);
- misreporting: a non-compliance case of cause "falsified" (促进法 第三十九条: 弄虚作假, 不如实报告) on a
  round the organisation assisted.
None of it carries contact data: the public sees the enterprise's name, the stage, the date and the reason.
"""
from datetime import date

from sqlalchemy import func, select

from ..audits.models import AuditRound, Case
from ..audits.rules import CAUSES
from ..core import access
from ..core.auditlog.services import record
from ..core.dates import beijing_today
from ..core.errors import NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.models_base import utcnow
from ..enterprises.models import Enterprise
from ..reviews.models import Panel
from ..reviews.rules import FALSIFICATION_VETOES, OUTCOME_LABELS, STAGES, VETOES
from . import rules
from .models import ServiceOrg, ServiceOrgQualification, ServiceOrgSuspension
from .services import service_org_of

INCIDENT_KINDS = {"falsification_veto": "评审否决：弄虚作假", "review_failed": "评估/验收未通过",
                  "misreporting": "弄虚作假或不如实报告（违规案件）"}
VETO_LABELS = {v.code: v.label for vetoes in VETOES.values() for v in vetoes}


# --- suspension --------------------------------------------------------------------------------------

def open_suspension(org: ServiceOrg) -> ServiceOrgSuspension | None:
    return db.session.scalar(select(ServiceOrgSuspension).where(ServiceOrgSuspension.service_org_id == org.id,
                                                                ServiceOrgSuspension.lifted_at.is_(None)))


def suspended_ids(org_ids=None) -> set[int]:
    query = select(ServiceOrgSuspension.service_org_id).where(ServiceOrgSuspension.lifted_at.is_(None))
    if org_ids is not None:
        query = query.where(ServiceOrgSuspension.service_org_id.in_(list(org_ids)))
    return set(db.session.scalars(query))


def require_choosable(org: ServiceOrg) -> None:
    """A suspended organisation cannot be chosen for a round (engagements.py asks here)."""
    suspension = open_suspension(org)
    if suspension is not None:
        raise ValidationError(f"“{org.name}”已于 {suspension.suspended_on.isoformat()} 被自治区监管部门暂停承接清洁生产审核"
                              f"（理由：{suspension.reason}），不能委托其开展审核；请选择其他服务机构。",
                              "service_org_id")


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message, "reason")
    if len(reason) > 2000:
        raise ValidationError("理由不能超过 2000 个字符。", "reason")
    return reason


def suspend(actor, org: ServiceOrg, reason: str, *, today: date | None = None) -> ServiceOrgSuspension:
    """The province regulator suspends the organisation from new engagements, with a reason."""
    if not (access.is_system(actor) or access.is_person(actor, "regulator")):
        raise PermissionDenied("只有自治区监管部门可以暂停服务机构。")
    access.require_province_regulator(actor, "只有自治区监管部门可以暂停服务机构。")
    reason = _reason(reason, "暂停服务机构须写明理由。")
    if open_suspension(org) is not None:
        raise ValidationError(f"“{org.name}”已处于暂停状态。", "state")
    suspension = ServiceOrgSuspension(service_org_id=org.id, reason=reason, suspended_on=today or beijing_today(),
                                      suspended_by_id=getattr(actor, "id", None))
    db.session.add(suspension)
    db.session.flush()
    record(actor, "service_org.suspend", "service_org", org.id, note=reason, division_code=org.city_code,
           before={"suspended": False}, after={"suspended": True, "suspension": suspension.id})
    return suspension


def lift(actor, org: ServiceOrg, reason: str, *, today: date | None = None) -> ServiceOrgSuspension:
    """The province regulator lifts the suspension, with a reason."""
    access.require_province_regulator(actor, "只有自治区监管部门可以解除服务机构的暂停。")
    reason = _reason(reason, "解除暂停须写明理由。")
    suspension = open_suspension(org)
    if suspension is None:
        raise ValidationError(f"“{org.name}”未被暂停。", "state")
    suspension.lifted_on, suspension.lifted_at = today or beijing_today(), utcnow()
    suspension.lifted_by_id, suspension.lift_reason = getattr(actor, "id", None), reason
    record(actor, "service_org.lift", "service_org", org.id, note=reason, division_code=org.city_code,
           before={"suspended": True, "suspension": suspension.id}, after={"suspended": False})
    return suspension


def suspensions(org: ServiceOrg) -> list[ServiceOrgSuspension]:
    return list(db.session.scalars(select(ServiceOrgSuspension).where(ServiceOrgSuspension.service_org_id == org.id)
                                   .order_by(ServiceOrgSuspension.id.desc())))


# --- qualification records (审核办法 第十六条) --------------------------------------------------------------

def _may_submit(actor, org: ServiceOrg) -> bool:
    if access.is_system(actor) or access.is_person(actor, "regulator") and access.regulates_city(actor, org.city_code):
        return True
    own = service_org_of(actor)
    return own is not None and own.id == org.id


def submit_qualification(actor, org: ServiceOrg, requirement: str, evidence: str) -> ServiceOrgQualification:
    """The organisation (or a regulator for it) documents one condition of 第十六条 with its evidence."""
    if not _may_submit(actor, org):
        raise PermissionDenied("只能为本机构提交资质材料。")
    if requirement not in rules.REQUIREMENTS:
        raise ValidationError("请选择《清洁生产审核办法》第十六条规定的条件。", "requirement")
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError("请写明证明材料（如营业执照、质量管理制度、检测设备清单、技术人员及其证书）。", "evidence")
    if len(evidence) > 5000:
        raise ValidationError("证明材料说明不能超过 5000 个字符。", "evidence")
    row = ServiceOrgQualification(service_org_id=org.id, requirement=requirement, evidence=evidence,
                                  submitted_by_id=getattr(actor, "id", None), result="pending")
    db.session.add(row)
    db.session.flush()
    record(actor, "service_org.qualification.submit", "service_org", org.id, division_code=org.city_code,
           after={"qualification": row.id, "requirement": requirement})
    return row


def get_qualification(org: ServiceOrg, qualification_id: int) -> ServiceOrgQualification:
    row = db.session.get(ServiceOrgQualification, qualification_id)
    if row is None or row.service_org_id != org.id:
        raise NotFound("未找到该资质记录。")
    return row


def check_qualification(actor, row: ServiceOrgQualification, *, met: bool, note: str) -> ServiceOrgQualification:
    """A regulator of the organisation's city (or the province) records the check of the evidence."""
    org = row.service_org
    if not access.is_person(actor, "regulator") and not access.is_system(actor):
        raise PermissionDenied("只有监管部门可以核查资质材料。")
    if not access.regulates_city(actor, org.city_code):
        raise NotFound("未找到该资质记录。")
    if row.result != "pending":
        raise ValidationError(f"该资质记录已核查（{row.result_label}）；机构可重新提交材料。", "state")
    note = _reason(note, "请写明核查意见（如核对的证照、现场核查情况）。")
    row.result = "met" if met else "not_met"
    row.checked_by_id, row.checked_at, row.check_note = getattr(actor, "id", None), utcnow(), note
    record(actor, "service_org.qualification.check", "service_org", org.id, division_code=org.city_code, note=note,
           before={"qualification": row.id, "result": "pending"}, after={"qualification": row.id, "result": row.result})
    return row


def qualifications(org: ServiceOrg) -> list[ServiceOrgQualification]:
    return list(db.session.scalars(select(ServiceOrgQualification)
                                   .where(ServiceOrgQualification.service_org_id == org.id)
                                   .order_by(ServiceOrgQualification.id.desc())))


def qualification_summary(org: ServiceOrg) -> list[dict]:
    """Each condition of 第十六条 with its latest record (or none): the public view, without the evidence text."""
    latest: dict[str, ServiceOrgQualification] = {}
    for row in qualifications(org):
        latest.setdefault(row.requirement, row)
    return [{"code": code, "label": label, "row": latest.get(code)} for code, label in rules.REQUIREMENTS.items()]


# --- the public record ---------------------------------------------------------------------------------------

def _panels_failed(org_ids):
    return (select(Panel, Enterprise.name).join(AuditRound, AuditRound.id == Panel.round_id)
            .join(Enterprise, Enterprise.id == AuditRound.enterprise_id)
            .where(Panel.service_org_id.in_(list(org_ids)), Panel.state == "concluded", Panel.passed.is_(False)))


def _misreporting(org_ids):
    return (select(Case, Enterprise.name, AuditRound.service_org_id)
            .join(AuditRound, AuditRound.id == Case.round_id).join(Enterprise, Enterprise.id == Case.enterprise_id)
            .where(AuditRound.service_org_id.in_(list(org_ids)), Case.cause == "falsified"))


def incidents(org: ServiceOrg) -> list[dict]:
    """The organisation's public record, newest first: failed reviews, falsification vetoes, misreporting."""
    out = []
    for panel, enterprise in db.session.execute(_panels_failed([org.id])):
        falsified = [c for c in (panel.vetoes or []) if c in FALSIFICATION_VETOES]
        vetoes = [VETO_LABELS.get(c, c) for c in (panel.vetoes or [])]
        out.append({"kind": "falsification_veto" if falsified else "review_failed",
                    "on": panel.concluded_on, "enterprise": enterprise, "round_id": panel.round_id,
                    "panel_id": panel.id, "case_id": None,
                    "what": f"清洁生产审核{STAGES[panel.stage]}{OUTCOME_LABELS[panel.stage][1]}",
                    "detail": ("否决项：" + "、".join(vetoes)) if vetoes else f"专家评分均值 {panel.mean_total} 分"})
    for case, enterprise, _ in db.session.execute(_misreporting([org.id])):
        out.append({"kind": "misreporting", "on": case.opened_on, "enterprise": enterprise, "round_id": case.round_id,
                    "panel_id": None, "case_id": case.id, "what": CAUSES[case.cause],
                    "detail": f"违规案件（{case.state_label}）"})
    for item in out:
        item["kind_label"] = INCIDENT_KINDS[item["kind"]]
    return sorted(out, key=lambda i: (i["on"] or date.min, i["kind"]), reverse=True)


def incident_counts(org_ids) -> dict[int, dict]:
    """Per organisation: how many failed reviews, falsification vetoes and misreporting cases (for lists)."""
    ids = list(org_ids)
    out = {i: {"review_failed": 0, "falsification_veto": 0, "misreporting": 0, "suspended": False} for i in ids}
    if not ids:
        return out
    for panel, _ in db.session.execute(_panels_failed(ids)):
        kind = "falsification_veto" if any(c in FALSIFICATION_VETOES for c in (panel.vetoes or [])) else "review_failed"
        out[panel.service_org_id][kind] += 1
    counted = (select(AuditRound.service_org_id, func.count(Case.id)).join(AuditRound, AuditRound.id == Case.round_id)
               .where(AuditRound.service_org_id.in_(ids), Case.cause == "falsified").group_by(AuditRound.service_org_id))
    for org_id, count in db.session.execute(counted):
        out[org_id]["misreporting"] = count
    for org_id in suspended_ids(ids):
        out[org_id]["suspended"] = True
    return out
