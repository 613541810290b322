"""Panels: who is left out and why, the recorded and replayable draw, replacements, scoring, the conclusion."""
from datetime import date
from decimal import Decimal

import pytest
from expert_helpers import EMAIL, FAR, PHONE, REVIEW_DAY
from sqlalchemy import func, select
from flask import current_app

from platform.audits import services as audits
from platform.audits.models import Case
from platform.enterprises.uscc import make as make_uscc
from platform.core.errors import PermissionDenied, ValidationError
from platform.experts import engagements, services
from platform.reviews import services as panels
from platform.reviews import rules
from platform.experts.models import ServiceEngagement
from platform.reviews.models import Panel, PanelDraw, PanelExclusion, PanelMember, PanelRequest
from platform.core.extensions import db


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def steel_pool(make_expert):
    """Five experts who may sit on a 31 (steel) round, and one of another industry."""
    experts = [make_expert(f"钢铁专家{i}", industries="31", employer=f"单位{i}") for i in range(1, 6)]
    make_expert("化工专家", industries="26")
    return experts


# --- who may sit ---------------------------------------------------------------------------------------

def test_every_kind_of_conflict_is_excluded_with_its_reason(world, under_review, make_expert, make_org, steel_pool):
    round_ = under_review(world.ent_a)
    org = make_org("南宁绿源咨询有限公司", username=world.service_org.username)
    engagements.confirm(world.service_org, engagements.propose(world.enterprise_a, round_, org.id, reason="补登"))
    engagements.review(world.regulator_a, db.session.scalar(select(ServiceEngagement)), approve=True)
    same_employer = make_expert("同单位", employer_uscc=world.ent_a.uscc)
    org_staff = make_expert("咨询公司员工", employer_uscc=org.uscc)
    declared_enterprise = make_expert("申报企业冲突", conflicts=[world.ent_a.uscc])
    declared_org = make_expert("申报机构冲突", conflicts=[org.uscc])
    pending = make_expert("待审", status="pending")
    suspended = make_expert("暂停", status="suspended")
    retired = make_expert("退出", status="retired")
    panel = panels.draw_panel(world.regulator_a, round_, size=5, today=REVIEW_DAY)
    db.session.commit()
    reasons = {x.expert.name: x.reason for x in panel.draws[0].exclusions}
    assert reasons == {"同单位": "same_employer", "咨询公司员工": "service_org", "申报企业冲突": "declared",
                       "申报机构冲突": "declared", "待审": "pending", "暂停": "suspended", "退出": "retired",
                       "化工专家": "specialty"}
    assert sorted(m.expert.name for m in panel.members) == sorted(e.name for e in steel_pool)
    conflicted = {e.id for e in (same_employer, org_staff, declared_enterprise, declared_org, pending, suspended, retired)}
    assert not conflicted & {m.expert_id for m in panel.members}
    assert panel.draws[0].candidate_ids == sorted(panel.draws[0].candidate_ids)


def test_a_pool_too_small_for_a_conflict_free_panel_gets_a_clear_message_and_no_panel(world, under_review, make_expert,
                                                                                      client_for):
    round_ = under_review(world.ent_a)
    make_expert("甲", industries="31")
    make_expert("乙", industries="31")
    make_expert("同单位", industries="31", employer_uscc=world.ent_a.uscc)
    make_expert("化工", industries="26")
    with pytest.raises(ValidationError) as error:
        panels.draw_panel(world.regulator_a, round_, size=3, today=REVIEW_DAY)
    assert error.value.message.startswith("符合条件的专家只有 2 名，不足以组成 3 人的评估专家组")
    assert "与被审核企业为同一单位 1 名" in error.value.message and "专业领域与企业行业不符 1 名" in error.value.message
    db.session.rollback()
    response = client_for(world.regulator_a).post(f"/reviews/rounds/{round_.id}/draw", data={"size": "3"})
    assert response.status_code == 422 and "不足以组成 3 人的评估专家组" in response.get_data(as_text=True)
    assert (count(Panel), count(PanelDraw), count(PanelMember), count(PanelExclusion)) == (0, 0, 0, 0)


