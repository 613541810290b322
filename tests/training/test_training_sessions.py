"""Plans, sessions and enrolment: who may organise and enrol, and a full class that writes nothing."""
from datetime import date

import pytest
from training_helpers import AFTER, BEFORE, START
from sqlalchemy import func, select

from platform.core.auditlog.models import AuditLog
from platform.core.errors import InvalidFields, NotFound, PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.training import services
from platform.training.models import Enrolment, TrainingSession


def _counts():
    return (db.session.scalar(select(func.count(Enrolment.id))), db.session.scalar(select(func.count(AuditLog.id))))


def test_a_city_regulator_plans_for_its_city_and_only_regulators_plan(world):
    plan = services.create_plan(world.regulator_a, {"title": "南宁市企业负责人培训", "audience": "enterprise_heads",
                                                    "year": "2026", "hours": "4"})
    assert plan.division_code == "450100" and plan.audience_label == "企业负责人"
    for outsider in (world.expert, world.enterprise_a, world.admin, world.service_org):
        with pytest.raises(PermissionDenied):
            services.create_plan(outsider, {"title": "x", "audience": "experts", "year": "2026", "hours": "4"})


def test_bad_plan_and_session_fields_are_named_in_chinese(world, make_session):
    with pytest.raises(InvalidFields) as caught:
        services.create_plan(world.province, {"title": "", "audience": "students", "year": "26", "hours": "-1"})
    assert set(caught.value.errors) == {"title", "audience", "year", "hours"}
    assert "培训对象" in caught.value.errors["audience"]
    plan = make_session().plan
    with pytest.raises(InvalidFields) as caught:
        services.add_session(world.province, plan, {"title": "第二期", "starts_on": "2027-01-05", "ends_on": "2026-13-01",
                                                    "place": "", "capacity": "0", "hours": "0.25"})
    errors = caught.value.errors
    assert "计划年度（2026 年）" in errors["starts_on"] and "YYYY-MM-DD" in errors["ends_on"]
    assert set(errors) == {"starts_on", "ends_on", "place", "capacity", "hours"}
    with pytest.raises(InvalidFields) as caught:
        services.add_session(world.province, plan, {"title": "第二期", "starts_on": "2026-06-05", "ends_on": "2026-06-04",
                                                    "place": "柳州", "capacity": "10", "hours": "4"})
    assert caught.value.errors == {"ends_on": "结束日期不能早于开始日期。"}


def test_only_the_organiser_adds_sessions_and_keeps_the_roll(world, make_session):
    session = make_session(organiser=world.regulator_a)
    raw = {"title": "第二期", "starts_on": "2026-09-01", "ends_on": "2026-09-01", "place": "南宁", "capacity": "5",
           "hours": "4"}
    with pytest.raises(NotFound):  # another city's plan reads as missing
        services.add_session(world.regulator_b, session.plan, raw)
    with pytest.raises(PermissionDenied):
        services.add_session(world.expert, session.plan, raw)
    assert services.add_session(world.province, session.plan, raw).capacity == 5  # the province keeps every plan
    with pytest.raises(NotFound):
        services.enrolments_of_session(world.regulator_b, session)


def test_people_enrol_themselves_in_their_own_audience_only(world, make_session, make_pool_expert):
    expert = make_pool_expert()
    experts_session = make_session("experts")
    enrolment = services.enrol_self(expert.user, experts_session, today=BEFORE)
    assert enrolment.holder_name == expert.name and enrolment.holder_unit == expert.employer
    with pytest.raises(ValidationError, match="已报名"):
        services.enrol_self(expert.user, experts_session, today=BEFORE)
    with pytest.raises(ValidationError, match="面向专家"):
        services.enrol_self(world.enterprise_a, experts_session, today=BEFORE)
    with pytest.raises(PermissionDenied):  # officials are enrolled by the organiser
        services.enrol_self(world.regulator_a, make_session("officials"), today=BEFORE)
    with pytest.raises(ValidationError, match="已于 2026-05-12 开班"):
        services.enrol_self(make_pool_expert().user, experts_session, today=date(2026, 5, 13))


