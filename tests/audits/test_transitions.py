"""Every transition allowed and refused: wrong role, wrong city, wrong state, too early."""
from datetime import date

import pytest

from platform.audits import services
from platform.audits.models import AuditRound, RoundEvent
from platform.core.auditlog.models import AuditLog
from platform.core.errors import PermissionDenied, ValidationError
from platform.core.extensions import db



def test_publishing_a_list_creates_a_listed_round_with_its_deadlines(world, listed):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    assert round_.state == "listed"
    assert (round_.disclosure_due, round_.start_due, round_.report_due) == (date(2025, 4, 1), date(2025, 5, 1), date(2026, 3, 1))
    assert round_.batch.division_code == "450100"
    assert db.session.query(AuditLog).filter_by(action="batch.publish").count() == 1


def test_a_city_regulator_cannot_list_another_citys_enterprise(world):
    with pytest.raises(PermissionDenied):
        services.publish_batch(world.regulator_a, title="名单", published_on=date(2025, 3, 1),
                               usccs=[world.ent_b.uscc], today=date(2025, 3, 1))


def test_a_list_with_one_unknown_code_publishes_nobody(world):
    with pytest.raises(ValidationError, match="未登记"):
        services.publish_batch(world.regulator_a, title="名单", published_on=date(2025, 3, 1),
                               usccs=[world.ent_a.uscc, "91450100MA5L000000"], today=date(2025, 3, 1))
    db.session.rollback()
    assert db.session.query(AuditRound).count() == 0


def test_a_list_cannot_be_dated_in_the_future(world):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.publish_batch(world.regulator_a, title="名单", published_on=date(2025, 3, 2),
                               usccs=[world.ent_a.uscc], today=date(2025, 3, 1))


def test_an_enterprise_with_an_open_round_cannot_be_listed_again(world, listed):
    listed(world.ent_a)
    with pytest.raises(ValidationError, match="未完成的审核轮次"):
        listed(world.ent_a, date(2025, 6, 1))


def test_the_enterprise_walks_its_round_to_acceptance(world, listed, advance):
    round_ = advance(listed(world.ent_a), "accepted")
    assert round_.state == "accepted"
    assert round_.next_round_due is None  # not listed for toxic substances: no repeat deadline
    assert [e.to_state for e in round_.events] == ["listed", "disclosed", "auditing", "report_submitted", "evaluation",
                                                   "evaluation_passed", "acceptance", "accepted"]
    assert services.current_round(world.ent_a.id) is None


def test_only_the_enterprise_itself_records_its_disclosure(world, listed):
    round_ = listed(world.ent_a)
    for actor in (world.enterprise_b, world.regulator_a, world.expert, world.admin):
        with pytest.raises(PermissionDenied):
            services.disclose(actor, round_, on=date(2025, 3, 10), today=date(2025, 3, 10))


def test_disclosure_cannot_precede_the_list_nor_lie_in_the_future(world, listed):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    with pytest.raises(ValidationError, match="不能早于名单公布日期"):
        services.disclose(world.enterprise_a, round_, on=date(2025, 2, 28), today=date(2025, 3, 10))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.disclose(world.enterprise_a, round_, on=date(2025, 3, 11), today=date(2025, 3, 10))


def test_the_audit_cannot_start_before_disclosure(world, listed):
    round_ = listed(world.ent_a)
    with pytest.raises(ValidationError, match="不能开始审核"):
        services.start_audit(world.enterprise_a, round_, on=date(2025, 3, 10), today=date(2025, 3, 10))


def test_only_the_citys_regulator_records_an_evaluation(world, listed, advance):
    round_ = advance(listed(world.ent_a), "evaluation")
    for actor in (world.regulator_b, world.enterprise_a, world.admin, world.expert):
        with pytest.raises(PermissionDenied):
            services.conclude_evaluation(actor, round_, on=date(2026, 3, 5), passed=True, today=date(2026, 3, 5))
    services.conclude_evaluation(world.province, round_, on=date(2026, 3, 5), passed=True, today=date(2026, 3, 5))
    assert round_.acceptance_due == date(2027, 3, 5)


