"""Deadlines as 《清洁生产审核办法》 reads them."""
from datetime import date

from platform.audits import rules


def test_a_month_after_the_last_day_of_january_is_the_last_day_of_february():
    assert rules.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert rules.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert rules.add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_listing_on_2025_03_01_sets_the_three_deadlines():
    assert rules.listing_deadlines(date(2025, 3, 1)) == {
        "disclosure_due": date(2025, 4, 1), "start_due": date(2025, 5, 1), "report_due": date(2026, 3, 1)}


def test_acceptance_is_due_a_year_after_passing_evaluation_and_the_next_round_five_years_after_acceptance():
    assert rules.acceptance_due(date(2026, 3, 1)) == date(2027, 3, 1)
    assert rules.next_round_due(date(2026, 11, 1), toxic_listed=True) == date(2031, 11, 1)
    # 审核办法 第十二条: the five-year repeat binds only a firm listed for toxic or hazardous substances.
    assert rules.next_round_due(date(2026, 11, 1), toxic_listed=False) is None


def test_acceptance_months_are_local_practice_and_configurable_within_two_years(app):
    assert rules.ACCEPTANCE_MONTHS.kind == "local_practice"
    app.config["RULE_OVERRIDES"] = {"audits.acceptance_months": 24}
    try:
        assert rules.acceptance_due(date(2026, 3, 1)) == date(2028, 3, 1)
    finally:
        app.config["RULE_OVERRIDES"] = {}


def test_two_high_and_high_water_enterprises_get_the_full_procedure(make_enterprise):
    assert rules.procedure_for(make_enterprise(two_high=True)) == "full"
    assert rules.procedure_for(make_enterprise(industry_code="2211")) == "full"  # 造纸: high water
    assert rules.procedure_for(make_enterprise(industry_code="3130")) == "full"  # 钢铁: a 两高 industry
    assert rules.procedure_for(make_enterprise(industry_code="3360")) == "simplified"  # 金属表面处理
