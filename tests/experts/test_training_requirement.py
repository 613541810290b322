"""Experts must have completed the training hours of training/rules.py to be drawn: a draw leaves out
an expert short of them, and its revealed exclusion list names that reason."""
from datetime import date, datetime

import pytest
from expert_helpers import REVIEW_DAY
from flask import current_app

from platform.core.errors import ValidationError
from platform.core.extensions import db
from platform.reviews import rules, services as panels
from platform.training import services as training

REGISTERED = datetime(2022, 1, 10, 2, 0)  # long before the draw: subject to the requirement


@pytest.fixture
def expert_class(world):
    """An 8-hour expert session on 2025-11-20 (within 24 months of REVIEW_DAY, 2026-03-10) and an old one."""
    def factory(on: date = date(2025, 11, 20), hours: int = 8):
        plan = training.create_plan(world.province, {"title": f"{on.year}年度专家培训", "audience": "experts",
                                                     "year": on.year, "hours": 16})
        return training.add_session(world.province, plan, {"title": "专家班", "starts_on": on, "ends_on": on,
                                                           "place": "南宁", "capacity": 50, "hours": hours})
    return factory


def _attend(world, session, expert) -> None:
    enrolment = training.enrol_self(expert.user, session, today=session.starts_on)
    training.record_attendance(world.province, enrolment, True, today=session.ends_on)


@pytest.fixture
def trained_pool(world, make_expert, expert_class):
    """Four steel experts registered in 2022 who attended 8 hours in November 2025."""
    session = expert_class()
    experts = [make_expert(f"钢铁专家{i}", industries="31", employer=f"单位{i}") for i in range(1, 5)]
    for expert in experts:
        expert.created_at = REGISTERED
        _attend(world, session, expert)
    db.session.commit()
    return experts


def test_an_expert_without_enough_training_is_excluded_and_the_reason_is_named(world, under_review, make_expert,
                                                                               expert_class, trained_pool, client):
    untrained = make_expert("未培训专家", industries="31", employer="单位9")
    half = make_expert("学时不足专家", industries="31", employer="单位10")
    for expert in (untrained, half):
        expert.created_at = REGISTERED
    _attend(world, expert_class(date(2025, 12, 3), hours=4), half)
    stale = make_expert("培训已过期专家", industries="31", employer="单位11")
    stale.created_at = REGISTERED
    _attend(world, expert_class(date(2023, 6, 1), hours=16), stale)  # 33 months before the draw
    newcomer = make_expert("新入库专家", industries="31", employer="单位12")  # registered today: first period
    db.session.commit()

    panel = panels.draw_panel(world.regulator_a, under_review(world.ent_a), size=5, seed=99, today=REVIEW_DAY)
    db.session.commit()
    reasons = {x.expert.name: x.reason for x in panel.draws[0].exclusions}
    assert reasons == {"未培训专家": "training", "学时不足专家": "training", "培训已过期专家": "training"}
    assert {m.expert_id for m in panel.members} == {e.id for e in trained_pool} | {newcomer.id}
    assert rules.EXCLUSION_REASONS["training"] == "未完成规定的培训学时"
    assert panels.verify(panel)

    panels.cancel(world.regulator_a, panel, "评审会改期")
    db.session.commit()
    page = client.get(f"/reviews/{panel.id}").get_data(as_text=True)
    assert "未完成规定的培训学时 3 名" in page
    record = client.get(f"/api/v1/reviews/{panel.id}/draw").get_json()["draws"][0]
    assert sorted(x["reason"] for x in record["exclusions"]) == ["training"] * 3
    assert record["commitment_matches"] is True


def test_a_conflict_is_named_before_the_training(world, under_review, make_expert):
    conflicted = make_expert("同单位未培训", industries="31", employer_uscc=world.ent_a.uscc)
    conflicted.created_at = REGISTERED
    for i in range(3):
        make_expert(f"新专家{i}", industries="31", employer=f"新单位{i}")
    db.session.commit()
    panel = panels.draw_panel(world.regulator_a, under_review(world.ent_a), today=REVIEW_DAY)
    assert {x.expert.name: x.reason for x in panel.draws[0].exclusions} == {"同单位未培训": "same_employer"}


def test_too_few_trained_experts_gives_a_message_naming_the_training(world, under_review, make_expert):
    for i in range(4):
        expert = make_expert(f"老专家{i}", industries="31", employer=f"旧单位{i}")
        expert.created_at = REGISTERED
    db.session.commit()
    with pytest.raises(ValidationError, match="未完成规定的培训学时 4 名"):
        panels.draw_panel(world.regulator_a, under_review(world.ent_a), today=REVIEW_DAY)


def test_the_hours_and_period_are_configurable(world, under_review, make_expert, expert_class, monkeypatch):
    expert = make_expert("四学时专家", industries="31", employer="单位20")
    expert.created_at = REGISTERED
    _attend(world, expert_class(date(2025, 12, 3), hours=4), expert)
    for i in range(3):
        make_expert(f"新专家{i}", industries="31", employer=f"新单位{i}")
    db.session.commit()
    assert expert.id in training.short_of_training([expert], REVIEW_DAY)
    monkeypatch.setitem(current_app.config, "RULE_OVERRIDES", {"training.expert_hours": 4})
    assert training.short_of_training([expert], REVIEW_DAY) == set()
    monkeypatch.setitem(current_app.config, "RULE_OVERRIDES", {"training.expert_hours": 4,
                                                               "training.expert_period_months": 6})
    assert training.short_of_training([expert], date(2026, 7, 1)) == {expert.id}  # December 2025 is too long ago
    monkeypatch.setitem(current_app.config, "RULE_OVERRIDES", {"training.expert_hours": 0})
    panel = panels.draw_panel(world.regulator_a, under_review(world.ent_a), size=4, today=REVIEW_DAY)
    assert panel.draws[0].exclusions == []


def test_only_attended_expert_training_counts(world, make_expert, expert_class):
    expert = make_expert("缺勤专家", industries="31")
    expert.created_at = REGISTERED
    session = expert_class()
    enrolment = training.enrol_self(expert.user, session, today=session.starts_on)
    training.record_attendance(world.province, enrolment, False, today=session.ends_on)
    assert training.expert_hours([expert.user_id], REVIEW_DAY) == {}
    status = training.training_status(expert, REVIEW_DAY)
    assert status["short"] and status["hours"] == 0 and status["required"] == 8 and not status["first_period"]


def test_the_rules_page_lists_the_training_rules(client):
    text = client.get("/rules").get_data(as_text=True)
    assert "专家参加抽取须完成的培训学时" in text and "培训学时的计算周期" in text
    assert "《清洁生产审核办法》第十六条" in text


def test_the_regulator_sees_an_experts_training_standing(world, make_expert, client_for):
    short = make_expert("未培训专家", industries="31")
    short.created_at = REGISTERED
    newcomer = make_expert("新专家", industries="31")
    db.session.commit()
    assert "学时不足，抽取专家组时将被排除" in client_for(world.province).get(f"/experts/pool/{short.id}").get_data(as_text=True)
    assert "入库未满一个周期" in client_for(world.province).get(f"/experts/pool/{newcomer.id}").get_data(as_text=True)
    mine = client_for(short.user).get("/training/mine").get_data(as_text=True)
    assert "学时不足" in mine
