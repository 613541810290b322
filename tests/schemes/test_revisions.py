"""Schemes after the audit report (security finding 8): frozen from the report's submission on,
changed only by a revision a regulator of the enterprise's region approves (the replaced version
kept), progress the enterprise reports within bounds, and implausible figures held out of every
statistic until a regulator confirms them (platform/schemes/review.py, platform/schemes/rules.py)."""
from datetime import date
from decimal import Decimal as D

import pytest
from flask import current_app
from sqlalchemy import func, select

from platform.core.auditlog.models import AuditLog
from platform.core.errors import PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.schemes import services
from platform.schemes.importer import import_schemes
from platform.schemes.models import Scheme, SchemeTotals
from platform.stats import services as stats
from platform.stats.services import Filters
from tests.schemes.builders import TODAY, drive
from tests.schemes.test_import import csv_file, rows_for
from platform.core.access import SYSTEM

VALID = {"code": "W01", "name": "空压机变频改造", "category": "无/低费", "status": "已完成",
         "completed_on": date(2025, 6, 30), "investment_wan_yuan": "12.5", "energy_tce": "30.25",
         "vocs_t": "2", "economic_benefit_wan_yuan": "8"}
PLANNED = {**VALID, "code": "Z01", "name": "储罐油气回收", "category": "中/高费", "status": "计划实施",
           "completed_on": None, "investment_wan_yuan": "300", "vocs_t": "40"}


def submitted(world, started, *schemes_raw):
    """Enterprise A's round with its schemes entered during the audit, then its report submitted."""
    round_ = started(world.ent_a)
    entered = [services.create(world.enterprise_a, round_, raw, today=TODAY) for raw in schemes_raw or (VALID,)]
    db.session.commit()
    drive(round_, "report_submitted")
    return round_, entered