def test_a_failed_evaluation_needs_a_reason_and_sends_the_report_back(world, listed, advance, pdf):
    round_ = advance(listed(world.ent_a), "evaluation")
    with pytest.raises(ValidationError, match="理由"):
        services.conclude_evaluation(world.regulator_a, round_, on=date(2026, 3, 5), passed=False, today=date(2026, 3, 5))
    services.conclude_evaluation(world.regulator_a, round_, on=date(2026, 3, 5), passed=False,
                                 opinion="中/高费方案论证不充分", today=date(2026, 3, 5))
    assert round_.state == "evaluation_failed"
    services.submit_report(world.enterprise_a, round_, on=date(2026, 4, 1), data=pdf, filename="修改稿.pdf",
                           today=date(2026, 4, 1))
    assert round_.state == "report_submitted"
    assert round_.report_submitted_on == date(2026, 2, 1)  # the first submission still dates the report
    assert len(round_.reports) == 2


def test_the_report_must_be_a_pdf(world, listed, advance, pdf):
    round_ = advance(listed(world.ent_a), "auditing")
    with pytest.raises(ValidationError, match="PDF"):
        services.submit_report(world.enterprise_a, round_, on=date(2026, 1, 5), data=b"PK\x03\x04 not a pdf",
                               filename="report.pdf", today=date(2026, 1, 5))
    with pytest.raises(ValidationError, match="PDF"):
        services.submit_report(world.enterprise_a, round_, on=date(2026, 1, 5), data=pdf, filename="report.docx",
                               today=date(2026, 1, 5))
    assert round_.state == "auditing"


def test_an_uploaded_name_cannot_escape_the_upload_folder(app, world, listed, advance, pdf):
    round_ = advance(listed(world.ent_a), "auditing")
    report = services.submit_report(world.enterprise_a, round_, on=date(2026, 1, 5), data=pdf,
                                    filename="../../etc/passwd.pdf", today=date(2026, 1, 5))
    assert report.original_name == "passwd.pdf"
    _, path = services.report_path(world.regulator_a, report.id)
    assert path.read_bytes() == pdf
    assert path.parent.name == "reports"


def test_the_report_is_served_only_to_the_enterprise_and_its_regulators(world, listed, advance):
    round_ = advance(listed(world.ent_a), "report_submitted")
    report_id = round_.reports[0].id
    for allowed in (world.enterprise_a, world.regulator_a, world.province, world.admin):
        services.report_path(allowed, report_id)
    for refused in (world.enterprise_b, world.regulator_b, world.expert):
        with pytest.raises(PermissionDenied):
            services.report_path(refused, report_id)


def test_a_cancelled_round_frees_the_enterprise_for_a_new_one(world, listed):
    round_ = listed(world.ent_a)
    with pytest.raises(ValidationError, match="理由"):
        services.cancel(world.regulator_a, round_, reason="  ")
    services.cancel(world.regulator_a, round_, reason="误列入名单", today=date(2025, 3, 5))
    db.session.commit()
    assert services.current_round(world.ent_a.id) is None
    listed(world.ent_a, date(2025, 6, 1))


def test_a_voluntary_round_starts_in_auditing_without_legal_deadlines(world):
    round_ = services.start_voluntary(world.enterprise_a, kind="voluntary", started_on=date(2025, 5, 1),
                                      carbon_in_scope=True, today=date(2025, 5, 1))
    assert (round_.state, round_.carbon_in_scope, round_.report_due) == ("auditing", True, None)
    assert services.deadlines(round_, date(2026, 6, 1)) == []


def test_a_park_round_moves_its_enterprises_together(world, make_enterprise, make_user):
    from platform.enterprises.models import Park

    park = Park(name="南宁六景工业园区", city_code="450100")
    db.session.add(park)
    db.session.flush()
    first, second = make_enterprise("450100", park_id=park.id), make_enterprise("450100", park_id=park.id)
    outsider = make_enterprise("450100")
    with pytest.raises(ValidationError, match="不在"):
        services.create_park_round(world.regulator_a, park_id=park.id, title="", listed_on=date(2025, 3, 1),
                                   usccs=[first.uscc, outsider.uscc], today=date(2025, 3, 1))
    db.session.rollback()
    park_round = services.create_park_round(world.regulator_a, park_id=park.id, title="", listed_on=date(2025, 3, 1),
                                            usccs=[first.uscc, second.uscc], today=date(2025, 3, 1))
    user = make_user("enterprise", enterprise=first)
    services.disclose(user, park_round.rounds[0], on=date(2025, 3, 15), today=date(2025, 3, 15))
    assert [r.state for r in park_round.rounds] == ["disclosed", "disclosed"]
    assert db.session.query(RoundEvent).filter_by(to_state="disclosed").count() == 2
