"""差别化审核: the procedure chosen by rule, with its reasons; the simplified procedure's own steps,
deadline, report outline and panel; the full procedure unchanged."""
from datetime import date

import pytest
from sqlalchemy import select

from platform.audits import procedures, rules, services
from platform.audits.jobs import compliance_scan
from platform.audits.models import AuditRound, Case
from platform.core.access import SYSTEM
from platform.core.auditlog.labels import action_label
from platform.core.auditlog.models import AuditLog
from platform.core.errors import ValidationError
from platform.core.extensions import db
from platform.core.rulebook import check_overrides
from platform.enterprises.uscc import make as make_uscc
from platform.experts import services as pool
from platform.reviews import rules as review_rules
from platform.reviews import services as panels
from platform.schemes import services as scheme_services

LISTED = date(2025, 3, 1)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FAR = date(2030, 1, 1)
PLAIN = "3360"  # 金属表面处理: neither a 两高 nor a high-water industry


@pytest.fixture
def list_one(world, make_enterprise):
    """`list_one(**enterprise fields)`: a Nanning enterprise listed on 2025-03-01 by its regulator."""
    def factory(**fields):
        enterprise = make_enterprise("450100", **{"industry_code": PLAIN, **fields})
        batch = services.publish_batch(world.regulator_a, title="名单", published_on=LISTED, usccs=[enterprise.uscc],
                                       today=LISTED)
        db.session.commit()
        return batch.rounds[0]

    return factory


@pytest.mark.parametrize("fields, reason", [
    ({"two_high": True}, "两高企业（登记的“两高”项目）"),
    ({"industry_code": "3130"}, "属于“两高”行业"),
    ({"over_energy_quota": True}, "高耗能：超过单位产品能源消耗限额"),
    ({"industry_code": "2211"}, "属于高耗水行业"),
    ({"over_discharge": True}, "高排放：超标或超总量排放"),
    ({"toxic_substances": True}, "使用或排放有毒有害物质（含优先控制化学品）"),
])
def test_each_strict_criterion_gives_the_full_procedure_and_is_recorded_on_the_round(list_one, fields, reason):
    round_ = list_one(**fields)
    assert round_.procedure == "full" and not round_.combined_review
    assert round_.procedure_reasons == [reason]
    assert round_.report_due == date(2026, 3, 1)  # one year for the full procedure


def test_several_criteria_are_all_recorded(list_one):
    round_ = list_one(industry_code="2614", over_discharge=True)  # 化工: 两高 and high-water industry
    assert round_.procedure_reasons == ["属于“两高”行业", "属于高耗水行业", "高排放：超标或超总量排放"]


def test_an_enterprise_meeting_no_criterion_gets_the_simplified_procedure_with_its_shorter_deadline(list_one):
    round_ = list_one()
    assert round_.procedure == "simplified" and round_.combined_review
    assert round_.procedure_reasons == [rules.SIMPLIFIED_BASIS]
    assert (round_.disclosure_due, round_.start_due, round_.report_due) == (
        date(2025, 4, 1), date(2025, 5, 1), date(2025, 9, 1))
    assert procedures.flow_of(round_).step_labels() == [
        "列入名单", "企业信息已公开", "审核中", "报告已提交", "评估验收合并审查中", "验收合格"]


def test_the_simplified_deadline_is_configurable_within_its_bounds(app, list_one):
    app.config["RULE_OVERRIDES"] = {"audits.simplified_report_months": 9}
    try:
        assert list_one().report_due == date(2025, 12, 1)
    finally:
        app.config["RULE_OVERRIDES"] = {}
    with pytest.raises(ValueError, match="3–12"):
        check_overrides({"audits.simplified_report_months": 2})


def test_the_configured_rule_can_send_simplified_rounds_through_the_full_steps(app, list_one):
    app.config["RULE_OVERRIDES"] = {"audits.simplified_combined_review": False}
    try:
        round_ = list_one()
    finally:
        app.config["RULE_OVERRIDES"] = {}
    assert round_.procedure == "simplified" and not round_.combined_review
    assert procedures.flow_of(round_) is procedures.FULL


def _walk_to_report(firm, round_, reported=date(2025, 8, 20)):
    services.disclose(firm, round_, on=date(2025, 3, 20), today=date(2025, 3, 20))
    services.start_audit(firm, round_, on=date(2025, 4, 10), today=date(2025, 4, 10))
    services.submit_report(firm, round_, on=reported, data=PDF, filename="简化审核报告.pdf",
                           today=reported)
    db.session.commit()


@pytest.fixture
def firm_user(make_user):
    """The enterprise's own account for a round (made once per enterprise)."""
    users = {}

    def of(round_):
        if round_.enterprise_id not in users:
            users[round_.enterprise_id] = make_user("enterprise", enterprise=round_.enterprise)
        return users[round_.enterprise_id]

    return of


