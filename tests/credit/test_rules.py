"""The credit rules as the regulations state them: the fine's range, publication periods, working days."""
from datetime import date
from decimal import Decimal

import pytest

from platform.core import dates
from platform.audits.rules import ART36, ART39, penalty_for
from platform.credit import rules
from platform.credit.services import parse_fine
from platform.core.errors import ValidationError


@pytest.mark.parametrize("fine", ["50000", "50000.00", "123456.78", "500000", 50000, 500000.0])
def test_an_article_39_fine_from_50_thousand_to_500_thousand_yuan_is_lawful(fine):
    assert Decimal("50000") <= parse_fine(fine, ART39) <= Decimal("500000")


@pytest.mark.parametrize("fine", ["49999.99", "500000.01", "0", "-60000", "5000000", ""])
def test_an_article_39_fine_outside_its_range_is_refused_with_the_range_named(fine):
    with pytest.raises(ValidationError) as refused:
        parse_fine(fine, ART39)
    assert refused.value.field == "fine_yuan"
    assert ("5 万元至 50 万元" in refused.value.message and "第三十九条" in refused.value.message) or (
        fine == "" and "请填写" in refused.value.message)


@pytest.mark.parametrize("fine, lawful", [("30000", Decimal("30000.00")), ("100000", Decimal("100000.00")),
                                          ("", Decimal("0.00")), ("0", Decimal("0.00"))])
def test_a_disclosure_case_takes_no_fine_or_one_up_to_100_thousand_yuan(fine, lawful):
    """促进法 第三十六条: 责令公布，可以处十万元以下的罚款 — a fine may be left out altogether."""
    assert parse_fine(fine, ART36) == lawful


@pytest.mark.parametrize("fine", ["200000", "100000.01", "-1"])
def test_a_disclosure_case_refuses_more_than_100_thousand_yuan_naming_article_36(fine):
    with pytest.raises(ValidationError) as refused:
        parse_fine(fine, ART36)
    assert refused.value.field == "fine_yuan"
    assert "不超过 10 万元" in refused.value.message and "第三十六条" in refused.value.message


def test_every_cause_maps_to_its_article_and_fine_range():
    assert penalty_for("disclosure_overdue") is ART36
    for cause in ("start_overdue", "report_overdue", "evaluation_failed", "acceptance_overdue", "acceptance_failed",
                  "next_round_overdue"):
        assert penalty_for(cause) is ART39
    assert penalty_for("falsified").fine is ART39.fine and "弄虚作假" in penalty_for("falsified").violation_type


@pytest.mark.parametrize("fine, message", [("十万", "不是有效的数字"), ("100000.123", "两位小数"), ("", "请填写"),
                                           (True, "请填写"), ("NaN", "不是有效的数字")])
def test_a_fine_that_is_not_an_amount_in_yuan_is_refused(fine, message):
    with pytest.raises(ValidationError) as refused:
        parse_fine(fine, ART39)
    assert message in refused.value.message


@pytest.mark.parametrize("severity, decided_on, min_until, until", [
    # Order 36: minor at most 3 months (repairable at once), general 3 months–1 year, serious 1–3 years.
    ("minor", date(2026, 4, 10), date(2026, 4, 10), date(2026, 7, 10)),
    ("general", date(2026, 4, 10), date(2026, 7, 10), date(2027, 4, 10)),
    ("serious", date(2026, 4, 10), date(2027, 4, 10), date(2029, 4, 10)),
    # A period of months ends on the same day of the last month, or on its last day (民法典 202).
    ("general", date(2026, 8, 31), date(2026, 11, 30), date(2027, 8, 31)),
    ("serious", date(2028, 2, 29), date(2029, 2, 28), date(2031, 2, 28)),
])
def test_publication_periods_by_severity_count_from_the_decision_date(severity, decided_on, min_until, until):
    period = rules.publication_period(severity, decided_on)
    assert (period.min_until, period.until) == (min_until, until)
    assert not period.expired_on(until)


def test_repair_opens_the_day_after_the_minimum_period_and_publication_stops_the_day_after_the_maximum():
    period = rules.publication_period("general", date(2026, 4, 10))
    assert not period.repairable_on(date(2026, 7, 10)) and period.repairable_on(date(2026, 7, 11))
    assert not period.expired_on(date(2027, 4, 10)) and period.expired_on(date(2027, 4, 11))


@pytest.mark.parametrize("decided_on, due", [
    (date(2026, 3, 10), date(2026, 3, 19)),  # Tuesday: the next Thursday but one, weekends skipped
    (date(2026, 9, 28), date(2026, 10, 13)),  # National Day: 10-01..07 off, Saturday 10-10 worked
    (date(2026, 2, 12), date(2026, 2, 28)),  # Spring Festival: 02-15..23 off, Saturdays 02-14 and 02-28 worked
    (date(2026, 4, 30), date(2026, 5, 13)),  # Labour Day: 05-01..05 off, Saturday 05-09 worked
    (date(2026, 12, 31), date(2027, 1, 12)),  # New Year 2027: the statutory 01-01 off
])
def test_the_7_working_day_deadline_skips_weekends_and_holidays_and_counts_make_up_days(decided_on, due):
    assert rules.online_due(decided_on) == due


def test_working_days_between_counts_after_the_start_up_to_the_end():
    assert dates.working_days_between(date(2026, 10, 9), date(2026, 10, 13)) == 3  # 10-10 (Sat, worked), 10-12, 10-13
    assert dates.working_days_between(date(2026, 10, 14), date(2026, 10, 13)) == -1
    assert dates.working_days_between(date(2026, 10, 13), date(2026, 10, 13)) == 0
    assert not dates.is_working_day(date(2026, 10, 5)) and dates.is_working_day(date(2026, 9, 20))
