"""Dates the platform witnessed against dates an enterprise declares (the record is evidence).

An enterprise listed on 2025-03-01 must disclose by 2025-04-01, start by 2025-05-01 and report by
2026-03-01. What counts is the day the platform recorded a step, unless a regulator confirms an
earlier declared date against evidence.
"""
from datetime import date

import pytest
from sqlalchemy import select

from platform.core.auditlog.models import AuditLog
from platform.audits import services
from platform.audits.jobs import compliance_scan, send_reminders
from platform.audits.models import Case, Notice, StepRecord
from platform.core.errors import NotFound, PermissionDenied, ValidationError
from platform.core.extensions import db

from platform.core.access import SYSTEM

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

RECORDED = date(2026, 12, 6)


def scan(on: date):
    compliance_scan(on)
    db.session.commit()


def open_causes(enterprise) -> set[str]:
    return {c.cause for c in db.session.scalars(select(Case).where(
        Case.enterprise_id == enterprise.id, Case.state.in_(("open", "rectifying", "overdue"))))}


@pytest.fixture
def backdated(world, listed):
    """The issue's scenario: disclosed in time, silent past the start and report deadlines (cases
    open), then on 2026-12-06 the enterprise records 开始审核 2025-04-30 and 报告提交 2026-02-28."""
    round_ = listed(world.ent_a, date(2025, 3, 1))
    services.disclose(world.enterprise_a, round_, on=date(2025, 3, 20), today=date(2025, 3, 20))
    db.session.commit()
    scan(date(2026, 3, 2))
    assert open_causes(world.ent_a) == {"start_overdue", "report_overdue"}
    services.start_audit(world.enterprise_a, round_, on=date(2025, 4, 30), today=RECORDED)
    services.submit_report(world.enterprise_a, round_, on=date(2026, 2, 28), data=PDF, filename="审核报告.pdf",
                           today=RECORDED)
    db.session.commit()
    return round_


def test_a_backdated_step_counts_from_the_day_recorded_and_shows_as_late_entry_pending(world, backdated, client):
    start = backdated.step_record("auditing")
    assert (start.declared_on, start.recorded_on, start.status) == (date(2025, 4, 30), RECORDED, "pending")
    assert backdated.started_on == RECORDED and backdated.report_submitted_on == RECORDED
    assert start.late_entry and start.summary == "逾期补录（2026-12-06 录入，申报 2025-04-30，待核实）"

    body = client.get(f"/api/v1/enterprises/{world.ent_a.uscc}/audit-status").get_json()
    deadlines = {d["key"]: d for d in body["current_round"]["deadlines"]}
    for key in ("start_due", "report_due"):
        assert deadlines[key]["met"] is False and deadlines[key]["unconfirmed"] is True
        assert deadlines[key]["record"]["status"] == "pending"
    assert deadlines["disclosure_due"]["met"] is True and deadlines["disclosure_due"]["record"]["status"] == "witnessed"

    page = client.get(f"/audit-status/{world.ent_a.uscc}").get_data(as_text=True)
    assert "逾期补录（2026-12-06 录入，申报 2025-04-30，待核实）" in page
    assert "逾期补录（2026-12-06 录入，申报 2026-02-28，待核实）" in page
    assert page.count("按期完成") == 1  # the disclosure only


def test_the_cases_stay_open_until_a_regulator_confirms_the_declared_date(world, backdated):
    scan(date(2026, 12, 7))
    assert open_causes(world.ent_a) == {"start_overdue", "report_overdue"}

    start = backdated.step_record("auditing")
    services.confirm_step(world.regulator_a, start, evidence_on=date(2025, 4, 30),
                          url="https://example.gov.cn/notice/2025-04-30.html", note="审核启动会签到表与网站公告",
                          today=date(2026, 12, 7))
    db.session.commit()
    assert start.status == "confirmed" and backdated.started_on == date(2025, 4, 30)
    scan(date(2026, 12, 8))
    assert open_causes(world.ent_a) == {"report_overdue"}
    closed = db.session.scalar(select(Case).where(Case.cause == "start_overdue"))
    assert closed.cured_on == date(2025, 4, 30)

    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "step.confirm"))
    assert entry.actor_id == world.regulator_a.id and entry.after["started_on"] == "2025-04-30"


def test_a_refused_declaration_leaves_the_recorded_day_and_the_late_step_is_what_cures(world, backdated):
    report = backdated.step_record("report_submitted")
    with pytest.raises(ValidationError, match="写明理由") as refused:
        services.refuse_step(world.regulator_a, report, reason=" ")
    assert refused.value.field == "reason"
    services.refuse_step(world.regulator_a, report, reason="无报送回执，申报日期无据可查", today=date(2026, 12, 7))
    db.session.commit()
    assert report.status == "refused" and backdated.report_submitted_on == RECORDED
    assert report.summary == "申报日期 2026-02-28 未获核实，以录入日 2026-12-06 为准"
    scan(date(2026, 12, 8))
    case = db.session.scalar(select(Case).where(Case.cause == "report_overdue"))
    assert case.state == "closed" and case.cured_on == RECORDED  # performed, late: 280 days after the deadline
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "step.refuse")) is not None


