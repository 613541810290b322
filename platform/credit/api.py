"""Credit endpoints: penalty decisions and approval (regulator tokens), published records (public)."""
from flask import g, jsonify, request

from ..core.access import token_required
from ..core.api.views import bp, json_body, paginated, parse_iso_date
from ..audits import cases as case_services
from ..core.errors import ValidationError
from ..core.dates import iso
from . import services
from .channel import NOT_ON_PUBLIC_PAGES, record_fields
from .rules import SEVERITIES



def _period(record) -> dict:
    return {"from": iso(record.decision.decided_on), "min_until": iso(record.min_until),
            "until": iso(record.publish_until)}


def public_record_json(record) -> dict:
    """A published record as anyone may read it: the 双公示 fields without the legal representative."""
    fields = {k: v for k, v in record_fields(record).items() if k not in NOT_ON_PUBLIC_PAGES}
    return {"key": record.idempotency_key, **fields, "fine_yuan": float(record.decision.fine_yuan),
            "severity": record.severity, "severity_label": SEVERITIES[record.severity].label,
            "publication_period": _period(record)}


def record_json(record) -> dict:
    """A record as its regulators see it: state, approval, delivery."""
    publication = record.delivery("publish")
    return {
        "id": record.id, "key": record.idempotency_key, "state": record.state, "state_label": record.state_label,
        "case_id": record.decision.case_id, "decision_no": record.decision.decision_no,
        "decided_on": iso(record.decision.decided_on), "fine_yuan": float(record.decision.fine_yuan),
        "severity": record.severity, "enterprise": {"name": record.subject_name, "uscc": record.subject_uscc},
        "online_due": iso(record.online_due), "publication_period": _period(record),
        "approved_at": iso(record.approved_at), "published_at": iso(record.published_at),
        "withdrawn_on": iso(record.withdrawn_on), "withdrawal_reason": record.withdrawal_reason,
        "delivery": None if publication is None else {
            "status": publication.status, "attempts": publication.attempts, "last_error": publication.last_error,
            "sent_at": iso(publication.sent_at)},
    }


def _optional_text(body: dict, name: str):
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{name} 应为文字。", name)
    return value


@bp.post("/cases/<int:case_id>/penalty")
@token_required("regulator")
def case_penalty(case_id: int):
    case = case_services.get_case(g.api_user, case_id)
    body = json_body()
    fine = body.get("fine_yuan")
    if isinstance(fine, bool) or not isinstance(fine, (int, float, str, type(None))):
        raise ValidationError("fine_yuan 应为以元为单位的数字。", "fine_yuan")
    decision = services.record_penalty(
        g.api_user, case, decision_no=_optional_text(body, "decision_no"),
        decided_on=parse_iso_date(body.get("decided_on"), "decided_on", "处罚决定日期"),
        facts=_optional_text(body, "facts"), legal_basis=_optional_text(body, "legal_basis"), fine_yuan=fine,
        severity=_optional_text(body, "severity"), office_name=_optional_text(body, "office_name"),
        office_uscc=_optional_text(body, "office_uscc"), violation_type=_optional_text(body, "violation_type"),
        remarks=_optional_text(body, "remarks"))
    return jsonify(record_json(decision.record)), 201


@bp.post("/credit-records/<int:record_id>/approve")
@token_required("regulator")
def credit_record_approve(record_id: int):
    record = services.get_record(g.api_user, record_id)
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    services.approve(g.api_user, record, note=_optional_text(body, "note") or "")
    return jsonify(record_json(record))


@bp.get("/credit-records")
def credit_records():
    return paginated(services.public_records(request.args.get("q", "")), public_record_json)