@pytest.fixture
def experts_for(app):
    """`experts_for(industry, n)`: n approved experts of the industry, each with a login."""
    counter = iter(range(1, 10**6))

    def make(industry: str, n: int):
        made = []
        for _ in range(n):
            k = next(counter)
            raw = {"name": f"简化评审专家{k:02d}", "title": "高级工程师", "employer": f"测试研究院{k:02d}",
                   "employer_uscc": make_uscc("450300", 610000 + k, "1", "2"), "industry_codes": industry,
                   "fields": "表面处理、废水治理", "qualifications": "注册环保工程师", "years_of_practice": "12",
                   "phone": "13912345678", "email": f"e{k}@example.com"}
            made.append(pool.create_by_operator(raw, username=f"simple-expert-{k}", password="Passw0rd-test",
                                                status="approved", reason="测试"))
        db.session.commit()
        return made

    return make


def _score_all(panel, points: float):
    share = {item.code: str(round(item.max_points * points / 100, 1)) for item in review_rules.ITEMS[panel.stage]}
    for member in panel.active_members:
        panels.submit_scores(member.expert.user, member, points=share, opinion="简化审核报告规范，方案已实施。", sign=True,
                             today=date(2025, 10, 10))
    db.session.commit()


def test_a_simplified_round_goes_through_its_own_steps_to_the_end(world, list_one, firm_user, experts_for):
    experts_for("33", 4)
    round_ = list_one()
    _walk_to_report(firm_user(round_), round_)
    services.begin_evaluation(world.regulator_a, round_, on=date(2025, 9, 10), today=FAR)
    db.session.commit()
    assert round_.state == "review" and round_.evaluation_started_on == date(2025, 9, 10)
    assert scheme_services.is_frozen(round_)  # what the panel reviews stays as it is

    # One panel, of the combined review's fixed size, reviews evaluation and acceptance at once.
    panel = panels.draw_panel(world.regulator_a, round_, seed=11, today=date(2025, 9, 12))
    db.session.commit()
    assert (panel.stage, panel.size, len(panel.active_members)) == ("review", 3, 3)
    _score_all(panel, 82)
    panels.conclude(world.regulator_a, panel, on=date(2025, 10, 12), today=FAR)
    db.session.commit()

    assert round_.state == "accepted" and not round_.is_open
    assert (round_.evaluation_concluded_on, round_.acceptance_concluded_on) == (date(2025, 10, 12), date(2025, 10, 12))
    assert round_.acceptance_due is None and round_.next_round_due is None
    assert [e.to_state for e in round_.events] == ["listed", "disclosed", "auditing", "report_submitted", "review",
                                                   "accepted"]
    assert "合格" in round_.events[-1].note
    assert [s["done"] for s in procedures.progress(round_)] == [True] * 5 + [False]
    assert procedures.progress(round_)[-1]["current"]
    logged = db.session.scalars(select(AuditLog.action).where(AuditLog.object_id == str(round_.id))).all()
    assert {"round.review", "round.accepted"} <= set(logged)
    assert action_label("round.review") == "审核轮次：进入评估验收合并审查（简化程序）"


def test_a_failed_combined_review_sends_the_firm_back_to_its_report_and_opens_a_case(world, list_one, firm_user):
    round_ = list_one()
    _walk_to_report(firm_user(round_), round_)
    services.begin_evaluation(world.regulator_a, round_, on=date(2025, 9, 10), today=FAR)
    with pytest.raises(ValidationError, match="须写明理由"):
        services.conclude_review(world.regulator_a, round_, on=date(2025, 10, 1), passed=False, today=FAR)
    services.conclude_review(world.regulator_a, round_, on=date(2025, 10, 1), passed=False,
                             opinion="物料平衡数据不全。", today=FAR)
    db.session.commit()
    assert round_.state == "review_failed"
    report = compliance_scan(date(2025, 10, 2))
    assert report.opened["review_failed"] == 1
    # The revised report goes back to a combined review, which passes: the case closes at the next scan.
    services.submit_report(firm_user(round_), round_, on=date(2025, 11, 1), data=PDF, filename="修改稿.pdf",
                           today=date(2025, 11, 1))
    services.begin_evaluation(world.regulator_a, round_, on=date(2025, 11, 5), today=FAR)
    services.conclude_review(world.regulator_a, round_, on=date(2025, 11, 20), passed=True, today=FAR)
    db.session.commit()
    assert round_.state == "accepted"
    compliance_scan(date(2025, 11, 21))
    case = db.session.scalar(select(Case).where(Case.round_id == round_.id))
    assert (case.cause, case.state) == ("review_failed", "closed")


def test_a_simplified_round_has_no_separate_evaluation_or_acceptance_step(world, list_one, firm_user):
    round_ = list_one()
    _walk_to_report(firm_user(round_), round_)
    services.begin_evaluation(world.regulator_a, round_, on=date(2025, 9, 10), today=FAR)
    with pytest.raises(ValidationError, match="简化审核程序（评估验收合并），没有“记录评估结论”这一步"):
        services.conclude_evaluation(world.regulator_a, round_, on=date(2025, 10, 1), passed=True, today=FAR)
    with pytest.raises(ValidationError, match="没有“申请验收”这一步"):
        services.request_acceptance(firm_user(round_), round_, on=date(2025, 10, 1), today=date(2025, 10, 1))
    assert round_.state == "review"


