"""The daily compliance scan, read as the regulations read."""
from datetime import date

import pytest

from platform.audits import cases, services
from platform.audits.jobs import compliance_scan, send_reminders
from platform.audits.models import Case, Notice
from platform.core.extensions import db


def scan(on: date):
    report = compliance_scan(on)
    db.session.commit()
    return report


def open_causes(enterprise) -> set[str]:
    return {c.cause for c in db.session.query(Case).filter(Case.enterprise_id == enterprise.id,
                                                           Case.state.in_(("open", "rectifying", "overdue")))}


def test_an_enterprise_listed_on_2025_03_01_and_silent_for_a_year_has_three_open_cases(world, listed):
    listed(world.ent_a, date(2025, 3, 1))
    report = scan(date(2026, 3, 2))
    assert open_causes(world.ent_a) == {"disclosure_overdue", "start_overdue", "report_overdue"}
    assert report.opened_total == 3
    case = db.session.query(Case).filter_by(cause="report_overdue").one()
    assert (case.due_on, case.opened_on, case.opened_by_id) == (date(2026, 3, 1), date(2026, 3, 2), None)


def test_the_deadline_day_itself_is_still_in_time(world, listed):
    listed(world.ent_a, date(2025, 3, 1))
    scan(date(2025, 4, 1))
    assert open_causes(world.ent_a) == set()
    scan(date(2025, 4, 2))
    assert open_causes(world.ent_a) == {"disclosure_overdue"}


def test_an_enterprise_that_reported_in_time_has_no_case(world, listed, advance):
    advance(listed(world.ent_a, date(2025, 3, 1)), "report_submitted", reported=date(2026, 2, 27))
    scan(date(2026, 3, 2))
    assert open_causes(world.ent_a) == set()


def test_the_scan_run_twice_gives_the_same_cases(world, listed):
    listed(world.ent_a, date(2025, 3, 1))
    listed(world.ent_b, date(2025, 3, 1))
    first = scan(date(2026, 3, 2))
    before = sorted((c.round_id, c.cause, c.state) for c in db.session.query(Case))
    second = scan(date(2026, 3, 2))
    assert first.opened_total == 6 and second.opened_total == 0
    assert sorted((c.round_id, c.cause, c.state) for c in db.session.query(Case)) == before


def test_a_report_that_arrives_late_cures_the_case_at_the_next_scan(world, listed, advance):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    advance(round_, "auditing", disclosed=date(2025, 3, 20), started=date(2025, 4, 10))
    scan(date(2026, 3, 5))
    assert open_causes(world.ent_a) == {"report_overdue"}
    services.submit_report(world.enterprise_a, round_, on=date(2026, 3, 10), data=b"%PDF-1.4 late",
                           filename="report.pdf", today=date(2026, 3, 10))
    db.session.commit()
    report = scan(date(2026, 3, 11))
    case = db.session.query(Case).one()
    assert (case.state, case.cured_on, case.closed_on) == ("closed", date(2026, 3, 10), date(2026, 3, 11))
    assert report.closed == 1
    assert services.deadlines(round_, date(2026, 3, 11))[2]["late"] is True


def test_a_scan_dated_before_the_cure_still_sees_the_obligation_outstanding(world, listed, advance):
    advance(listed(world.ent_a, date(2025, 3, 1)), "report_submitted", reported=date(2026, 3, 10))
    scan(date(2026, 3, 5))
    assert open_causes(world.ent_a) == {"report_overdue"}


def test_a_cured_case_under_rectification_becomes_rectified_not_closed(world, listed, advance):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    scan(date(2025, 4, 2))
    case = db.session.query(Case).one()
    cases.order_rectification(world.regulator_a, case, deadline=date(2025, 4, 30), today=date(2025, 4, 2))
    db.session.commit()
    services.disclose(world.enterprise_a, round_, on=date(2025, 4, 20), today=date(2025, 4, 20))
    db.session.commit()
    scan(date(2025, 4, 21))
    db.session.refresh(case)
    assert (case.state, case.cured_on) == ("rectified", date(2025, 4, 20))


