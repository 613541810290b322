"""Audit status for everyone, and the regulators' case endpoints (bearer token)."""

from flask import g, jsonify, request

from ..core.access import token_required
from ..core.api.views import bp, json_body, paginated, parse_iso_date
from ..core.errors import ValidationError
from . import cases as case_services
from . import certifications, disclosures, procedures, services
from .models import Case
from ..core.dates import beijing_today, iso


def _entry_json(entry) -> dict | None:
    """How the platform learned of the step's date: declared, recorded (Beijing date), status."""
    if entry is None:
        return None
    return {"declared_on": iso(entry.declared_on), "recorded_on": iso(entry.recorded_on),
            "status": entry.status, "status_label": entry.status_label, "late_entry": entry.late_entry,
            "summary": entry.summary, "confirmed_on": iso(entry.evidence_dated_on)}


def _certification_json(cert) -> dict | None:
    """The confirmed certification that closed a round (视同开展清洁生产审核): the certificate's public facts."""
    if cert is None:
        return None
    return {"certificate_no": cert.certificate_no, "certifying_body": cert.certifying_body,
            "certified_on": iso(cert.certified_on), "scope": cert.scope, "confirmed_on": iso(cert.decided_on)}


def _carbon_json(r) -> dict:
    """The carbon content of a round with carbon in scope (permits.record_carbon); amounts as numbers."""
    number = lambda v: None if v is None else float(v)  # noqa: E731
    return {"baseline_year": r.carbon_baseline_year, "baseline_t": number(r.carbon_baseline_t),
            "intensity": number(r.carbon_intensity), "intensity_unit": r.carbon_intensity_unit,
            "target_year": r.carbon_target_year, "target_reduction_t": number(r.carbon_target_reduction_t)}


def public_round(r, due: list[dict]) -> dict:
    """A round as the public sees it, with its deadlines (services.deadlines): stages and dates,
    nothing private."""
    return {
        "kind": r.kind, "kind_label": r.kind_label, "procedure": r.procedure, "procedure_label": r.procedure_label,
        "steps": [{"state": s["state"], "label": s["label"], "done": s["done"], "current": s["current"]}
                  for s in procedures.progress(r)],
        "certification": _certification_json(certifications.confirmed_for_round(r.id)) if r.state == "certified" else None,
        "state": r.state,
        "state_label": r.state_label, "carbon_in_scope": r.carbon_in_scope,
        "disclosure": disclosures.public_json(r) if r.required_disclosures else None,
        "permit": {"status": r.permit_status, "status_label": r.permit_status_label, "permit_no": r.permit_no,
                   "report_year": r.permit_report_year},
        "carbon": _carbon_json(r) if r.carbon_in_scope else None,
        "park_round": r.park_round.title if r.park_round else None,
        "listed_on": iso(r.listed_on), "disclosed_on": iso(r.disclosed_on), "started_on": iso(r.started_on),
        "report_submitted_on": iso(r.report_submitted_on), "evaluation_concluded_on": iso(r.evaluation_concluded_on),
        "acceptance_concluded_on": iso(r.acceptance_concluded_on),
        "clean_production_level": r.clean_production_level, "clean_production_level_label": r.level_label or None,
        "deadlines": [{"key": d["key"], "label": d["label"], "due": iso(d["due"]), "done_on": iso(d["done_on"]),
                       "met": d["met"], "overdue": d["overdue"], "late": d["late"], "unconfirmed": d["unconfirmed"],
                       "record": _entry_json(d["entry"])} for d in due],
        "timeline": [{"on": iso(e.on), "state": e.to_state, "state_label": e.to_label} for e in r.events],
    }


@bp.get("/enterprises/<uscc>/audit-status")
def audit_status(uscc: str):
    today = beijing_today()
    enterprise, rounds = services.public_status(uscc, today)
    current = rounds[0] if rounds and rounds[0][0].is_open else None
    return jsonify({
        "uscc": enterprise.uscc, "name": enterprise.name, "city": enterprise.city.name,
        "industry": enterprise.industry.name, "as_of": today.isoformat(),
        "current_round": public_round(*current) if current else None,
        "rounds": [public_round(r, due) for r, due in rounds],
    })


def case_json(c: Case) -> dict:
    return {
        "id": c.id, "enterprise": {"name": c.enterprise.name, "uscc": c.enterprise.uscc, "city_code": c.enterprise.city_code},
        "round_id": c.round_id, "cause": c.cause, "cause_label": c.cause_label, "status": c.state,
        "status_label": c.state_label, "due_on": iso(c.due_on), "opened_on": iso(c.opened_on),
        "rectification_deadline": iso(c.rectification_deadline), "rectification_note": c.rectification_note,
        "cured_on": iso(c.cured_on), "closed_on": iso(c.closed_on), "closed_reason": c.closed_reason,
    }


@bp.get("/cases")
@token_required("regulator", "admin")
def cases_list():
    query = case_services.visible(g.api_user, request.args.get("status") or None, request.args.get("q", ""))
    return paginated(query, case_json)


@bp.get("/cases/<int:case_id>")
@token_required("regulator", "admin")
def case_get(case_id: int):
    return jsonify(case_json(case_services.get_case(g.api_user, case_id)))


@bp.post("/cases/<int:case_id>/rectification")
@token_required("regulator")
def case_rectification(case_id: int):
    case = case_services.get_case(g.api_user, case_id)
    body = json_body()
    deadline = parse_iso_date(body.get("deadline"), "deadline", "整改期限")
    note = body.get("note") or ""
    if not isinstance(note, str):
        raise ValidationError("note 应为文字。", "note")
    case_services.order_rectification(g.api_user, case, deadline=deadline, note=note)
    return jsonify(case_json(case))