def test_a_full_round_still_goes_through_evaluation_then_acceptance(world, listed, advance):
    round_ = advance(listed(world.ent_a), "accepted")  # 钢铁: a 两高 industry
    assert round_.procedure == "full"
    assert [e.to_state for e in round_.events] == list(procedures.FULL.steps)
    with pytest.raises(ValidationError, match="没有“记录评估验收结论”这一步"):
        services.conclude_review(world.regulator_a, listed(world.ent_a, date(2027, 1, 4)), on=date(2027, 1, 5),
                                 passed=True, today=FAR)


def test_panel_size_follows_the_procedure(world, list_one, listed, advance, firm_user, experts_for):
    experts_for("33", 5)
    experts_for("31", 5)
    simple = list_one()
    _walk_to_report(firm_user(simple), simple)
    services.begin_evaluation(world.regulator_a, simple, on=date(2025, 9, 10), today=FAR)
    db.session.commit()
    with pytest.raises(ValidationError, match="评估验收（合并）专家组人数应为 3 人"):
        panels.draw_panel(world.regulator_a, simple, size=4, today=date(2025, 9, 12))
    db.session.rollback()
    full = advance(listed(world.ent_a), "evaluation")
    panel = panels.draw_panel(world.regulator_a, full, size=5, today=date(2026, 3, 10))
    assert (panel.stage, panel.size) == ("evaluation", 5)
    assert panels.panel_sizes("review") == (3, 3) and panels.panel_sizes("evaluation") == (3, 7)


def test_the_combined_panel_size_is_configurable(app):
    app.config["RULE_OVERRIDES"] = {"reviews.combined_panel_size": 4}
    try:
        assert panels.panel_sizes("review") == (4, 4)
    finally:
        app.config["RULE_OVERRIDES"] = {}
    with pytest.raises(ValueError):
        check_overrides({"reviews.combined_panel_size": 2})


def test_each_procedure_has_its_report_outline_to_download(client):
    full = client.get("/audits/report-outline/full.md")
    simple = client.get("/audits/report-outline/simplified.md")
    assert full.status_code == simple.status_code == 200
    full_text, simple_text = full.get_data(as_text=True), simple.get_data(as_text=True)
    assert "## 第七章 持续清洁生产" in full_text and "## 第二章 预审核" in full_text
    assert "## 第一章 审核准备与预审核" in simple_text and "第五章" not in simple_text
    assert client.get("/audits/report-outline/other.md").status_code == 404


def test_the_rules_page_shows_the_procedure_rules(client):
    page = client.get("/rules").get_data(as_text=True)
    for text in ("评估验收合并", "简化审核程序：名单公布后完成审核并报送审核报告的期限", "环环评〔2021〕45号",
                 "简化审核程序评估验收合并审查的专家组人数", "视同开展清洁生产审核"):
        assert text in page


def test_the_round_the_firm_and_the_public_pages_show_the_procedure_and_its_steps(world, make_enterprise, make_user,
                                                                                client, client_for):
    enterprise = make_enterprise("450100", industry_code=PLAIN, name="南宁丙表面处理有限公司")
    own = make_user("enterprise", enterprise=enterprise)
    batch = services.publish_batch(world.regulator_a, title="名单", published_on=LISTED, usccs=[enterprise.uscc],
                                   today=LISTED)
    db.session.commit()
    round_ = batch.rounds[0]
    regulator_page = client_for(world.regulator_a).get(f"/audits/rounds/{round_.id}").get_data(as_text=True)
    firm_page = client_for(own).get("/audits/mine").get_data(as_text=True)
    public_page = client.get(f"/audit-status/{enterprise.uscc}").get_data(as_text=True)
    for page in (regulator_page, firm_page, public_page):
        assert "简化审核程序（评估验收合并）" in page and "评估验收合并审查中" in page
        assert "/audits/report-outline/simplified.md" in page
    for page in (regulator_page, firm_page):
        assert rules.SIMPLIFIED_BASIS in page
    api = client.get(f"/api/v1/enterprises/{enterprise.uscc}/audit-status").get_json()["current_round"]
    assert api["procedure"] == "simplified" and [s["state"] for s in api["steps"]] == list(procedures.COMBINED.steps)
    assert api["steps"][0]["current"]


def test_the_simplified_report_deadline_opens_its_case_sooner(world, list_one):
    round_ = list_one()
    assert compliance_scan(date(2025, 9, 1)).opened["report_overdue"] == 0
    assert compliance_scan(date(2025, 9, 2)).opened["report_overdue"] == 1
    assert db.session.scalar(select(AuditRound.report_due).where(AuditRound.id == round_.id)) == date(2025, 9, 1)