def test_a_city_regulator_draws_only_for_its_own_citys_rounds(world, under_review, steel_pool, client_for):
    round_ = under_review(world.ent_a)
    other_city = client_for(world.regulator_b)
    assert other_city.get(f"/reviews/rounds/{round_.id}/draw").status_code == 404
    assert other_city.post(f"/reviews/rounds/{round_.id}/draw", data={"size": "3"}).status_code == 404
    with pytest.raises(PermissionDenied):
        panels.draw_panel(world.regulator_b, round_, today=REVIEW_DAY)
    assert count(Panel) == 0
    assert round_.id not in [r.id for r in panels.rounds_awaiting_panel(world.regulator_b)]
    assert round_.id in [r.id for r in panels.rounds_awaiting_panel(world.province)]
    response = client_for(world.regulator_a).post(f"/reviews/rounds/{round_.id}/draw",
                                                   data={"size": "4", "meeting_on": "2026-03-20", "location": "南宁"})
    assert response.status_code == 302
    panel = db.session.scalar(select(Panel))
    assert panel.size == 4 and len(panel.members) == 4 and panel.meeting_on == date(2026, 3, 20)
    assert client_for(world.regulator_b).get(f"/reviews/{panel.id}/manage").status_code == 403


def test_panels_are_drawn_only_for_rounds_under_review_and_one_at_a_time(world, listed, advance, steel_pool):
    round_ = advance(listed(world.ent_a), "report_submitted")
    with pytest.raises(ValidationError, match="只有评估中或验收中"):
        panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    audits.begin_evaluation(world.regulator_a, round_, on=date(2026, 3, 1), today=FAR)
    for size in (2, 8):
        with pytest.raises(ValidationError, match="专家组人数应为 3–7 人"):
            panels.draw_panel(world.regulator_a, round_, size=size, today=REVIEW_DAY)
    panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    with pytest.raises(ValidationError, match="已有正在评审的专家组"):
        panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)


# --- the record and its replay ------------------------------------------------------------------------

def test_replaying_a_draw_with_its_seed_gives_the_same_panel(world, under_review, make_expert, steel_pool):
    for i in range(10):
        make_expert(f"更多专家{i}", industries="31")
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, size=5, seed=2**64 - 7, today=REVIEW_DAY)
    db.session.commit()
    drawn = [m.expert_id for m in panel.members]
    record = db.session.get(PanelDraw, panel.draws[0].id)
    assert record.seed == str(2**64 - 7) and record.chosen_ids == drawn
    assert panels.replay(panel) == {1: drawn}
    assert panels.verify(panel)

    other = under_review(world.ent_b)  # the same pool, a round of the same industry, the same seed
    assert world.ent_b.industry_code == world.ent_a.industry_code
    again = panels.draw_panel(world.regulator_b, other, size=5, seed=2**64 - 7, today=REVIEW_DAY)
    assert [m.expert_id for m in again.members] == drawn

    record.chosen_ids = list(reversed(drawn))  # a tampered record no longer replays
    assert not panels.verify(panel)


