"""Certification as an audit (清洁生产评价认证，视同开展清洁生产审核; rules.CERTIFICATION_COUNTS).

The enterprise, or a regulator for it, records the certificate: number, certifying body, date, scope
and the certificate itself (PDF). It counts only once a regulator of the enterprise's city has checked
it against the certificate (confirm) — the enterprise's own word never closes an obligation
(DESIGN §2, "the record is evidence"). Confirming closes the enterprise's open round, its mandatory
listing included, in the state `certified`: the compliance scan opens no case for its deadlines from
then on (jobs.compliance_scan). With no round open, the certification stands as a closed round of its
own kind. A confirmed certificate cannot be rewritten; a rejected one may be recorded again.
"""
import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy import select

from ..core import access, uploads
from ..core.auditlog.services import diff, record as log
from ..core.dates import add_months, beijing_today
from ..core.errors import InvalidFields, NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.models_base import utcnow
from ..enterprises import services as enterprises
from ..enterprises.models import Enterprise
from . import rules, services
from .models import AuditRound, Certification

FOLDER = "certificates"
# A panel is at work in these states: the round is concluded by its panel, not closed under it.
UNDER_REVIEW = ("evaluation", "acceptance", "review")


def _require_recorder(actor, enterprise: Enterprise) -> None:
    """The enterprise itself, or a regulator of its city."""
    if access.is_person(actor, "enterprise"):
        if actor.enterprise_id != enterprise.id:
            raise PermissionDenied("只能登记本企业的评价认证。")
        return
    access.require_regulator_of(actor, enterprise.city_code, "只有企业本身或其所在地监管部门可以登记评价认证。")


def _clean(certificate_no, certifying_body, certified_on, scope, today: date) -> dict:
    """Every field checked at once, each refusal naming its field."""
    errors = {}
    certificate_no = (certificate_no or "").strip()
    certifying_body = (certifying_body or "").strip()
    scope = (scope or "").strip()
    if not certificate_no:
        errors["certificate_no"] = "请填写证书编号。"
    elif len(certificate_no) > 100:
        errors["certificate_no"] = "证书编号不能超过 100 个字符。"
    if not certifying_body:
        errors["certifying_body"] = "请填写认证机构。"
    elif len(certifying_body) > 200:
        errors["certifying_body"] = "认证机构名称不能超过 200 个字符。"
    if not scope:
        errors["scope"] = "请填写认证范围。"
    elif len(scope) > 2000:
        errors["scope"] = "认证范围不能超过 2000 个字符。"
    if not isinstance(certified_on, date):
        errors["certified_on"] = "请填写发证日期（YYYY-MM-DD）。"
    elif certified_on > today:
        errors["certified_on"] = f"发证日期不能晚于今天（{today.isoformat()}）。"
    else:
        months = rules.CERTIFICATE_MAX_AGE_MONTHS.value
        earliest = add_months(today, -months)
        if certified_on < earliest:
            errors["certified_on"] = f"发证日期早于 {earliest.isoformat()}：只认 {months} 个月内发证的证书。"
    if errors:
        raise InvalidFields(errors)
    return {"certificate_no": certificate_no, "certifying_body": certifying_body, "certified_on": certified_on,
            "scope": scope}


def _check_unique(fields: dict, keep: Certification | None = None) -> None:
    taken = db.session.scalar(select(Certification).where(
        Certification.certifying_body == fields["certifying_body"],
        Certification.certificate_no == fields["certificate_no"], Certification.status != "rejected"))
    if taken is not None and taken is not keep:
        raise ValidationError(f"{fields['certifying_body']}的证书 {fields['certificate_no']} 已经登记。", "certificate_no")


def _store(cert: Certification, data: bytes, filename: str) -> None:
    name = uploads.check_pdf(data, filename, label="认证证书", field="file")
    cert.stored_name = uploads.store(FOLDER, data)
    cert.original_name, cert.sha256 = name, hashlib.sha256(data).hexdigest()


def record(actor, enterprise: Enterprise, *, certificate_no: str, certifying_body: str, certified_on, scope: str,
           data: bytes, filename: str, today: date | None = None) -> Certification:
    """Record a certificate for the regulator to confirm; attached to the enterprise's open round, if any."""
    _require_recorder(actor, enterprise)
    today = today or beijing_today()
    fields = _clean(certificate_no, certifying_body, certified_on, scope, today)
    if not data or not uploads.client_filename(filename):
        raise ValidationError("请上传认证证书（PDF）。", "file")
    pending = db.session.scalar(select(Certification.id).where(
        Certification.enterprise_id == enterprise.id, Certification.status == "pending"))
    if pending is not None:
        raise ValidationError("本企业已有一份待核实的评价认证，请等待监管部门核实，或修改该份登记。", "certificate_no")
    _check_unique(fields)
    open_round = services.current_round(enterprise.id)
    cert = Certification(enterprise=enterprise, round=open_round, status="pending", recorded_on=today,
                         recorded_at=utcnow(), recorded_by_id=getattr(actor, "id", None),
                         recorder_role=getattr(actor, "role", None) or "system", **fields)
    _store(cert, data, filename)
    db.session.add(cert)
    db.session.flush()
    log(actor, "certification.record", "certification", cert.id, after=cert.snapshot(),
        division_code=enterprise.city_code)
    return cert