def test_a_citys_plan_is_for_that_citys_enterprises(world, make_session):
    session = make_session("enterprise_heads", organiser=world.regulator_a)
    assert services.enrol_self(world.enterprise_a, session, today=BEFORE).holder_unit == world.ent_a.name
    with pytest.raises(ValidationError, match="南宁市"):
        services.enrol_self(world.enterprise_b, session, today=BEFORE)


def test_the_organiser_enrols_by_account_name(world, make_session):
    session = make_session("officials")
    assert services.enrol_by_organiser(world.province, session, world.regulator_b.username, today=BEFORE)
    with pytest.raises(ValidationError, match="未找到该账号") as caught:
        services.enrol_by_organiser(world.province, session, "nobody", today=BEFORE)
    assert caught.value.field == "username"
    with pytest.raises(ValidationError, match="面向行政管理人员"):
        services.enrol_by_organiser(world.province, session, world.expert.username, today=BEFORE)
    with pytest.raises(NotFound):
        services.enrol_by_organiser(world.regulator_a, session, world.regulator_b.username, today=BEFORE)


def test_a_full_session_refuses_the_next_person_and_writes_nothing(world, make_session, make_pool_expert):
    session = make_session(capacity=2)
    for _ in range(2):
        services.enrol_self(make_pool_expert().user, session, today=BEFORE)
    late = make_pool_expert()
    db.session.commit()
    before = _counts()
    with pytest.raises(ValidationError, match="名额已满（共 2 人）") as caught:
        services.enrol_self(late.user, session, today=BEFORE)
    assert caught.value.field == "session"
    db.session.rollback()
    assert _counts() == before
    assert db.session.get(TrainingSession, session.id).enrolled == 2


def test_a_full_session_over_http_says_so_and_writes_nothing(world, make_session, make_pool_expert, client_for):
    session = make_session(capacity=1, start=date(2099, 5, 12))
    services.enrol_self(make_pool_expert().user, session, today=BEFORE)
    late = make_pool_expert()
    db.session.commit()
    before = _counts()
    response = client_for(late.user).post(f"/training/sessions/{session.id}/enrol", data={},
                                          follow_redirects=True)
    assert "名额已满" in response.get_data(as_text=True)
    assert _counts() == before
    free = make_session(capacity=3, start=date(2099, 6, 1))
    ok = client_for(late.user).post(f"/training/sessions/{free.id}/enrol", data={}, follow_redirects=True)
    assert "已报名：第一期" in ok.get_data(as_text=True) and _counts()[0] == before[0] + 1


def test_the_database_refuses_more_enrolments_than_seats(world, make_session):
    session = make_session(capacity=1)
    session.enrolled = 2
    with pytest.raises(Exception):
        db.session.flush()
    db.session.rollback()


def test_attendance_is_the_organisers_and_issues_the_certificate(world, make_session, make_pool_expert):
    session = make_session(organiser=world.regulator_a)
    enrolment = services.enrol_self(make_pool_expert().user, session, today=BEFORE)
    with pytest.raises(NotFound):
        services.record_attendance(world.regulator_b, enrolment, True, today=AFTER)
    with pytest.raises(PermissionDenied):
        services.record_attendance(world.expert, enrolment, True, today=AFTER)
    with pytest.raises(ValidationError, match="开班后方可登记出勤"):
        services.record_attendance(world.regulator_a, enrolment, True, today=BEFORE)
    services.record_attendance(world.regulator_a, enrolment, False, today=START)
    assert enrolment.certificate_code is None and enrolment.attendance_label == "缺勤"
    services.record_attendance(world.regulator_a, enrolment, True, today=AFTER)
    code = enrolment.certificate_code
    assert services.normalize_code(code) == code and len(code) == 19
    with pytest.raises(ValidationError, match="不能再更改出勤记录"):
        services.record_attendance(world.regulator_a, enrolment, False, today=AFTER)
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "training.attendance")) == 2


def test_certificate_codes_are_random(world):
    codes = {services.new_certificate_code() for _ in range(200)}
    assert len(codes) == 200
