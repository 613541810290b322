"""The permit inside the audit (《排污许可管理条例》第二条、第二十二条、第二十四条) and the carbon content of a
round with carbon in scope.

A firm whose permit data says 重点管理 must hold a permit: its round records it from the register, or
the enterprise records it; without one recorded, the acceptance cannot conclude 合格.
"""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from platform.audits import permits, services
from platform.core.auditlog.models import AuditLog
from platform.core.errors import InvalidFields, PermissionDenied, ValidationError
from platform.core.extensions import db

FAR = date(2030, 1, 1)


def _register(enterprise, **fields):
    for key, value in fields.items():
        setattr(enterprise, key, value)
    db.session.commit()


def test_a_round_takes_the_permit_from_the_imported_permit_data(world, listed):
    _register(world.ent_a, permit_class="key", permit_no="91450100MA5K000001001P")
    round_ = listed(world.ent_a)
    assert (round_.permit_status, round_.permit_no, round_.permit_source) == ("permit", "91450100MA5K000001001P", "register")
    _register(world.ent_b, permit_class="registration", permit_no="91450200DJ0001")
    assert listed(world.ent_b).permit_status == "registered"


def test_a_firm_without_permit_data_has_nothing_recorded_and_no_bar(world, listed):
    round_ = listed(world.ent_a)
    assert round_.permit_status is None and round_.permit_status_label == "未记录"
    assert permits.acceptance_bar(round_) is None


def test_a_firm_that_must_hold_a_permit_but_records_none_cannot_pass_acceptance(world, listed, advance):
    _register(world.ent_a, permit_class="key", permit_no=None)  # 重点管理, but no permit number on file
    round_ = advance(listed(world.ent_a), "acceptance")
    assert round_.permit_status is None
    with pytest.raises(ValidationError) as err:
        services.conclude_acceptance(world.regulator_a, round_, on=date(2026, 11, 1), passed=True, today=FAR)
    assert err.value.field == "permit" and "《排污许可管理条例》第二条" in err.value.message
    db.session.rollback()
    assert round_.state == "acceptance"
    # a 不合格 conclusion stays possible
    services.conclude_acceptance(world.regulator_a, round_, on=date(2026, 11, 1), passed=False, opinion="未取得排污许可证。",
                                 today=FAR)
    assert round_.state == "acceptance_failed"


def test_once_the_enterprise_records_its_permit_the_acceptance_passes(world, listed, advance):
    _register(world.ent_a, permit_class="simplified", permit_no=None)
    round_ = advance(listed(world.ent_a), "acceptance")
    permits.record_permit(world.enterprise_a, round_, status="permit", permit_no="91450100XK2025001",
                          report_year="2025", today=date(2026, 10, 2))
    services.conclude_acceptance(world.regulator_a, round_, on=date(2026, 11, 1), passed=True, today=FAR)
    db.session.commit()
    assert (round_.state, round_.permit_source, round_.permit_report_year) == ("accepted", "enterprise", 2025)
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "round.permit"))
    assert log.after["permit_status"] == "permit"


def test_the_rule_set_to_warn_only_lets_the_panel_decide(app, world, listed, advance):
    app.config["RULE_OVERRIDES"] = {"audits.permit_at_acceptance": False}
    _register(world.ent_a, permit_class="key", permit_no=None)
    round_ = advance(listed(world.ent_a), "accepted")
    assert round_.state == "accepted"


def test_a_missing_execution_report_is_a_warning_only(world, listed):
    _register(world.ent_a, permit_class="key", permit_no="91450100XK2025002")
    round_ = listed(world.ent_a)
    shown = permits.warnings(round_, today=date(2026, 3, 1))
    assert shown == ["排污许可证年度执行报告：尚未记录，上一年度（2025 年）的执行报告未记录（《排污许可管理条例》第二十二条）。"]
    round_.permit_report_year = 2025
    assert permits.warnings(round_, today=date(2026, 3, 1)) == []


def test_bad_permit_input_names_the_fields(world, listed):
    round_ = listed(world.ent_a)
    with pytest.raises(InvalidFields) as err:
        permits.record_permit(world.enterprise_a, round_, status="permit", permit_no="", report_year="2026",
                              today=date(2026, 3, 1))
    assert err.value.errors == {"permit_no": "请填写排污许可证编号或排污登记编号。",
                                "report_year": "执行报告年度不能晚于 2025 年（年度执行报告于次年报送）。"}
    with pytest.raises(InvalidFields) as err:
        permits.record_permit(world.enterprise_a, round_, status="maybe", today=date(2026, 3, 1))
    assert err.value.errors == {"status": "请选择排污许可情况。"}
    with pytest.raises(InvalidFields) as err:
        permits.record_permit(world.enterprise_a, round_, status="registered", permit_no="DJ1", report_year="2024",
                              today=date(2026, 3, 1))
    assert err.value.errors == {"report_year": "只有取得排污许可证的企业提交执行报告。"}
    with pytest.raises(PermissionDenied):
        permits.record_permit(world.enterprise_b, round_, status="none", today=date(2026, 3, 1))
    db.session.rollback()
    assert round_.permit_status is None