def test_the_public_record_shows_a_commitment_then_seed_counts_reasons_and_names_after_the_conclusion(
        world, under_review, make_expert, steel_pool, scored, client):
    make_expert("同单位", employer_uscc=world.ent_a.uscc)
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, seed=424242, today=REVIEW_DAY)
    db.session.commit()
    page = client.get(f"/reviews/{panel.id}").get_data(as_text=True)
    assert "424242" not in page and "与被审核企业为同一单位 1 名" not in page  # sealed while the review runs
    assert panel.draws[0].commitment in page and "承诺值" in page
    member_names = [m.expert.name for m in panel.members]
    assert not any(name in page for name in member_names)  # not while the review is running
    api = client.get(f"/api/v1/reviews/{panel.id}/draw").get_json()
    assert "seed" not in api["draws"][0] and "chosen_ids" not in api["draws"][0] and api["sealed"]

    scored(panel, points=85)
    panels.conclude(world.regulator_a, panel, on=REVIEW_DAY, today=FAR)
    db.session.commit()
    page = client.get(f"/reviews/{panel.id}").get_data(as_text=True)
    assert all(name in page for name in member_names) and "random.Random(424242).sample(" in page
    assert "与被审核企业为同一单位 1 名" in page and "专业领域与企业行业不符 1 名" in page
    assert "复核一致" in page and "候选专家" in page
    api = client.get(f"/api/v1/reviews/{panel.id}/draw").get_json()
    assert api["draws"][0]["chosen_ids"] == [m.expert_id for m in panel.members] and api["outcome"] == "通过"
    assert api["draws"][0]["seed"] == "424242" and api["replay_matches"]
    for body in (page, str(api), client.get("/reviews").get_data(as_text=True)):
        assert PHONE not in body and EMAIL not in body


# --- replacements --------------------------------------------------------------------------------------

def test_a_member_who_declines_is_replaced_by_a_new_recorded_draw(world, under_review, steel_pool, client_for):
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, seed=1, today=REVIEW_DAY)
    db.session.commit()
    leaving = panel.members[0]
    response = client_for(leaving.expert.user).post(f"/reviews/{panel.id}/decline", data={"reason": "评审当日出差"})
    assert response.status_code == 302
    panel = db.session.get(Panel, panel.id)
    leaving = db.session.get(PanelMember, leaving.id)
    assert leaving.state == "declined" and leaving.declined_reason == "评审当日出差"
    replacement = leaving.replaced_by
    assert replacement.state == "active" and replacement.draw.seq == 2
    assert replacement.expert_id not in {m.expert_id for m in panel.members if m is not replacement}
    second = panel.draws[1]
    assert second.requested == 1 and second.seed != panel.draws[0].seed
    reasons = {x.expert_id: x.reason for x in second.exclusions}
    assert reasons[leaving.expert_id] == "declined"
    assert {reasons[m.expert_id] for m in panel.active_members if m is not replacement} == {"on_panel"}
    assert len(panel.active_members) == 3 and panels.verify(panel)


def test_a_decline_with_no_one_left_to_replace_writes_nothing(world, under_review, make_expert, client_for):
    for i in range(3):
        make_expert(f"仅有专家{i}")
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    db.session.commit()
    member = panel.members[0]
    response = client_for(member.expert.user).post(f"/reviews/{panel.id}/decline", data={"reason": "时间冲突"},
                                                   follow_redirects=True)
    assert "专家库中已没有可替补的专家" in response.get_data(as_text=True)
    assert db.session.get(PanelMember, member.id).state == "active" and count(PanelDraw) == 1
    # On the expert's behalf: the request is filed, and its approval finds no one either.
    client_for(world.regulator_a).post(f"/reviews/{panel.id}/decline",
                                       data={"member_id": str(member.id), "reason": "利益冲突"})
    request = db.session.scalar(select(PanelRequest))
    response = client_for(world.province).post(f"/reviews/{panel.id}/requests/{request.id}/approve", data={},
                                               follow_redirects=True)
    assert "专家库中已没有可替补的专家" in response.get_data(as_text=True)
    assert db.session.get(PanelMember, member.id).state == "active" and count(PanelDraw) == 1
    assert db.session.get(PanelRequest, request.id).state == "pending"


# --- scoring and the conclusion -------------------------------------------------------------------------

def score_form(points: dict, **extra) -> dict:
    return {**{f"points_{code}": value for code, value in points.items()}, **extra}


def full_marks(stage: str = "evaluation", scale: float = 1.0) -> dict:
    return {item.code: str(round(item.max_points * scale, 1)) for item in rules.ITEMS[stage]}


