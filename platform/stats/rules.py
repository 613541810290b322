"""How the statistics count progress against the province's 2025 targets.

Declared with `rule(...)` and listed on the public 规则与依据 page (platform/core/rulebook.py).
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

DISCLOSURE = "统计数据公开"

# 《中华人民共和国统计法》（2009 年修订）第二十五条: material from which a single respondent can be
# identified or inferred — the summary tables from which one can be inferred included — is not given out.
# The platform's figures are administrative records rather than a statistical survey, and no text sets
# a number, so the threshold is local practice: the minimum-frequency rule of statistical disclosure
# control, with complementary suppression against differencing (platform/stats/disclosure.py). Below 3,
# each of two enterprises would learn the other's figures by subtracting its own, hence the lower bound.
MIN_GROUP_SIZE = rule(
    "stats.min_group_size", "公开统计中一个数据格至少涉及的企业数", 3, "家",
    "地方实践：参照《中华人民共和国统计法》（2009 年修订）第二十五条（能够识别或者推断单个统计调查对象身份的资料，"
    "包括可推断单个对象的汇总资料，不得对外提供）和统计数据发布的最少单位数规则；默认 3 家，可配置",
    section=DISCLOSURE, kind="local_practice", bounds=(3, 20),
    note="面向公众的统计页面、导出文件、图表和接口中，企业数少于该值的分组不公开；与上级合计相减后余下的企业少于该值的分组，"
         "以及为防止由合计推算而需一并隐藏的分组，同样不公开。监管部门在其辖区内查看完整数据。")
