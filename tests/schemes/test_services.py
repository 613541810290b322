"""Schemes as the enterprise enters them and the regulator sees them (DESIGN §2 Scheme)."""
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from platform.core.auditlog.models import AuditLog
from platform.core.errors import InvalidFields, NotFound, PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.schemes import review, services
from platform.schemes.models import AMOUNTS, Scheme, SchemeTotals
from tests.schemes.builders import TODAY, drive

VALID = {"code": "W01", "name": "空压机变频改造", "category": "无/低费", "status": "已完成",
         "completed_on": date(2025, 6, 30), "investment_wan_yuan": "12.5", "energy_tce": "30.25",
         "electricity_kwh": "80000", "co2_t": "75.4", "economic_benefit_wan_yuan": "8"}


def refused(call) -> dict:
    with pytest.raises(InvalidFields) as exc:
        call()
    return exc.value.errors


def test_an_enterprise_enters_a_scheme_of_its_running_audit(world, started):
    round_ = started(world.ent_a)
    scheme = services.create(world.enterprise_a, round_, VALID, today=TODAY)
    db.session.commit()
    assert (scheme.category, scheme.status, scheme.enterprise_id) == ("low_cost", "completed", world.ent_a.id)
    assert scheme.investment_wan_yuan == D("12.5") and scheme.energy_tce == D("30.25")
    assert scheme.nox_t == D("0")  # a blank result is zero
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "scheme.create"))
    assert entry.actor_name == world.enterprise_a.username and entry.after["code"] == "W01"
    totals = db.session.get(SchemeTotals, round_.id)
    assert (totals.schemes_total, totals.schemes_completed, totals.energy_tce_e4) == (1, 1, 302500)


@pytest.mark.parametrize("field, value, message", [
    ("investment_wan_yuan", "-1", "投资（万元）不能为负数。"),
    ("cod_t", "-0.5", "COD削减量（t）不能为负数。"),
    ("cod_t", "12 kg", "COD削减量（t）的单位应为 t"),
    ("energy_tce", "30 吨标煤", None),  # its own unit, spelt out, is fine
    ("investment_wan_yuan", "5000元", "投资（万元）的单位应为 万元"),
    ("water_t", "很多", "节水量（t）应为数字"),
    ("nox_t", "1.23456", "氮氧化物削减量（t）最多保留 4 位小数。"),
    ("co2_t", "1e12", "二氧化碳减排量（t）数值过大"),
    ("completed_on", "2025-13-01", "完成日期“2025-13-01”不是有效日期"),
    ("completed_on", date(2027, 1, 1), "完成日期不能晚于今天（2026-11-28）。"),
    ("completed_on", date(2025, 4, 1), "完成日期不能早于本轮审核开始日期（2025-04-10）。"),
    ("category", "超大费", "方案类别应为无/低费、中/高费之一"),
    ("status", "", "请填写方案状态。"),
    ("name", "", "请填写方案名称。"),
])
def test_wrong_amounts_units_and_dates_are_refused_naming_the_field(world, started, field, value, message):
    round_ = started(world.ent_a)
    call = lambda: services.create(world.enterprise_a, round_, {**VALID, field: value}, today=TODAY)  # noqa: E731
    if message is None:
        assert call().energy_tce == D("30")
        return
    errors = refused(call)
    assert message in errors[field]
    assert db.session.scalar(select(func.count(Scheme.id))) == 0