def test_the_score_form_checks_every_item_and_signing_is_final(world, under_review, steel_pool, client_for):
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    db.session.commit()
    member = panel.members[0]
    me = client_for(member.expert.user)
    assert me.get(f"/reviews/{panel.id}/score").status_code == 200
    over = me.post(f"/reviews/{panel.id}/score", data=score_form({**full_marks(), "report": "25"}, action="save"))
    assert over.status_code == 422 and "“审核报告质量”的得分应在 0–20 分之间" in over.get_data(as_text=True)
    saved = me.post(f"/reviews/{panel.id}/score", data=score_form({"process": "12.5"}, action="save"))
    assert saved.status_code == 302 and db.session.get(PanelMember, member.id).signed_at is None
    unsigned = me.post(f"/reviews/{panel.id}/score", data=score_form({"process": "12.5"}, action="sign"))
    page = unsigned.get_data(as_text=True)
    assert unsigned.status_code == 422 and "签署前须为“审核报告质量”评分" in page and "签署前须填写评审意见" in page
    signed = me.post(f"/reviews/{panel.id}/score", data=score_form(full_marks(scale=0.9), action="sign",
                                                                   vetoes=["fake_data"], opinion="数据存疑"))
    assert signed.status_code == 302
    member = db.session.get(PanelMember, member.id)
    assert member.signed_at and member.total == 90 and member.vetoes() == {"fake_data"}
    with pytest.raises(ValidationError, match="已签署"):
        panels.submit_scores(member.expert.user, member, points=full_marks(), opinion="改")
    outsider = next(e for e in steel_pool if e.id not in {m.expert_id for m in panel.members})
    assert client_for(outsider.user).get(f"/reviews/{panel.id}/score").status_code == 403


def test_a_suspended_or_newly_conflicted_member_cannot_score(world, under_review, steel_pool):
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    first, second = panel.members[0], panel.members[1]
    services.decide(world.province, first.expert, "suspend", "违反评审纪律")
    with pytest.raises(PermissionDenied, match="已暂停"):
        panels.submit_scores(first.expert.user, first, points=full_marks(), opinion="同意", sign=True)
    services.declare_conflict(second.expert.user, second.expert, uscc=world.ent_a.uscc)
    with pytest.raises(ValidationError, match="利益冲突"):
        panels.submit_scores(second.expert.user, second, points=full_marks(), opinion="同意", sign=True)


def test_the_conclusion_waits_for_every_signature_then_follows_the_mean_and_the_pass_mark(
        world, under_review, steel_pool, scored):
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    first, *others = panel.active_members
    panels.submit_scores(first.expert.user, first, points=full_marks(scale=0.7), opinion="基本符合要求", sign=True)
    with pytest.raises(ValidationError, match="尚有 2 名专家未签署"):
        panels.conclude(world.regulator_a, panel, on=REVIEW_DAY, today=FAR)
    for member in others:  # 70 + 70 + 70 = a mean of exactly 70: the pass mark
        panels.submit_scores(member.expert.user, member, points=full_marks(scale=0.7), opinion="同意通过", sign=True)
    with pytest.raises(PermissionDenied):
        panels.conclude(world.regulator_b, panel, on=REVIEW_DAY, today=FAR)
    panels.conclude(world.regulator_a, panel, on=REVIEW_DAY, opinion="建议加快中/高费方案实施。", today=FAR)
    db.session.commit()
    assert panel.state == "concluded" and panel.passed and panel.mean_total == 70 and panel.outcome_label == "通过"
    assert round_.state == "evaluation_passed" and round_.evaluation_concluded_on == REVIEW_DAY
    assert "评分均值 70.00 分" in round_.events[-1].note and "建议加快" in round_.events[-1].note


