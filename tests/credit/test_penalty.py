"""Penalty decisions on overdue cases, the credit records they produce, and their approval."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from platform.core.dates import beijing_today
from platform.core.auditlog.models import AuditLog
from platform.audits.jobs import compliance_scan
from platform.audits.models import Case
from platform.credit import rules, services
from platform.credit.models import CreditDelivery, CreditRecord
from platform.core.errors import PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.core.access import SYSTEM


# The HTTP tests run at today's date, as the pages and the API do.
TODAY = beijing_today()
DECIDED_ON = TODAY - timedelta(days=30)
LISTED_ON = TODAY - timedelta(days=200)


def _penalty_body(**changes):
    body = {"decision_no": "南环罚〔2026〕8号", "decided_on": DECIDED_ON.isoformat(), "facts": "逾期未公开企业信息，经责令整改仍未改正。",
            "legal_basis": "《中华人民共和国清洁生产促进法》第三十九条", "fine_yuan": 100000}
    return {**body, **changes}


def test_a_penalty_on_an_overdue_case_makes_a_record_awaiting_approval_with_its_periods(world, overdue_case, penalize):
    case = overdue_case()
    record = penalize(case, decided_on=date(2026, 4, 10), fine="80000.50", severity="general")
    assert case.state == "penalized" and not case.is_open
    assert record.state == "pending" and record.approved_at is None
    assert (record.subject_name, record.subject_uscc) == (world.ent_a.name, world.ent_a.uscc)
    assert (record.min_until, record.publish_until) == (date(2026, 7, 10), date(2027, 4, 10))
    assert record.online_due == date(2026, 4, 21)  # 7 working days after Friday 2026-04-10
    assert record.idempotency_key == services.record_key(record.decision.decision_no)
    assert record.deliveries == []  # nothing goes out before approval
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"penalty.create", "case.penalized", "credit_record.create"} <= actions


def test_the_compliance_scan_leaves_a_penalized_case_alone(overdue_case, penalize):
    case = overdue_case()
    penalize(case)
    compliance_scan(date(2026, 4, 11))
    db.session.commit()
    assert case.state == "penalized"
    same_cause = select(func.count(Case.id)).where(Case.round_id == case.round_id, Case.cause == case.cause)
    assert db.session.scalar(same_cause) == 1


def test_an_article_39_case_is_penalized_only_once_its_rectification_order_ran_out(world, overdue_case, penalize):
    """促进法 第三十九条: 责令限期改正；拒不改正的，处以罚款 — not before the order has run out."""
    case = overdue_case()
    case.cause, case.state = "start_overdue", "rectifying"
    db.session.commit()
    with pytest.raises(ValidationError, match="逾期未整改"):
        penalize(case)


def test_an_article_36_disclosure_case_may_be_fined_while_rectifying(world, overdue_case, penalize):
    """促进法 第三十六条: 责令公布，可以处十万元以下的罚款 — the order and the fine may come together."""
    case = overdue_case()
    case.state = "rectifying"
    db.session.commit()
    record = penalize(case, fine="30000", decided_on=case.rectification_deadline)
    assert record.decision.fine_yuan == 30000 and case.state == "penalized"


def test_a_closed_case_is_not_penalized(world, overdue_case, penalize):
    case = overdue_case()
    case.state = "closed"
    db.session.commit()
    with pytest.raises(ValidationError, match="不能记录处罚决定"):
        penalize(case)


def test_a_decision_number_is_recorded_once(make_enterprise, overdue_cases, penalize):
    first, second = overdue_cases([make_enterprise(), make_enterprise()])
    penalize(first, decision_no="南环罚〔2026〕1号")
    with pytest.raises(ValidationError, match="已登记"):
        penalize(second, decision_no="南环罚〔2026〕1号")
    db.session.rollback()
    assert second.state == "overdue"


def test_the_decision_date_must_follow_the_rectification_deadline_and_not_be_in_the_future(overdue_case, penalize):
    case = overdue_case()
    case.cause = "report_overdue"  # an article 39 case: the fine answers the refusal to correct
    with pytest.raises(ValidationError, match="应晚于整改期限"):
        penalize(case, decided_on=case.rectification_deadline)
    db.session.rollback()
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.record_penalty(SYSTEM, case, decision_no="x", decided_on=date(2026, 5, 1), facts="f", legal_basis="b",
                                fine_yuan=60000, today=date(2026, 4, 30))


def test_another_citys_regulator_may_not_penalize(world, overdue_case):
    case = overdue_case()
    with pytest.raises(PermissionDenied):
        services.record_penalty(world.regulator_b, case, decision_no="柳环罚1号", decided_on=date(2026, 4, 10),
                                facts="f", legal_basis="b", fine_yuan=60000, today=date(2026, 4, 10))


def test_whoever_entered_the_decision_may_not_approve_it_and_a_minor_one_needs_a_reason(
        world, overdue_cases, make_enterprise, penalize, approve):
    general, minor = [penalize(c, severity=s) for c, s in
                      zip(overdue_cases([make_enterprise(), make_enterprise()]), ("general", "minor"))]
    with pytest.raises(PermissionDenied, match="不能审核本人"):
        services.approve(world.regulator_a, general, today=date(2026, 4, 10))
    db.session.rollback()
    with pytest.raises(ValidationError, match="原则上不予公示"):
        approve(minor)
    db.session.rollback()
    approve(minor, note="涉及群众切身利益，确有必要公示。")
    assert minor.state == "approved" and minor.approval_note
    delivery = approve(general)
    assert (delivery.kind, delivery.status, delivery.idempotency_key) == ("publish", "pending", general.idempotency_key)
    with pytest.raises(ValidationError, match="不能再次审核"):
        approve(general)


def test_a_record_whose_period_has_ended_is_not_approved(overdue_case, penalize, approve):
    record = penalize(overdue_case())
    with pytest.raises(ValidationError, match="公示期已于 2027-04-10 届满"):
        approve(record, today=date(2027, 4, 11))


# --- through the API ---------------------------------------------------------------------------------

def test_penalty_and_approval_through_the_api(world, overdue_case, client, token, make_user):
    case = overdue_case(listed_on=LISTED_ON)
    headers = token(world.regulator_a)
    out_of_range = client.post(f"/api/v1/cases/{case.id}/penalty", headers=headers,
                               json=_penalty_body(fine_yuan=600000))
    assert out_of_range.status_code == 422
    error = out_of_range.get_json()["error"]
    assert error["field"] == "fine_yuan" and "不超过 10 万元" in error["message"] and "600,000.00" in error["message"]
    assert "第三十六条" in error["message"]
    missing = client.post(f"/api/v1/cases/{case.id}/penalty", headers=headers,
                          json=_penalty_body(decision_no="", facts=" "))
    assert missing.status_code == 422 and missing.get_json()["error"]["field"] == "decision_no"
    assert client.post(f"/api/v1/cases/{case.id}/penalty", headers=token(world.regulator_b),
                       json=_penalty_body()).status_code == 404
    assert client.post(f"/api/v1/cases/{case.id}/penalty", json=_penalty_body()).status_code == 401
    assert db.session.scalar(select(func.count(CreditRecord.id))) == 0

    created = client.post(f"/api/v1/cases/{case.id}/penalty", headers=headers, json=_penalty_body())
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["state"] == "pending" and body["fine_yuan"] == 100000
    assert body["online_due"] == rules.online_due(DECIDED_ON).isoformat()
    period = rules.publication_period("general", DECIDED_ON)
    assert body["publication_period"] == {"from": DECIDED_ON.isoformat(), "min_until": period.min_until.isoformat(),
                                          "until": period.until.isoformat()}
    again = client.post(f"/api/v1/cases/{case.id}/penalty", headers=headers, json=_penalty_body(decision_no="另一号"))
    assert again.status_code == 422 and "不能记录处罚决定" in again.get_json()["error"]["message"]

    assert client.post(f"/api/v1/credit-records/{body['id']}/approve", headers=headers).status_code == 403
    colleague = make_user("regulator", city="450100")
    approved = client.post(f"/api/v1/credit-records/{body['id']}/approve", headers=token(colleague))
    assert approved.status_code == 200 and approved.get_json()["state"] == "approved"
    assert approved.get_json()["delivery"]["status"] == "pending"
    assert db.session.scalar(select(func.count(CreditDelivery.id))) == 1
    # Approved is not yet published: the public sees it only once the channel has it.
    assert client.get("/api/v1/credit-records").get_json()["total"] == 0


def test_the_penalty_form_shows_refusals_beside_the_fields(world, overdue_case, client_for):
    case = overdue_case(listed_on=LISTED_ON)
    regulator = client_for(world.regulator_a)
    page = regulator.get(f"/audits/cases/{case.id}").get_data(as_text=True)
    assert "记录处罚决定" in page
    response = regulator.post(f"/credit/cases/{case.id}/penalty", data={
        "decision_no": "南环罚〔2026〕9号", "decided_on": DECIDED_ON.isoformat(), "fine_yuan": "200000", "severity": "general",
        "violation_type": "不实施强制性清洁生产审核", "facts": "逾期未整改", "legal_basis": "第三十九条", "office_name": "南宁市生态环境局"})
    assert response.status_code == 422
    assert "不超过 10 万元" in response.get_data(as_text=True) and "第三十六条" in response.get_data(as_text=True)
    response = regulator.post(f"/credit/cases/{case.id}/penalty", data={
        "decision_no": "南环罚〔2026〕9号", "decided_on": DECIDED_ON.isoformat(), "fine_yuan": "80,000", "severity": "general",
        "violation_type": "不实施强制性清洁生产审核", "facts": "逾期未整改", "legal_basis": "第三十九条", "office_name": "南宁市生态环境局"})
    assert response.status_code == 302
    record = db.session.scalar(select(CreditRecord))
    assert record.decision.fine_yuan == 80000 and case.state == "penalized"
    detail = regulator.get(f"/audits/cases/{case.id}").get_data(as_text=True)
    assert "南环罚〔2026〕9号" in detail and "确认已整改" not in detail
    assert client_for(world.regulator_b).get(f"/credit/records/{record.id}").status_code == 404