def test_a_rectification_deadline_passed_without_a_cure_makes_the_case_overdue(world, listed):
    listed(world.ent_a, date(2025, 3, 1))
    scan(date(2025, 4, 2))
    case = db.session.query(Case).one()
    cases.order_rectification(world.regulator_a, case, deadline=date(2025, 4, 30), today=date(2025, 4, 2))
    db.session.commit()
    scan(date(2025, 4, 30))
    assert db.session.get(Case, case.id).state == "rectifying"
    report = scan(date(2025, 5, 1))
    assert db.session.get(Case, case.id).state == "overdue"
    assert report.overdue == 1


def test_failed_evaluation_and_acceptance_open_cases_cured_by_passing(world, listed, advance):
    round_ = advance(listed(world.ent_a, date(2025, 3, 1)), "evaluation")
    services.conclude_evaluation(world.regulator_a, round_, on=date(2026, 3, 5), passed=False, opinion="报告不实",
                                 today=date(2026, 3, 5))
    db.session.commit()
    scan(date(2026, 3, 6))
    assert open_causes(world.ent_a) == {"evaluation_failed"}
    services.submit_report(world.enterprise_a, round_, on=date(2026, 4, 1), data=b"%PDF-1.4 v2", filename="v2.pdf",
                           today=date(2026, 4, 1))
    services.begin_evaluation(world.regulator_a, round_, on=date(2026, 4, 10), today=date(2026, 4, 10))
    services.conclude_evaluation(world.regulator_a, round_, on=date(2026, 4, 20), passed=True, today=date(2026, 4, 20))
    db.session.commit()
    scan(date(2026, 4, 21))
    assert open_causes(world.ent_a) == set()


def test_acceptance_not_requested_within_a_year_of_passing_evaluation_opens_a_case(world, listed, advance):
    advance(listed(world.ent_a, date(2025, 3, 1)), "evaluation_passed", evaluated=date(2026, 3, 1))
    scan(date(2027, 3, 1))
    assert open_causes(world.ent_a) == set()
    scan(date(2027, 3, 2))
    assert open_causes(world.ent_a) == {"acceptance_overdue"}


def test_a_toxic_listed_firm_five_years_after_acceptance_without_a_new_round_has_a_case(world, listed, advance):
    world.ent_a.toxic_substances = True
    advance(listed(world.ent_a, date(2025, 3, 1)), "accepted", accepted=date(2026, 11, 1))
    scan(date(2031, 11, 1))
    assert open_causes(world.ent_a) == set()
    scan(date(2031, 11, 2))
    assert open_causes(world.ent_a) == {"next_round_overdue"}
    listed(world.ent_a, date(2031, 12, 1))
    scan(date(2031, 12, 2))
    assert "next_round_overdue" not in open_causes(world.ent_a)


def test_only_the_toxic_listed_firm_accepted_six_years_ago_gets_a_repeat_audit_case(world, listed, advance):
    """审核办法 第十二条: the five-year repeat applies only to firms listed for toxic or hazardous
    substances (第八条第（三）项); a firm listed for exceeding discharge standards has none."""
    world.ent_a.over_discharge, world.ent_b.toxic_substances = True, True
    for enterprise in (world.ent_a, world.ent_b):
        advance(listed(enterprise, date(2019, 3, 1)), "accepted", disclosed=date(2019, 3, 20),
                started=date(2019, 4, 10), reported=date(2020, 2, 1), evaluated=date(2020, 3, 1),
                requested=date(2020, 10, 1), accepted=date(2020, 11, 1))
    scan(date(2026, 12, 6))
    assert open_causes(world.ent_a) == set()
    assert open_causes(world.ent_b) == {"next_round_overdue"}


def test_cancelling_a_round_closes_its_cases(world, listed):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    scan(date(2025, 4, 2))
    services.cancel(world.regulator_a, round_, reason="误列入", today=date(2025, 4, 3))
    db.session.commit()
    scan(date(2025, 4, 4))
    assert open_causes(world.ent_a) == set()
    assert db.session.query(Case).one().closed_reason == "审核轮次已撤销"


def test_voluntary_rounds_never_open_cases(world):
    services.start_voluntary(world.enterprise_a, kind="voluntary", started_on=date(2024, 1, 1), today=date(2024, 1, 1))
    db.session.commit()
    assert scan(date(2027, 1, 1)).opened_total == 0