def test_the_database_refuses_a_negative_amount_too(world, started):
    from sqlalchemy.exc import IntegrityError

    round_ = started(world.ent_a)
    db.session.add(Scheme(round_id=round_.id, enterprise_id=world.ent_a.id, code="X", name="绕过服务", category="low_cost",
                          status="planned", **{**{m.key: D(0) for m in AMOUNTS}, "cod_t": D("-1")}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_completed_scheme_needs_its_date_and_an_unfinished_one_has_none(world, started):
    round_ = started(world.ent_a)
    assert "须填写完成日期" in refused(lambda: services.create(
        world.enterprise_a, round_, {**VALID, "completed_on": None}, today=TODAY))["completed_on"]
    assert "只有“已完成”的方案填写完成日期" in refused(lambda: services.create(
        world.enterprise_a, round_, {**VALID, "status": "实施中"}, today=TODAY))["completed_on"]
    every = refused(lambda: services.create(world.enterprise_a, round_, {**VALID, "cod_t": "-1", "water_t": "x",
                                                                         "code": ""}, today=TODAY))
    assert set(every) == {"cod_t", "water_t", "code"}  # every mistake at once


def test_scheme_numbers_are_unique_within_the_round(world, started):
    round_ = started(world.ent_a)
    services.create(world.enterprise_a, round_, VALID, today=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.create(world.enterprise_a, round_, {**VALID, "name": "另一个"}, today=TODAY)
    assert exc.value.field == "code" and "W01" in exc.value.message


def test_only_the_enterprise_itself_enters_its_schemes(world, started):
    round_ = started(world.ent_a)
    for someone in (world.enterprise_b, world.regulator_a, world.province, world.admin):
        with pytest.raises(PermissionDenied):
            services.create(someone, round_, VALID, today=TODAY)


def test_schemes_are_frozen_under_review_and_once_verified(world, started):
    round_ = started(world.ent_a)
    scheme = services.create(world.enterprise_a, round_, VALID, today=TODAY)
    later = services.create(world.enterprise_a, round_, {**VALID, "code": "Z01", "status": "计划实施",
                                                          "completed_on": None}, today=TODAY)
    db.session.commit()
    drive(round_, "evaluation")
    with pytest.raises(ValidationError) as exc:
        services.update(world.enterprise_a, scheme, {"energy_tce": "99"}, today=TODAY)
    assert "评估中" in exc.value.message
    drive(round_, "evaluation_passed")
    with pytest.raises(ValidationError) as exc:
        services.update(world.enterprise_a, scheme, {"energy_tce": "31"}, today=TODAY)
    assert "方案已冻结" in exc.value.message and "修订申请" in exc.value.message
    # Building the rest is progress the enterprise reports itself.
    review.report_progress(world.enterprise_a, later, {"status": "已完成", "completed_on": date(2026, 6, 1),
                                                        "energy_tce": "31"}, today=TODAY)
    db.session.commit()
    assert (later.status, later.energy_tce) == ("completed", D("31"))
    drive(round_, "accepted")
    with pytest.raises(ValidationError):
        services.delete_scheme(world.enterprise_a, scheme)
    assert scheme.verified and later.verified


def test_an_update_logs_what_changed_and_nothing_when_nothing_did(world, started):
    round_ = started(world.ent_a)
    scheme = services.create(world.enterprise_a, round_, VALID, today=TODAY)
    assert not services.update(world.enterprise_a, scheme, dict(VALID), today=TODAY)
    assert services.update(world.enterprise_a, scheme, {"cod_t": "1.5"}, today=TODAY)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "scheme.update"))
    assert entry.before == {"cod_t": "0.0000"} and entry.after == {"cod_t": "1.5000"}
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "scheme.update")) == 1
    assert db.session.get(SchemeTotals, round_.id).cod_t_e4 == 15000


def test_a_city_regulator_sees_its_own_citys_schemes_only(world, started):
    scheme_a = services.create(world.enterprise_a, started(world.ent_a), VALID, today=TODAY)
    scheme_b = services.create(world.enterprise_b, started(world.ent_b), VALID, today=TODAY)
    db.session.commit()
    seen = lambda user: set(db.session.scalars(services.visible(user)))  # noqa: E731
    assert seen(world.regulator_a) == {scheme_a}
    assert seen(world.regulator_b) == {scheme_b}
    assert seen(world.province) == seen(world.admin) == {scheme_a, scheme_b}
    assert seen(world.enterprise_a) == {scheme_a}
    with pytest.raises(NotFound):
        services.get_visible(world.regulator_a, scheme_b.id)
    with pytest.raises(NotFound):
        services.get_visible(world.enterprise_b, scheme_a.id)
    with pytest.raises(PermissionDenied):
        services.visible(world.expert)
    with pytest.raises(NotFound):
        services.get_visible(world.admin, 9999)


def test_spreadsheet_noise_past_fifteen_digits_is_read_as_excel_shows_it(app):
    from platform.schemes.models import METRIC

    assert services.parse_amount(0.1 + 0.2, METRIC["cod_t"]) == D("0.3")
    assert services.parse_amount("1,234.5", METRIC["water_t"]) == D("1234.5")
    assert services.parse_amount(None, METRIC["water_t"]) == D("0")