# --- carbon in scope ---------------------------------------------------------------------------------

CARBON = {"baseline_year": "2024", "baseline_t": "125000", "intensity": "0.82", "intensity_unit": "tCO2/t 熟料",
          "target_year": "2027", "target_reduction_t": "6000"}


def test_a_round_with_carbon_in_scope_holds_its_baseline_intensity_and_target(world, listed, advance, client_for):
    round_ = listed(world.ent_a)
    advance(round_, "disclosed")
    services.start_audit(world.enterprise_a, round_, on=date(2025, 4, 10), carbon_in_scope=True, today=date(2025, 4, 10))
    permits.record_carbon(world.enterprise_a, round_, **CARBON, today=date(2025, 5, 1))
    db.session.commit()
    assert (round_.carbon_baseline_year, round_.carbon_baseline_t, round_.carbon_intensity) == (2024, Decimal("125000"),
                                                                                                Decimal("0.82"))
    assert (round_.carbon_target_year, round_.carbon_target_reduction_t) == (2027, Decimal("6000"))
    page = client_for(world.regulator_a).get(f"/audits/rounds/{round_.id}").get_data(as_text=True)
    assert "基准年 2024 年排放 125000 tCO2" in page and "0.82 tCO2/t 熟料" in page and "减排 6000 tCO2/年" in page
    body = client_for(world.regulator_b).get(f"/api/v1/enterprises/{world.ent_a.uscc}/audit-status").get_json()
    assert body["current_round"]["carbon"] == {"baseline_year": 2024, "baseline_t": 125000.0, "intensity": 0.82,
                                               "intensity_unit": "tCO2/t 熟料", "target_year": 2027,
                                               "target_reduction_t": 6000.0}


def test_bad_carbon_input_names_every_field(world, listed, advance):
    round_ = listed(world.ent_a)
    advance(round_, "disclosed")
    services.start_audit(world.enterprise_a, round_, on=date(2025, 4, 10), carbon_in_scope=True, today=date(2025, 4, 10))
    with pytest.raises(InvalidFields) as err:
        permits.record_carbon(world.enterprise_a, round_, baseline_year="2024", baseline_t="-5", intensity="abc",
                              intensity_unit="", target_year="2023", target_reduction_t="0", today=date(2025, 5, 1))
    assert err.value.errors == {
        "baseline_t": "基准年二氧化碳排放量应大于 0。",
        "intensity": "碳排放强度应为数字。",
        "intensity_unit": "请填写碳排放强度的单位，例如 tCO2/t 产品。",
        "target_year": "目标年应晚于基准年（2024 年）。",
        "target_reduction_t": "二氧化碳减排目标应大于 0。",
    }
    with pytest.raises(InvalidFields) as err:
        permits.record_carbon(world.enterprise_a, round_, **{**CARBON, "target_reduction_t": "130000"},
                              today=date(2025, 5, 1))
    assert err.value.errors == {"target_reduction_t": "减排目标应小于基准年排放量。"}
    db.session.rollback()
    assert round_.carbon_baseline_t is None


def test_carbon_content_needs_carbon_in_scope(world, listed, client_for):
    round_ = listed(world.ent_a)
    with pytest.raises(ValidationError) as err:
        permits.record_carbon(world.enterprise_a, round_, **CARBON, today=date(2025, 5, 1))
    assert err.value.field == "carbon_in_scope"
    assert client_for(world.enterprise_a).get(f"/audits/rounds/{round_.id}/carbon").status_code == 404


def test_the_enterprise_records_its_permit_on_its_page_with_errors_beside_the_fields(world, listed, client_for):
    round_ = listed(world.ent_a)
    browser = client_for(world.enterprise_a)
    url = f"/audits/rounds/{round_.id}/permit"
    assert "排污许可管理条例" in browser.get(url).get_data(as_text=True)
    refused = browser.post(url, data={"status": "permit", "permit_no": "", "report_year": ""})
    assert refused.status_code == 422 and "请填写排污许可证编号或排污登记编号。" in refused.get_data(as_text=True)
    assert browser.post(url, data={"status": "permit", "permit_no": "91450100XK1", "report_year": ""}).status_code == 302
    assert round_.permit_status == "permit"
    assert client_for(world.enterprise_b).get(url).status_code == 404
    body = client_for(world.enterprise_b).get(f"/api/v1/enterprises/{world.ent_a.uscc}/audit-status").get_json()
    assert body["current_round"]["permit"] == {"status": "permit", "status_label": "已取得排污许可证",
                                               "permit_no": "91450100XK1", "report_year": None}