def revise(actor, cert: Certification, *, certificate_no: str, certifying_body: str, certified_on, scope: str,
           data: bytes = b"", filename: str = "", today: date | None = None) -> None:
    """Correct a certificate not yet confirmed (a rejected one goes back to the regulator). A confirmed
    certificate is evidence the obligation rests on: nobody rewrites it."""
    _require_recorder(actor, cert.enterprise)
    if cert.status == "confirmed":
        raise PermissionDenied("该评价认证已经监管部门核实，不能修改。")
    today = today or beijing_today()
    fields = _clean(certificate_no, certifying_body, certified_on, scope, today)
    other = db.session.scalar(select(Certification.id).where(
        Certification.enterprise_id == cert.enterprise_id, Certification.status == "pending", Certification.id != cert.id))
    if other is not None:
        raise ValidationError("本企业已有另一份待核实的评价认证，请等待监管部门核实。", "certificate_no")
    _check_unique(fields, keep=cert)
    before = cert.snapshot()
    if data or uploads.client_filename(filename):
        _store(cert, data, filename)
    for key, value in fields.items():
        setattr(cert, key, value)
    cert.status, cert.recorded_on = "pending", today
    cert.decided_by_id = cert.decided_at = cert.decided_on = cert.decision_note = None
    if cert.round is None or not cert.round.is_open:
        cert.round = services.current_round(cert.enterprise_id)
    old, new = diff(before, cert.snapshot())
    log(actor, "certification.revise", "certification", cert.id, before=old, after=new,
        division_code=cert.enterprise.city_code)


def _decidable(actor, cert: Certification) -> None:
    if access.is_person(actor, "enterprise"):
        raise PermissionDenied("企业不能核实本企业的评价认证，须由所在地监管部门核实。")
    access.require_regulator_of(actor, cert.enterprise.city_code, "只有监管部门可以核实评价认证。")
    if not access.is_person(actor, "regulator"):
        raise PermissionDenied("评价认证须由监管人员对照证书核实。")
    if cert.status != "pending":
        raise ValidationError(f"该评价认证{cert.status_label}，无需再核实。", "status")


def confirm(actor, cert: Certification, *, note: str = "", today: date | None = None) -> AuditRound:
    """The regulator has checked the certificate: the certification counts as the audit and closes the
    enterprise's open round (or stands as a closed round of its own). Returns that round."""
    _decidable(actor, cert)
    today = today or beijing_today()
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError("核实意见不能超过 2000 个字符。", "note")
    round_ = cert.round if cert.round is not None and cert.round.is_open else services.current_round(cert.enterprise_id)
    text = f"评价认证视同开展清洁生产审核：{cert.certifying_body}证书 {cert.certificate_no}（{cert.certified_on.isoformat()}）"
    if round_ is None:
        round_ = services.new_certification_round(actor, cert.enterprise, on=cert.certified_on, note=text)
    else:
        if round_.state in UNDER_REVIEW:
            raise ValidationError(f"该企业的审核轮次正在{round_.state_label.removesuffix('中')}，"
                                  "须待专家组出具结论或撤销专家组后再核实评价认证。", "state")
        # The certificate's date stands for the audit's completion (审核办法 第十二条's five years).
        next_due = rules.next_round_due(cert.certified_on, round_.toxic_listed) if round_.kind == "mandatory" else None
        services.close_by_certification(actor, round_, on=today, note=text, next_round_due=next_due)
    cert.round = round_
    cert.status, cert.decided_by_id, cert.decided_at, cert.decided_on = "confirmed", getattr(actor, "id", None), utcnow(), today
    cert.decision_note = note or None
    log(actor, "certification.confirm", "certification", cert.id, before={"status": "pending"},
        after={"status": "confirmed", "round_id": round_.id, "certificate_no": cert.certificate_no},
        division_code=cert.enterprise.city_code, note=note or text)
    return round_


def reject(actor, cert: Certification, *, reason: str, today: date | None = None) -> None:
    _decidable(actor, cert)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("不予核实须写明理由。", "reason")
    if len(reason) > 2000:
        raise ValidationError("理由不能超过 2000 个字符。", "reason")
    cert.status, cert.decided_by_id, cert.decided_at = "rejected", getattr(actor, "id", None), utcnow()
    cert.decided_on, cert.decision_note = today or beijing_today(), reason
    log(actor, "certification.reject", "certification", cert.id, before={"status": "pending"},
        after={"status": "rejected"}, division_code=cert.enterprise.city_code, note=reason)


# --- reading -------------------------------------------------------------------------------------

def get(user, cert_id: int) -> Certification:
    """A certification for those who see its enterprise; another region's reads as missing."""
    return access.visible(user, db.session.get(Certification, cert_id), lambda c: c.enterprise, "未找到该评价认证。")


def pending(user):
    """Certifications waiting for a regulator in the user's region, oldest first."""
    return (select(Certification).join(Enterprise, Enterprise.id == Certification.enterprise_id)
            .where(Certification.status == "pending", enterprises.scope_clause(user))
            .order_by(Certification.recorded_at, Certification.id))


def of_enterprise(enterprise_id: int) -> list[Certification]:
    return list(db.session.scalars(select(Certification).where(Certification.enterprise_id == enterprise_id)
                                   .order_by(Certification.id.desc())))


def confirmed_for_round(round_id: int) -> Certification | None:
    """The confirmed certification that closed a round (the public status page names it)."""
    return db.session.scalar(select(Certification).where(Certification.round_id == round_id,
                                                         Certification.status == "confirmed"))


def file_path(user, cert_id: int) -> tuple[Certification, Path]:
    cert = get(user, cert_id)
    return cert, uploads.stored_file(FOLDER, cert.stored_name)
