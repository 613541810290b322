"""How the statistics count progress against the province's 2025 targets.

Declared with `rule(...)` and listed on the public 规则与依据 page (platform/rulebook.py).
"""
from datetime import date

from ..core.rulebook import rule

TARGETS = "绩效统计与目标"

# 广西“十四五”清洁生产推进方案 (targets paragraph): the key-project reductions are the province's
# totals for the five years 2021–2025 against 2020, so only schemes completed in those years count,
# the whole province against the whole target: never one year, one city, one industry or one park
# against the province's five-year figure.
TARGET_PERIOD = rule(
    "stats.target_period", "2025 年目标进度计入的方案完成期间", (date(2021, 1, 1), date(2025, 12, 31)), "",
    "广西“十四五”清洁生产推进方案（主要目标：以 2020 年为基数的“十四五”累计重点工程减排量）", section=TARGETS,
    note="目标为全区五年累计量：只统计 2021-01-01 至 2025-12-31 完成并经验收核实的方案；按年度、设区市、行业或园区查看时不显示全区目标。")
