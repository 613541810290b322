"""The statistics read as the province reports them: every figure of a known set of rounds and
schemes, to the last decimal (definitions: platform/stats/services.py). Figures of groups of fewer than
three enterprises are the regulators' (test_disclosure.py), so the narrow selections here are read as
the province's regulator reads them."""
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from platform.core.errors import PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.schemes import services as schemes
from platform.schemes.models import RESULTS, Scheme
from platform.stats import services as stats
from platform.stats.services import Filters
from tests.schemes.builders import add_scheme, drive
from platform.core.access import SYSTEM, ANONYMOUS


def reductions(summary, which="verified"):
    return {k: v[which] for k, v in summary["reductions"].items()}


def test_every_figure_of_the_province_summary(stats_world):
    s = stats.summary(ANONYMOUS, Filters())
    # Six rounds count (the cancelled one never does); one is accepted.
    assert (s["rounds_listed"], s["rounds_completed"], s["completion_rate"]) == (6, 1, D("0.1667"))
    assert (s["rounds_evaluated"], s["rounds_evaluation_passed"], s["evaluation_pass_rate"]) == (4, 3, D("0.75"))
    assert (s["rounds_acceptance_concluded"], s["rounds_acceptance_passed"]) == (2, 1)
    assert s["acceptance_pass_rate"] == D("0.5")
    assert (s["schemes_total"], s["schemes_completed"], s["schemes_abandoned"]) == (12, 8, 2)
    assert (s["schemes_low_cost"], s["schemes_high_cost"], s["schemes_verified"]) == (7, 5, 3)
    assert s["implementation_rate"] == D("0.8")  # 8 ÷ (12 − 2)
    assert s["investment_wan_yuan"] == D("1259.55")  # completed schemes only
    assert s["investment_planned_wan_yuan"] == D("2060.55")  # every scheme not abandoned
    assert s["economic_benefit_wan_yuan"] == D("283")
    assert s["economic_benefit_verified_wan_yuan"] == D("182.9")
    assert reductions(s, "reported") == {
        "energy_tce": D("1215.9333"), "water_t": D("5400.2"), "electricity_kwh": D("0"), "cod_t": D("4622.3833"),
        "nh3n_t": D("1602.5125"), "nox_t": D("55.5"), "vocs_t": D("0.5001"), "so2_t": D("162.375"),
        "particulates_t": D("0"), "co2_t": D("3020.05"), "hazardous_waste_t": D("0")}
    assert reductions(s) == {
        "energy_tce": D("1210.4333"), "water_t": D("100.2"), "electricity_kwh": D("0"), "cod_t": D("4620.3"),
        "nh3n_t": D("1600.0125"), "nox_t": D("35.5"), "vocs_t": D("0.0001"), "so2_t": D("12.25"),
        "particulates_t": D("0"), "co2_t": D("3020.05"), "hazardous_waste_t": D("0")}
    # Against the 2025 targets (data/targets_2025.csv): verified ÷ target.
    assert {k: (v["target"], v["progress"]) for k, v in s["reductions"].items() if v["target"]} == {
        "cod_t": (D("46200"), D("0.1")), "nh3n_t": (D("3200"), D("0.5")), "nox_t": (D("14400"), D("0.0025")),
        "vocs_t": (D("8700"), D("0"))}
    assert s["reductions"]["energy_tce"]["target"] is None and s["reductions"]["co2_t"]["progress"] is None


def test_figures_are_exact_decimals_in_their_unit(stats_world):
    s = stats.summary(ANONYMOUS, Filters())
    assert isinstance(s["investment_wan_yuan"], D) and s["investment_wan_yuan"].as_tuple().exponent == -4
    assert all(isinstance(v["verified"], D) for v in s["reductions"].values())


@pytest.mark.parametrize("filters, expected", [
    # A round counts in the year it entered the programme: its list's date, or a voluntary audit's start.
    (Filters(year=2025), {"rounds_listed": 4, "rounds_completed": 1, "completion_rate": D("0.25"),
                          "schemes_total": 11, "schemes_completed": 7, "investment_wan_yuan": D("1259.35")}),
    (Filters(year=2026), {"rounds_listed": 2, "rounds_completed": 0, "completion_rate": D("0"),
                          "evaluation_pass_rate": None, "schemes_total": 1, "investment_wan_yuan": D("0.2")}),
    (Filters(year=2024), {"rounds_listed": 0, "completion_rate": None, "implementation_rate": None,
                          "investment_wan_yuan": D("0")}),
    (Filters(city="450100"), {"rounds_listed": 3, "rounds_completed": 1, "completion_rate": D("0.3333"),
                              "schemes_total": 6, "schemes_completed": 4, "implementation_rate": D("0.8")}),
    (Filters(city="450200"), {"rounds_listed": 3, "rounds_completed": 0, "evaluation_pass_rate": D("0.5"),
                              "acceptance_pass_rate": D("0"), "schemes_total": 6, "schemes_abandoned": 1}),
    (Filters(industry="31"), {"rounds_listed": 2, "rounds_completed": 1, "schemes_total": 6,
                              "investment_wan_yuan": D("253.35")}),
    (Filters(industry="22"), {"rounds_listed": 2, "schemes_total": 4, "schemes_completed": 3,
                              "investment_wan_yuan": D("1004.2")}),
    (Filters(year=2025, city="450200", industry="22"), {"rounds_listed": 1, "rounds_acceptance_concluded": 1,
                                                        "rounds_acceptance_passed": 0}),
])
def test_filters_by_year_city_and_industry(stats_world, filters, expected):
    s = stats.summary(stats_world.people.province, filters)
    assert {k: s[k] for k in expected} == expected


