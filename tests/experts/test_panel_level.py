"""The acceptance panel's conclusion records the firm's clean-production level (广西方案 §二十; the
uses of the level are tested in tests/projects/test_results.py)."""
from datetime import date

import pytest
from expert_helpers import FAR, REVIEW_DAY

from platform.audits.models import AuditRound
from platform.core.errors import ValidationError
from platform.core.extensions import db
from platform.results import services as results
from platform.reviews import services as panels


@pytest.fixture
def steel_experts(make_expert):
    return [make_expert(f"钢铁专家{i}", industries="31", employer=f"单位{i}") for i in range(1, 5)]


def test_the_regulator_records_the_level_with_the_acceptance_conclusion(world, under_review, steel_experts, scored,
                                                                       client_for):
    round_ = under_review(world.ent_a, "acceptance")
    panel = scored(panels.draw_panel(world.regulator_a, round_, today=date(2026, 10, 5)), points=90)
    db.session.commit()
    page = client_for(world.regulator_a).get(f"/reviews/{panel.id}/manage").get_data(as_text=True)
    assert "清洁生产水平（验收合格时）" in page and "Ⅰ级（国际清洁生产领先水平）" in page
    wrong = client_for(world.regulator_a).post(f"/reviews/{panel.id}/conclude",
                                               data={"on": "2026-10-20", "level": "IV"})
    assert wrong.status_code == 302 and db.session.get(AuditRound, round_.id).state == "acceptance"
    answer = client_for(world.regulator_a).post(f"/reviews/{panel.id}/conclude", data={"on": "2026-10-20", "level": "I"})
    assert answer.status_code == 302
    round_ = db.session.get(AuditRound, round_.id)
    assert round_.state == "accepted" and round_.clean_production_level == "I"
    assert [r.id for r in results.rounds(results.use("leading"), date(2026, 10, 21))] == [round_.id]


def test_no_level_at_evaluation_and_none_kept_for_a_failed_acceptance(world, under_review, steel_experts, scored):
    evaluated = under_review(world.ent_a)
    panel = scored(panels.draw_panel(world.regulator_a, evaluated, today=REVIEW_DAY))
    with pytest.raises(ValidationError) as refused:
        panels.conclude(world.regulator_a, panel, on=REVIEW_DAY, today=FAR, level="II")
    assert refused.value.field == "level" and "验收时评定" in refused.value.message
    db.session.rollback()
    failing = under_review(world.ent_b, "acceptance")
    panel = scored(panels.draw_panel(world.regulator_b, failing, today=date(2026, 10, 5)), points=50)
    panels.conclude(world.regulator_b, panel, on=date(2026, 10, 20), today=FAR, level="I")
    assert failing.state == "acceptance_failed" and failing.clean_production_level is None