def test_one_veto_fails_the_review_whatever_the_score_and_the_round_goes_back(world, under_review, steel_pool,
                                                                             scored):
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    first, *others = panel.active_members
    panels.submit_scores(first.expert.user, first, points=full_marks(), vetoes=["fake_data"], opinion="物料平衡数据造假",
                         sign=True)
    for member in others:
        panels.submit_scores(member.expert.user, member, points=full_marks(), opinion="很好", sign=True)
    panels.conclude(world.regulator_a, panel, on=REVIEW_DAY, today=FAR)
    db.session.commit()
    assert not panel.passed and panel.mean_total == 100 and panel.vetoes == ["fake_data"]
    assert panel.outcome_label == "不通过" and "否决项：审核报告数据弄虚作假" in panel.conclusion
    assert round_.state == "evaluation_failed"  # back to the enterprise for a revised report (the audit rules)
    from platform.audits.jobs import compliance_scan

    compliance_scan(date(2026, 3, 11))
    db.session.commit()
    assert db.session.scalar(select(Case.cause).where(Case.round_id == round_.id)) == "evaluation_failed"


def test_a_mean_below_the_pass_mark_fails_acceptance(world, under_review, steel_pool, scored):
    round_ = under_review(world.ent_a, "acceptance")
    panel = panels.draw_panel(world.regulator_a, round_, today=date(2026, 10, 5))
    assert panel.stage == "acceptance" and panel.pass_mark == rules.PASS_MARK.value
    scored(panel, points={"implementation": "25", "performance": "25", "environmental": "10", "economic": "5",
                          "level": "4.5"})  # 69.5
    panels.conclude(world.regulator_a, panel, on=date(2026, 10, 20), today=FAR)
    assert panel.mean_total == Decimal("69.5") and not panel.passed and panel.outcome_label == "不合格"
    assert round_.state == "acceptance_failed"


def test_a_regulator_may_cancel_a_panel_and_draw_again(world, under_review, steel_pool):
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    with pytest.raises(ValidationError, match="须写明理由"):
        panels.cancel(world.regulator_a, panel, "")
    panels.cancel(world.regulator_a, panel, "评审会延期，重新组织")
    db.session.flush()
    assert panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY).state == "scoring"


def test_the_service_org_cannot_change_while_a_panel_is_at_work(world, under_review, make_org, steel_pool):
    round_ = under_review(world.ent_a)
    panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    org = make_org(username=world.service_org.username)
    with pytest.raises(ValidationError, match="正在评审"):
        engagements.propose(world.enterprise_a, round_, org.id, reason="补登")
    with pytest.raises(ValidationError, match="正在评审"):
        engagements.set_directly(world.regulator_a, round_, org.id, "核查")
    with pytest.raises(PermissionDenied):
        engagements.propose(world.enterprise_b, round_, None)


def test_other_uscc_is_not_a_conflict(world, under_review, make_expert):
    """A declared conflict with another enterprise does not keep the expert off this one."""
    for i in range(3):
        make_expert(f"专家{i}", conflicts=[make_uscc("450300", 5 + i)])
    panel = panels.draw_panel(world.regulator_a, under_review(world.ent_a), today=REVIEW_DAY)
    assert len(panel.members) == 3


def test_with_auto_conclusion_the_last_signature_moves_the_round(world, under_review, steel_pool, scored, monkeypatch):
    monkeypatch.setitem(current_app.config, "RULE_OVERRIDES", {"reviews.auto_conclude": True})
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    scored(panel, points=75)
    assert panel.state == "concluded" and panel.passed and panel.concluded_by_id is None
    assert round_.state == "evaluation_passed"


def test_members_read_the_report_under_review_and_no_one_else_does_through_the_panel(world, under_review, steel_pool,
                                                                                   client_for):
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    db.session.commit()
    report = round_.reports[0]
    member = client_for(panel.members[0].expert.user)
    assert f"/reviews/{panel.id}/reports/{report.id}" in member.get(f"/reviews/{panel.id}/score").get_data(as_text=True)
    download = member.get(f"/reviews/{panel.id}/reports/{report.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    outsider = next(e for e in steel_pool if e.id not in {m.expert_id for m in panel.members})
    assert client_for(outsider.user).get(f"/reviews/{panel.id}/reports/{report.id}").status_code == 403