def test_the_database_refuses_a_second_open_case_for_the_same_round_and_cause(world, listed):
    from sqlalchemy.exc import IntegrityError

    round_ = listed(world.ent_a, date(2025, 3, 1))
    scan(date(2025, 4, 2))
    db.session.add(Case(enterprise_id=world.ent_a.id, round_id=round_.id, cause="disclosure_overdue", state="open",
                        opened_on=date(2025, 4, 3)))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_reminders_come_30_7_and_1_days_before_each_deadline_once_each(world, listed):
    listed(world.ent_a, date(2025, 3, 1))  # disclosure due 2025-04-01, start due 2025-05-01
    assert send_reminders(date(2025, 3, 1)) == 0  # 31 days before: too early
    assert send_reminders(date(2025, 3, 2)) == 1  # 30 days before disclosure
    assert send_reminders(date(2025, 3, 2)) == 0  # run twice, sent once
    assert send_reminders(date(2025, 3, 25)) == 1  # 7 days before disclosure
    assert send_reminders(date(2025, 3, 31)) == 1  # 1 day before disclosure
    assert send_reminders(date(2025, 4, 1)) == 1  # 30 days before the start of the audit
    notices = db.session.query(Notice).order_by(Notice.id).all()
    assert [(n.deadline, n.days_before) for n in notices] == [
        ("disclosure_due", 30), ("disclosure_due", 7), ("disclosure_due", 1), ("start_due", 30)]
    assert "不足 7 天" in notices[1].message


def test_a_missed_day_of_the_job_still_sends_the_due_reminder_and_a_met_deadline_none(world, listed):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    assert send_reminders(date(2025, 3, 10)) == 1  # 22 days before: the 30-day reminder, late
    services.disclose(world.enterprise_a, round_, on=date(2025, 3, 11), today=date(2025, 3, 11))
    assert send_reminders(date(2025, 3, 25)) == 0  # disclosed: no 7-day reminder


def test_a_regulator_opens_a_case_by_hand_once_per_cause_and_the_scan_adds_no_second(world, listed):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    with pytest.raises(Exception, match="管辖范围"):
        cases.open_case(world.regulator_b, round_, cause="disclosure_overdue", today=date(2025, 4, 2))
    case = cases.open_case(world.regulator_a, round_, cause="disclosure_overdue", note="现场检查发现", today=date(2025, 4, 2))
    db.session.commit()
    with pytest.raises(Exception, match="未结案件"):
        cases.open_case(world.regulator_a, round_, cause="disclosure_overdue", today=date(2025, 4, 2))
    assert scan(date(2025, 4, 3)).opened.get("disclosure_overdue") == 0
    assert case.opened_by_id == world.regulator_a.id


def test_reminders_are_emailed_when_smtp_is_configured(app, world, listed, monkeypatch):
    from platform.core import mail

    sent = []
    monkeypatch.setattr(mail, "send", lambda to, subject, body: sent.append((to, subject, body)))
    app.config["MAIL_SERVER"] = "smtp.example.gov.cn:25"
    world.enterprise_a.email = "hb@example.com"
    listed(world.ent_a, date(2025, 3, 1))
    send_reminders(date(2025, 3, 2))
    send_reminders(date(2025, 3, 3))
    assert [(to, "截止日期：2025-04-01" in body) for to, _, body in sent] == [(["hb@example.com"], True)]
    assert db.session.query(Notice).one().emailed_at is not None


def test_a_regulator_opens_a_falsification_case_which_the_scan_neither_opens_nor_closes(world, listed, advance):
    """促进法 第三十九条: falsifying the audit or misreporting its results — opened by a regulator,
    for example after a panel's veto for falsified data; no deadline cures it."""
    round_ = advance(listed(world.ent_a, date(2025, 3, 1)), "report_submitted")
    case = cases.open_case(world.regulator_a, round_, cause="falsified", note="专家组以数据造假否决", today=date(2026, 3, 5))
    db.session.commit()
    assert case.penalty.needs_refusal and "弄虚作假" in case.penalty.violation_type
    scan(date(2026, 3, 6))
    assert open_causes(world.ent_a) == {"falsified"}
