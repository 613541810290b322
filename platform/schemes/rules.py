"""How plausible a scheme's figures must be to count in the statistics without a regulator's look.

No law sets a ceiling on what one clean-production scheme may claim: these are local practice,
listed on the public 规则与依据 page and configurable through RULE_OVERRIDES (platform/core/rulebook.py).
A figure above its ceiling is not refused — a large plant may really achieve it — but it is held out
of every statistic until a regulator of the enterprise's region confirms it (schemes/review.py).

The ceilings are set well above what Guangxi's audited sectors report for one scheme (the demo's
ranges, platform/schemes/demo.py, follow those reports) and well below the province's five-year
key-project targets (data/targets_2025.csv): one scheme of 500 t VOCs is already 6 % of the
8,700 t target, so a typing error of 9,999 t could not pass unseen.
"""
from decimal import Decimal

from ..core.rulebook import rule
from . import models

BOUNDS = "方案数值的合理范围"
SOURCE = "地方实践：法规未规定单个方案的数值上限；超过上限的数值照常登记，经监管部门核实确认后计入统计"


def _ceiling(key: str, default: str, note: str = ""):
    metric = models.METRIC[key]
    return rule(f"schemes.max_{key}", f"单个方案{metric.label}的合理上限", Decimal(default), metric.unit, SOURCE,
                section=BOUNDS, kind="local_practice", note=note,
                bounds=(Decimal(0), Decimal(models.MAX_AMOUNT)))


# Each metric's ceiling, by column (models.AMOUNTS); a figure above it waits for a regulator's review.
CEILINGS = {
    "investment_wan_yuan": _ceiling("investment_wan_yuan", "100000", "单个方案投资 10 亿元"),
    "energy_tce": _ceiling("energy_tce", "100000"),
    "water_t": _ceiling("water_t", "10000000"),
    "electricity_kwh": _ceiling("electricity_kwh", "100000000"),
    "cod_t": _ceiling("cod_t", "1000", "全区“十四五”重点工程 COD 减排目标为 46200 吨"),
    "nh3n_t": _ceiling("nh3n_t", "200", "全区“十四五”重点工程氨氮减排目标为 3200 吨"),
    "nox_t": _ceiling("nox_t", "2000", "全区“十四五”重点工程氮氧化物减排目标为 14400 吨"),
    "vocs_t": _ceiling("vocs_t", "500", "全区“十四五”重点工程 VOCs 减排目标为 8700 吨"),
    "so2_t": _ceiling("so2_t", "3000"),
    "particulates_t": _ceiling("particulates_t", "1000"),
    "co2_t": _ceiling("co2_t", "300000"),
    "hazardous_waste_t": _ceiling("hazardous_waste_t", "10000"),
    "economic_benefit_wan_yuan": _ceiling("economic_benefit_wan_yuan", "20000"),
}

# Completion results reported after the round's report was submitted replace the figures the
# evaluation saw. Reported within this multiple of them they are the enterprise's to report; beyond it,
# or where the evaluated figure was 0, a regulator looks first.
COMPLETION_FACTOR = rule(
    "schemes.completion_review_factor", "报告提交后登记完成的方案：绩效超过评估时数值的倍数即须核实", Decimal(2), "倍",
    "地方实践：评估后登记的完成绩效超过评估（或经批准修订）数值的该倍数，或评估时为 0 的，经监管部门核实确认后计入统计",
    section=BOUNDS, kind="local_practice", bounds=(Decimal(1), Decimal(100)))
# After acceptance no panel will look at the results again: a scheme completed after it is counted
# once a regulator confirms its figures.
REVIEW_AFTER_ACCEPTANCE = rule(
    "schemes.review_after_acceptance", "验收合格后登记完成的方案，绩效须经监管部门核实后计入统计", True, "",
    "地方实践：验收合格后报告的完成绩效未经验收核实，由监管部门核实确认后计入统计", section=BOUNDS, kind="local_practice")