def test_confirmation_needs_evidence_dated_no_later_than_the_recording_by_the_citys_regulator(world, backdated):
    start = backdated.step_record("auditing")
    with pytest.raises(ValidationError) as refused:
        services.confirm_step(world.regulator_a, start, evidence_on=date(2025, 4, 30))
    assert refused.value.field == "evidence"
    with pytest.raises(ValidationError) as refused:
        services.confirm_step(world.regulator_a, start, evidence_on=date(2026, 12, 9), url="https://example.gov.cn/a")
    assert refused.value.field == "evidence_on"
    with pytest.raises(ValidationError) as refused:
        services.confirm_step(world.regulator_a, start, evidence_on=date(2025, 4, 30), url="ftp://example.gov.cn/a")
    assert refused.value.field == "url"
    with pytest.raises(ValidationError) as refused:
        services.confirm_step(world.regulator_a, start, evidence_on=date(2025, 4, 30), data=b"not a pdf",
                              filename="证明.pdf")
    assert refused.value.field == "file"
    with pytest.raises(PermissionDenied):
        services.confirm_step(world.regulator_b, start, evidence_on=date(2025, 4, 30), url="https://example.gov.cn/a")
    with pytest.raises(PermissionDenied):
        services.confirm_step(world.enterprise_a, start, evidence_on=date(2025, 4, 30), url="https://example.gov.cn/a")
    db.session.rollback()
    assert start.status == "pending" and backdated.started_on == RECORDED
    with pytest.raises(NotFound):
        services.get_step_record(world.regulator_b, start.id)


def test_the_regulator_confirms_with_an_uploaded_document_through_the_page(world, backdated, client_for):
    regulator = client_for(world.regulator_a)
    listing = regulator.get("/audits/confirmations").get_data(as_text=True)
    assert world.ent_a.name in listing and "2025-04-30" in listing
    start = backdated.step_record("auditing")
    refused = regulator.post(f"/audits/steps/{start.id}", data={"decision": "confirm", "evidence_on": "2025-04-30"})
    assert refused.status_code == 422 and "证明材料" in refused.get_data(as_text=True)
    import io
    done = regulator.post(f"/audits/steps/{start.id}", content_type="multipart/form-data", data={
        "decision": "confirm", "evidence_on": "2025-04-30", "file": (io.BytesIO(PDF), "启动会纪要.pdf")})
    assert done.status_code == 302
    db.session.expire_all()
    start = db.session.get(StepRecord, start.id)
    assert start.status == "confirmed" and start.evidence_original_name == "启动会纪要.pdf"
    assert regulator.get(f"/audits/steps/{start.id}/evidence").status_code == 200
    assert client_for(world.regulator_b).get(f"/audits/steps/{start.id}").status_code in (403, 404)


def test_a_step_recorded_within_the_grace_days_and_by_its_deadline_counts_as_declared(world, listed):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    services.disclose(world.enterprise_a, round_, on=date(2025, 3, 20), today=date(2025, 3, 27))
    db.session.commit()
    assert round_.disclosed_on == date(2025, 3, 20) and round_.step_record("disclosed").status == "witnessed"


def test_a_declared_date_within_the_grace_days_but_recorded_after_the_deadline_needs_confirmation(world, listed):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    services.disclose(world.enterprise_a, round_, on=date(2025, 3, 30), today=date(2025, 4, 3))
    db.session.commit()
    entry = round_.step_record("disclosed")
    assert entry.status == "pending" and entry.late_entry and round_.disclosed_on == date(2025, 4, 3)
    scan(date(2025, 4, 4))
    assert open_causes(world.ent_a) == {"disclosure_overdue"}


def test_an_old_declared_date_recorded_before_the_deadline_still_meets_it(world, listed):
    """Recorded by the deadline: the witness meets it, even while the earlier date awaits confirmation."""
    round_ = listed(world.ent_a, date(2025, 3, 1))
    services.disclose(world.enterprise_a, round_, on=date(2025, 3, 5), today=date(2025, 3, 30))
    db.session.commit()
    entry = round_.step_record("disclosed")
    assert entry.status == "pending" and not entry.late_entry
    assert entry.summary == "补录（2025-03-30 录入，申报 2025-03-05，待核实）"
    scan(date(2025, 4, 2))
    assert open_causes(world.ent_a) == set()


def test_the_grace_days_are_local_practice_and_configurable(app, world, listed):
    app.config["RULE_OVERRIDES"] = {"audits.declared_date_grace_days": 0}
    try:
        round_ = listed(world.ent_a, date(2025, 3, 1))
        services.disclose(world.enterprise_a, round_, on=date(2025, 3, 20), today=date(2025, 3, 21))
        db.session.commit()
        assert round_.step_record("disclosed").status == "pending"
    finally:
        app.config["RULE_OVERRIDES"] = {}


def test_a_declared_date_in_the_future_is_refused_naming_the_field_and_writes_nothing(world, listed):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    with pytest.raises(ValidationError) as refused:
        services.disclose(world.enterprise_a, round_, on=date(2025, 3, 21), today=date(2025, 3, 20))
    assert refused.value.field == "on" and "不能晚于今天" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(StepRecord)) is None and round_.state == "listed"


def test_historic_data_loaded_from_the_command_line_counts_as_witnessed(world, listed):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    services.disclose(SYSTEM, round_, on=date(2025, 3, 20), today=RECORDED)
    db.session.commit()
    entry = round_.step_record("disclosed")
    assert (entry.status, entry.recorder_role, round_.disclosed_on) == ("witnessed", "system", date(2025, 3, 20))


def test_reminders_use_the_effective_date(world, listed):
    """A step recorded (even backdated) is no longer reminded of; one not recorded is."""
    round_ = listed(world.ent_a, date(2025, 3, 1))
    services.disclose(world.enterprise_a, round_, on=date(2025, 3, 2), today=date(2025, 3, 25))
    db.session.commit()
    send_reminders(date(2025, 3, 25))
    db.session.commit()
    assert {n.deadline for n in db.session.scalars(select(Notice))} == set()
    send_reminders(date(2025, 4, 24))
    db.session.commit()
    assert {n.deadline for n in db.session.scalars(select(Notice))} == {"start_due"}