def test_filter_by_park(stats_world):
    park_a = stats_world.parks["a"]
    s = stats.summary(stats_world.people.province, Filters(park=park_a.id))
    assert (s["rounds_listed"], s["rounds_completed"], s["schemes_total"]) == (1, 1, 4)
    assert s["reductions"]["cod_t"]["verified"] == D("4620.3")


def test_reported_results_count_as_verified_only_once_the_round_is_accepted(stats_world):
    a2 = stats_world.rounds["a2"]
    scheme = db.session.scalar(select(Scheme).where(Scheme.round_id == a2.id, Scheme.code == "W01"))
    before = stats.summary(ANONYMOUS, Filters())
    assert not scheme.verified
    drive(a2, "acceptance")
    assert stats.summary(ANONYMOUS, Filters())["reductions"]["water_t"] == before["reductions"]["water_t"]
    drive(a2, "accepted")
    after = stats.summary(ANONYMOUS, Filters())
    assert scheme.verified
    assert after["reductions"]["water_t"]["verified"] == before["reductions"]["water_t"]["verified"] + D("5000")
    assert after["reductions"]["water_t"]["reported"] == before["reductions"]["water_t"]["reported"]
    assert after["schemes_verified"] == before["schemes_verified"] + 1
    assert after["rounds_completed"] == before["rounds_completed"] + 1


def test_every_figure_reconciles_with_the_scheme_rows(stats_world):
    """The per-round totals the statistics read equal the sums of the rows, computed here in Python."""
    counted = [s for s in db.session.scalars(select(Scheme)) if s.round.state != "cancelled"]
    completed = [s for s in counted if s.status == "completed"]
    summary = stats.summary(ANONYMOUS, Filters())
    assert summary["schemes_total"] == len(counted)
    assert summary["investment_wan_yuan"] == sum((s.investment_wan_yuan for s in completed), D(0))
    for m in RESULTS:
        if m.key in summary["reductions"]:
            expected = sum((getattr(s, m.key) for s in completed), D(0))
            verified = sum((getattr(s, m.key) for s in completed if s.round.state == "accepted"), D(0))
            assert summary["reductions"][m.key]["reported"] == expected, m.key
            assert summary["reductions"][m.key]["verified"] == verified, m.key
    assert schemes.totals_mismatches() == []


def test_totals_follow_every_scheme_write_in_the_same_transaction(stats_world, world):
    b2, province = stats_world.rounds["b2"], stats_world.people.province
    scheme = add_scheme(b2, "W09", completed_on=date(2026, 6, 1), cod_t="0.1")
    add_scheme(b2, "W10", completed_on=date(2026, 6, 1), cod_t="0.2")
    assert stats.summary(province, Filters(year=2026))["reductions"]["cod_t"]["reported"] == D("0.3")
    schemes.update(SYSTEM, scheme, {"cod_t": "0.7", "status": "abandoned", "completed_on": None})
    assert stats.summary(province, Filters(year=2026))["reductions"]["cod_t"]["reported"] == D("0.2")
    schemes.delete_scheme(SYSTEM, scheme)
    db.session.commit()
    assert schemes.totals_mismatches() == []
    assert stats.summary(province, Filters(year=2026))["schemes_total"] == 2


def test_a_rebuild_from_the_rows_changes_nothing(stats_world):
    before = stats.summary(ANONYMOUS, Filters())
    schemes.rebuild_totals()
    assert stats.summary(ANONYMOUS, Filters()) == before
    assert schemes.totals_mismatches() == []


def test_a_row_written_around_the_service_is_detected_and_rebuilt(stats_world):
    db.session.execute(Scheme.__table__.update().where(Scheme.code == "W01").values(cod_t=D("1")))
    assert len(schemes.totals_mismatches()) == 6  # every round with a W01, the cancelled one too
    schemes.rebuild_totals()
    assert schemes.totals_mismatches() == []