def logged(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def vocs(filters=Filters(), which="reported") -> D:
    return stats.summary(SYSTEM, filters)["reductions"]["vocs_t"][which]


# --- (a) the freeze ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["report_submitted", "evaluation_passed", "accepted"])
def test_the_enterprise_cannot_edit_or_delete_a_scheme_once_the_report_is_submitted(world, started, state):
    round_, (scheme,) = submitted(world, started)
    drive(round_, state)
    with pytest.raises(ValidationError) as exc:
        services.update(world.enterprise_a, scheme, {"vocs_t": "9999"}, today=TODAY)
    assert "方案已冻结" in exc.value.message and "修订申请" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        services.delete_scheme(world.enterprise_a, scheme)
    assert "方案已冻结" in exc.value.message
    with pytest.raises(ValidationError):
        services.create(world.enterprise_a, round_, {**VALID, "code": "W09"}, today=TODAY)
    db.session.rollback()
    assert db.session.get(Scheme, scheme.id).vocs_t == D("2")
    assert db.session.scalar(select(func.count(Scheme.id))) == 1


def test_the_edit_and_delete_pages_refuse_after_the_report_too(world, started, client_for):
    _round, (scheme,) = submitted(world, started)
    client = client_for(world.enterprise_a)
    form = {"code": "W01", "name": "空压机变频改造", "category": "low_cost", "status": "completed",
            "completed_on": "2025-06-30", "vocs_t": "9999"}
    response = client.post(f"/schemes/{scheme.id}/edit", data=form)
    assert response.status_code == 422 and "方案已冻结" in response.get_data(as_text=True)
    assert client.get(f"/schemes/{scheme.id}/edit").headers["Location"].endswith(f"/schemes/{scheme.id}/revise")
    client.post(f"/schemes/{scheme.id}/delete")
    db.session.expire_all()
    scheme = db.session.get(Scheme, scheme.id)
    assert scheme is not None and scheme.vocs_t == D("2")


def test_importing_into_a_frozen_round_changes_nothing_but_an_unchanged_row_is_no_change(world, started):
    round_ = started(world.ent_a)
    import_schemes(SYSTEM, csv_file(rows_for(world)[:2]), "方案.csv")
    db.session.commit()
    drive(round_, "report_submitted")
    assert import_schemes(SYSTEM, csv_file(rows_for(world)[:2]), "方案.csv").unchanged == 2
    changed = rows_for(world)[:2]
    changed[0][12] = 9999  # VOCs of W01
    changed.append([world.ent_a.uscc, "W09", "新增方案", "无低费", 1, "计划", "", *[0] * 9])
    report = import_schemes(world.enterprise_a, csv_file(changed), "方案.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert all("方案已冻结" in reason for _row, _column, reason in report.errors) and len(report.errors) == 2
    assert db.session.scalar(select(func.count(Scheme.id))) == 2


# --- (a) revisions ---------------------------------------------------------------------------------------

def test_a_revision_is_pending_until_a_regulator_approves_it_and_the_evaluated_version_is_kept(world, started,
                                                                                               client_for):
    from platform.schemes import review

    round_, (scheme,) = submitted(world, started)
    drive(round_, "evaluation_passed")
    revision = review.request_change(world.enterprise_a, scheme, {"energy_tce": "45", "vocs_t": "3"},
                                     "复核计量数据：节能量按实测更正。", today=TODAY)
    db.session.commit()
    assert revision.state == "pending"
    assert (scheme.energy_tce, scheme.vocs_t) == (D("30.25"), D("2"))  # nothing changes while it waits
    assert db.session.get(SchemeTotals, round_.id).energy_tce_e4 == 302500
    with pytest.raises(ValidationError) as exc:  # one request at a time
        review.request_change(world.enterprise_a, scheme, {"energy_tce": "50"}, "再改", today=TODAY)
    assert "待审核" in exc.value.message
    db.session.rollback()

    review.decide(world.regulator_a, revision, approve=True, note="监测报告支持。", today=TODAY)
    db.session.commit()
    assert (scheme.energy_tce, scheme.vocs_t) == (D("45"), D("3"))
    assert db.session.get(SchemeTotals, round_.id).energy_tce_e4 == 450000
    assert services.totals_mismatches() == []
    assert revision.state == "approved" and revision.decided_by_id == world.regulator_a.id
    assert revision.requested_by_id == world.enterprise_a.id and revision.decided_at is not None
    assert revision.before["energy_tce"] == "30.25" and revision.after["energy_tce"] == "45"
    assert [a.action for a in logged("scheme.revision_request") + logged("scheme.revision_approve")] == [
        "scheme.revision_request", "scheme.revision_approve"]
    page = client_for(world.enterprise_a).get(f"/schemes/{scheme.id}").get_data(as_text=True)
    assert "修订记录" in page and "复核计量数据" in page and "30.25 → 45" in page


def test_a_rejected_revision_changes_nothing_and_needs_a_reason(world, started):
    from platform.schemes import review

    _round, (scheme,) = submitted(world, started)
    revision = review.request_change(world.enterprise_a, scheme, {"vocs_t": "9999"}, "更正", today=TODAY)
    with pytest.raises(ValidationError) as exc:
        review.decide(world.regulator_a, revision, approve=False, note="")
    assert exc.value.field == "note"
    review.decide(world.regulator_a, revision, approve=False, note="无监测数据支持。")
    assert revision.state == "rejected" and scheme.vocs_t == D("2")


def test_another_citys_regulator_cannot_approve(world, started, client_for):
    from platform.schemes import review

    _round, (scheme,) = submitted(world, started)
    revision = review.request_change(world.enterprise_a, scheme, {"vocs_t": "9999"}, "更正", today=TODAY)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        review.decide(world.regulator_b, revision, approve=True)
    response = client_for(world.regulator_b).post(f"/schemes/revisions/{revision.id}", data={"decision": "approve"})
    assert response.status_code == 404  # another city's request reads as missing
    db.session.expire_all()
    assert revision.state == "pending" and db.session.get(Scheme, scheme.id).vocs_t == D("2")
    assert revision not in list(db.session.scalars(review.pending_revisions(world.regulator_b)))
    assert revision in list(db.session.scalars(review.pending_revisions(world.regulator_a)))
    review.decide(world.province, revision, approve=True)  # the province's regulator may
    assert revision.state == "approved"


def test_the_enterprise_cannot_approve_its_own_revision_nor_can_an_admin(world, started, client_for):
    from platform.schemes import review

    _round, (scheme,) = submitted(world, started)
    revision = review.request_change(world.enterprise_a, scheme, {"vocs_t": "9999"}, "更正", today=TODAY)
    db.session.commit()
    for someone in (world.enterprise_a, world.admin):
        with pytest.raises(PermissionDenied):
            review.decide(someone, revision, approve=True)
    response = client_for(world.enterprise_a).post(f"/schemes/revisions/{revision.id}", data={"decision": "approve"})
    assert response.status_code == 403
    db.session.expire_all()
    assert revision.state == "pending" and db.session.get(Scheme, scheme.id).vocs_t == D("2")


def test_a_revision_needs_a_reason_and_the_freeze(world, started):
    from platform.schemes import review

    round_ = started(world.ent_a)
    scheme = services.create(world.enterprise_a, round_, VALID, today=TODAY)
    with pytest.raises(ValidationError) as exc:  # during the audit, the scheme is simply edited
        review.request_change(world.enterprise_a, scheme, {"vocs_t": "3"}, "更正", today=TODAY)
    assert "可直接修改" in exc.value.message
    db.session.commit()
    drive(round_, "report_submitted")
    with pytest.raises(ValidationError) as exc:
        review.request_change(world.enterprise_a, scheme, {"vocs_t": "3"}, "  ", today=TODAY)
    assert exc.value.field == "reason"
    with pytest.raises(PermissionDenied):
        review.request_change(world.enterprise_b, scheme, {"vocs_t": "3"}, "更正", today=TODAY)


def test_a_withdrawal_marks_the_scheme_withdrawn_once_approved_and_never_deletes_it(world, started):
    from platform.schemes import review

    round_, (scheme, other) = submitted(world, started, VALID, PLANNED)
    revision = review.request_withdrawal(world.enterprise_a, scheme, "该方案系重复填报。")
    assert scheme.withdrawn_at is None and db.session.get(SchemeTotals, round_.id).schemes_total == 2
    review.decide(world.regulator_a, revision, approve=True)
    db.session.commit()
    assert scheme.withdrawn_at is not None and db.session.get(Scheme, scheme.id) is not None
    totals = db.session.get(SchemeTotals, round_.id)
    assert (totals.schemes_total, totals.energy_tce_e4) == (1, 0)
    assert revision.before["code"] == "W01"
    with pytest.raises(ValidationError):
        review.request_change(world.enterprise_a, scheme, {"vocs_t": "3"}, "更正", today=TODAY)


def test_a_new_scheme_after_the_report_is_added_only_once_approved(world, started, client_for):
    from platform.schemes import review

    round_, _ = submitted(world, started)
    client = client_for(world.enterprise_a)
    form = {"code": "W05", "name": "照明改造", "category": "low_cost", "status": "planned", "vocs_t": "0",
            "reason": "评估专家建议补充。"}
    assert client.post("/schemes/new", data=form).status_code == 302
    assert db.session.scalar(select(func.count(Scheme.id))) == 1
    revision = db.session.scalars(review.pending_revisions(world.regulator_a)).one()
    assert revision.kind == "create"
    response = client_for(world.regulator_a).post(f"/schemes/revisions/{revision.id}",
                                                  data={"decision": "approve", "note": "同意"})
    assert response.status_code == 302
    db.session.expire_all()
    added = db.session.scalar(select(Scheme).where(Scheme.code == "W05"))
    assert added is not None and added.round_id == round_.id and revision.scheme_id == added.id


# --- (a) progress -----------------------------------------------------------------------------------------

def test_progress_is_the_enterprises_own_but_only_forward_and_not_while_a_panel_reviews(world, started):
    from platform.schemes import review

    round_, (done, planned) = submitted(world, started, VALID, PLANNED)
    entry = review.report_progress(world.enterprise_a, planned, {"status": "实施中"}, today=TODAY)
    assert planned.status == "implementing" and entry.state == "applied" and entry.before == {"status": "planned"}
    with pytest.raises(ValidationError):  # a completed scheme changes by revision only
        review.report_progress(world.enterprise_a, done, {"status": "已完成", "completed_on": date(2026, 5, 1),
                                                          "vocs_t": "4"}, today=TODAY)
    db.session.commit()
    drive(round_, "evaluation")
    with pytest.raises(ValidationError) as exc:
        review.report_progress(world.enterprise_a, planned, {"status": "已完成", "completed_on": date(2026, 5, 1)},
                               today=TODAY)
    assert "评估中" in exc.value.message
    with pytest.raises(PermissionDenied):
        review.report_progress(world.regulator_a, planned, {"status": "已完成"}, today=TODAY)


def test_completion_results_within_the_factor_count_and_beyond_it_wait_for_review(world, started):
    from platform.schemes import review

    round_, (_done, planned) = submitted(world, started, VALID, PLANNED)
    drive(round_, "evaluation_passed")
    base = vocs()
    review.report_progress(world.enterprise_a, planned, {"status": "已完成", "completed_on": date(2026, 6, 1),
                                                         "investment_wan_yuan": "320", "vocs_t": "75"}, today=TODAY)
    db.session.commit()
    assert planned.review_status is None and vocs() == base + D("75")  # under twice the evaluated 40 t
    revision = review.request_new(world.enterprise_a, round_, {**PLANNED, "code": "Z02", "vocs_t": "10"}, "补充方案",
                                  today=TODAY)
    review.decide(world.regulator_a, revision, approve=True)
    added = revision.scheme
    review.report_progress(world.enterprise_a, added, {"status": "已完成", "completed_on": date(2026, 6, 1),
                                                        "investment_wan_yuan": "300", "vocs_t": "90"}, today=TODAY)
    db.session.commit()
    assert added.review_status == "pending" and "vocs_t" in added.review_reasons
    assert vocs() == base + D("75")  # 90 t against an evaluated 10 t waits
    review.review_figures(world.regulator_a, added, confirm=True, note="现场核查属实。")
    assert vocs() == base + D("165")


def test_completion_reported_after_acceptance_is_counted_only_once_a_regulator_confirms(world, started):
    from platform.schemes import review

    round_, (_done, planned) = submitted(world, started, VALID, PLANNED)
    drive(round_, "accepted")
    before = vocs(which="verified")
    review.report_progress(world.enterprise_a, planned, {"status": "已完成", "completed_on": date(2026, 11, 20),
                                                         "investment_wan_yuan": "300", "vocs_t": "40"}, today=TODAY)
    db.session.commit()
    assert planned.review_status == "pending" and "status" in planned.review_reasons and not planned.verified
    assert vocs(which="verified") == before
    review.review_figures(world.regulator_a, planned, confirm=True)
    assert planned.verified and vocs(which="verified") == before + D("40")


# --- (b) implausible figures --------------------------------------------------------------------------------

def test_an_outlier_is_not_in_the_statistics_until_a_regulator_confirms_it(world, started):
    round_ = started(world.ent_a)
    scheme = services.create(world.enterprise_a, round_, {**VALID, "vocs_t": "9999"}, today=TODAY)
    db.session.commit()
    city = Filters(city=world.ent_a.city_code)
    assert vocs(city) == D("0")  # accepted, but held out of every figure
    assert stats.summary(SYSTEM, city)["schemes_under_review"] == 1
    assert stats.summary(SYSTEM, city)["investment_wan_yuan"] == D("0")
    drive(round_, "accepted")
    province = stats.summary(SYSTEM, Filters())["reductions"]["vocs_t"]
    assert (province["verified"], province["period_verified"], province["progress"]) == (D("0"), D("0"), D("0"))

    from platform.schemes import review

    assert scheme.review_status == "pending" and "9999" in scheme.review_reasons["vocs_t"]
    review.review_figures(world.regulator_a, scheme, confirm=True, note="在线监测数据支持。")
    db.session.commit()
    province = stats.summary(SYSTEM, Filters())["reductions"]["vocs_t"]
    assert (province["verified"], province["period_verified"]) == (D("9999"), D("9999"))
    assert stats.summary(SYSTEM, city)["schemes_under_review"] == 0
    assert logged("scheme.review_flag") and logged("scheme.review_confirm")[0].actor_id == world.regulator_a.id
    assert services.totals_mismatches() == []


def test_a_rejected_outlier_stays_out_until_the_enterprise_corrects_it(world, started):
    from platform.schemes import review

    round_ = started(world.ent_a)
    scheme = services.create(world.enterprise_a, round_, {**VALID, "vocs_t": "9999"}, today=TODAY)
    db.session.commit()
    drive(round_, "report_submitted")
    with pytest.raises(PermissionDenied):
        review.review_figures(world.regulator_b, scheme, confirm=True)
    with pytest.raises(PermissionDenied):
        review.review_figures(world.enterprise_a, scheme, confirm=True)
    review.review_figures(world.regulator_a, scheme, confirm=False, note="单位错误，应为 kg。")
    assert scheme.review_status == "rejected" and vocs() == D("0")
    revision = review.request_change(world.enterprise_a, scheme, {"vocs_t": "9.999"}, "单位更正", today=TODAY)
    review.decide(world.regulator_a, revision, approve=True)
    assert scheme.review_status is None and vocs() == D("9.999")


def test_an_import_above_a_ceiling_is_accepted_but_held_for_review(world, started):
    started(world.ent_a)
    row = rows_for(world)[0]
    row[12] = 9999  # VOCs
    report = import_schemes(SYSTEM, csv_file([row]), "方案.csv")
    assert report.created == 1
    scheme = db.session.scalar(select(Scheme))
    assert scheme.vocs_t == D("9999") and scheme.review_status == "pending"
    assert vocs() == D("0")


def test_the_regulators_list_of_figures_to_review_keeps_to_their_region(world, started, client_for):
    round_a = started(world.ent_a)
    scheme_a = services.create(world.enterprise_a, round_a, {**VALID, "vocs_t": "9999", "name": "南宁异常方案"},
                               today=TODAY)
    services.create(world.enterprise_b, started(world.ent_b), {**VALID, "nh3n_t": "5000", "name": "柳州异常方案"},
                    today=TODAY)
    db.session.commit()
    page = client_for(world.regulator_a).get("/schemes/review").get_data(as_text=True)
    assert "南宁异常方案" in page and "柳州异常方案" not in page and "超过单个方案的合理上限" in page
    page = client_for(world.province).get("/schemes/review").get_data(as_text=True)
    assert "南宁异常方案" in page and "柳州异常方案" in page
    assert client_for(world.regulator_b).post(f"/schemes/{scheme_a.id}/review",
                                              data={"decision": "confirm"}).status_code == 404
    assert client_for(world.regulator_a).post(f"/schemes/{scheme_a.id}/review",
                                              data={"decision": "reject", "note": ""}).status_code == 422
    assert client_for(world.regulator_a).post(f"/schemes/{scheme_a.id}/review",
                                              data={"decision": "confirm", "note": "属实"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Scheme, scheme_a.id).review_status == "confirmed"
    assert "南宁异常方案" not in client_for(world.regulator_a).get("/schemes/review").get_data(as_text=True)


def test_the_ceilings_are_local_practice_rules_configurable_by_rule_overrides(world, started, client):
    from platform.core.rulebook import check_overrides

    round_ = started(world.ent_a)
    current_app.config["RULE_OVERRIDES"] = {"schemes.max_vocs_t": 1}
    try:
        held = services.create(world.enterprise_a, round_, {**VALID, "vocs_t": "2"}, today=TODAY)
        assert vocs() == D("0") and held.review_status == "pending"
        current_app.config["RULE_OVERRIDES"] = {"schemes.max_vocs_t": 20000}
        counted = services.create(world.enterprise_a, round_, {**VALID, "code": "W02", "vocs_t": "9999"}, today=TODAY)
        assert counted.review_status is None and vocs() == D("9999")
    finally:
        current_app.config["RULE_OVERRIDES"] = {}
    with pytest.raises(ValueError):
        check_overrides({"schemes.max_vocs_t": -1})
    body = {i["key"]: i for i in client.get("/api/v1/rules").get_json()["items"]}
    assert body["schemes.max_vocs_t"]["value"] == 500 and body["schemes.max_vocs_t"]["kind"] == "local_practice"