def test_breakdowns_add_up_to_the_summary(stats_world):
    province = stats_world.people.province
    s = stats.summary(province, Filters())
    for by in ("year", "city", "industry", "park"):
        rows = stats.breakdown(province, Filters(), by)
        assert sum(r["rounds_listed"] for r in rows) == s["rounds_listed"], by
        assert sum(r["schemes_completed"] for r in rows) == s["schemes_completed"], by
        assert sum((r["investment_wan_yuan"] for r in rows), D(0)) == s["investment_wan_yuan"], by
        assert sum((r["reductions"]["cod_t"]["verified"] for r in rows), D(0)) == s["reductions"]["cod_t"]["verified"]
    by_city = {r["key"]: r for r in stats.breakdown(ANONYMOUS, Filters(), "city")}  # three enterprises each: public
    assert by_city["450100"]["name"] == "南宁市" and by_city["450100"]["completion_rate"] == D("0.3333")
    assert [r["key"] for r in stats.breakdown(ANONYMOUS, Filters(), "year")] == [2025, 2026]
    assert [r["name"] for r in stats.breakdown(ANONYMOUS, Filters(), "park")] == ["南宁测试园区", "柳州测试园区", "不在园区"]


@pytest.mark.parametrize("who", [None, "province"])  # the public's figures, with small groups withheld, and all
def test_one_statement_dashboard_equals_the_separate_queries(stats_world, who):
    actor = getattr(stats_world.people, who) if who else ANONYMOUS
    dims = ("year", "city", "industry", "park")
    for filters in (Filters(), Filters(city="450200"), Filters(year=2025, industry="31")):
        summary, grouped = stats.dashboard(actor, filters, dims)
        assert summary == stats.summary(actor, filters)
        for by in dims:
            assert [_verified_only(r) for r in grouped[by]] == stats.breakdown(actor, filters, by), by


def _verified_only(row: dict) -> dict:
    """A dashboard row as `breakdown` gives it: the results as verified only."""
    row = {k: v for k, v in row.items() if k != "economic_benefit_wan_yuan"}
    row["reductions"] = {k: {f: v for f, v in r.items() if f != "reported"} for k, r in row["reductions"].items()}
    return row


def test_enterprise_rows_are_paged_and_scoped(stats_world, world):
    rows = stats.breakdown(world.regulator_a, Filters(), "enterprise")  # narrowed to 南宁
    assert {r["uscc"] for r in rows} == {stats_world.enterprises[k].uscc for k in ("a1", "a2", "a4")}
    assert stats.count_groups(world.regulator_a, Filters(), "enterprise") == 3
    page = stats.breakdown(world.province, Filters(city="450100"), "enterprise", limit=2, offset=2)
    assert len(page) == 1 and page[0]["rounds_listed"] == 1
    with pytest.raises(PermissionDenied):
        stats.breakdown(world.regulator_a, Filters(city="450200"), "enterprise")
    with pytest.raises(PermissionDenied):
        stats.breakdown(ANONYMOUS, Filters(), "enterprise")
    with pytest.raises(PermissionDenied):
        stats.summary(world.enterprise_a, Filters(enterprise_id=stats_world.enterprises["b1"].id))


@pytest.mark.parametrize("args, field", [({"year": "20x5"}, "year"), ({"year": "1999"}, "year"),
                                         ({"city": "110100"}, "city"), ({"industry": "99"}, "industry"),
                                         ({"park": "999"}, "park")])
def test_a_wrong_filter_is_refused_naming_it(app, args, field):
    with pytest.raises(ValidationError) as refused:
        stats.parse_filters(args)
    assert refused.value.field == field


def test_the_targets_come_from_the_data_file(app):
    assert stats.targets() == {"cod_t": D("46200"), "nh3n_t": D("3200"), "nox_t": D("14400"), "vocs_t": D("8700")}


@pytest.mark.parametrize("filters", [Filters(city="450100"), Filters(year=2025), Filters(industry="31")])
def test_a_year_city_or_industry_view_never_shows_the_province_five_year_target(stats_world, filters):
    """The 2025 targets are the whole province's 2021–2025 totals: no part of it, and no single year, has one."""
    s = stats.summary(ANONYMOUS, filters)
    assert all(r["target"] is None and r["progress"] is None for r in s["reductions"].values())


def test_target_progress_counts_only_schemes_completed_from_2021_to_2025(stats_world):
    from platform.schemes.models import Scheme

    before = stats.summary(ANONYMOUS, Filters())["reductions"]["cod_t"]
    accepted = db.session.scalar(select(Scheme).join(Scheme.round).where(
        Scheme.round.has(state="accepted"), Scheme.cod_t > 0, Scheme.status == "completed"))
    accepted.completed_on = date(2026, 1, 1)  # out of the plan's period: still verified, no longer progress
    db.session.commit()
    after = stats.summary(ANONYMOUS, Filters())["reductions"]["cod_t"]
    assert after["verified"] == before["verified"]
    assert after["period_verified"] == before["period_verified"] - accepted.cod_t
    assert after["progress"] == stats.rate(after["period_verified"], after["target"])
