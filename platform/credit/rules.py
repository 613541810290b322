"""The credit rules: publication periods, the 7-working-day rule, and how a record is counted.

Every rule is declared with `rule(...)` and listed on the public 规则与依据 page (platform/core/rulebook.py).
The fine a case may carry follows its cause (audits/rules.py: 促进法 第三十六条 or 第三十九条).
  信用修复办法 — 《信用修复管理办法》(国家发展改革委令第 36 号，2026 年 4 月 1 日起施行)
  国办发〔2015〕51号 — 《国务院办公厅关于运用大数据加强对市场主体服务和监管的若干意见》(十八)
  国发〔2016〕33号 — 《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》(十七)
  民法典       — 《中华人民共和国民法典》第二百零一条、第二百零二条 (how periods are counted)
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..core.dates import add_months, add_working_days
from ..core.rulebook import rule

CREDIT = "信用信息公示与修复"
PENALTY_CATEGORY = "罚款"
NO_FINE_CATEGORY = "责令改正"  # a decision under 促进法 第三十六条 that orders publication without a fine
SUBJECT_CATEGORY = "法人及非法人组织"  # 双公示 行政相对人类别 of an enterprise


@dataclass(frozen=True)
class Severity:
    label: str
    months: object  # the rule holding (minimum, maximum) publication in months
    published_by_default: bool

    @property
    def min_months(self) -> int:
        return self.months.value[0]

    @property
    def max_months(self) -> int:
        return self.months.value[1]


# 信用修复办法 (失信信息分类管理与公示期限): periods count from the date of the decision;
#   轻微 — in principle not published; where the authority finds it necessary, at most 3 months, and
#          repair may be applied for as soon as the legal duty is discharged;
#   一般 — at least 3 months, at most 1 year;
#   严重 — at least 1 year, at most 3 years.
# 最短公示期届满后方可申请信用修复；最长公示期届满后自动停止公示。
_PERIOD_SOURCE = "《信用修复管理办法》（国家发展改革委令第36号）失信信息分类与公示期限"
SEVERITIES = {
    "minor": Severity("轻微", rule("credit.period_minor", "轻微失信信息的公示期（最短、最长）", (0, 3), "个月",
                                   _PERIOD_SOURCE, section=CREDIT, note="原则上不予公示；确有必要公示的最长 3 个月。"),
                      False),
    "general": Severity("一般", rule("credit.period_general", "一般失信信息的公示期（最短、最长）", (3, 12), "个月",
                                     _PERIOD_SOURCE, section=CREDIT), True),
    "serious": Severity("严重", rule("credit.period_serious", "严重失信信息的公示期（最短、最长）", (12, 36), "个月",
                                     _PERIOD_SOURCE, section=CREDIT), True),
}
DEFAULT_SEVERITY = rule(
    "credit.default_severity", "处罚决定默认的失信程度", "general", "",
    "地方实践：五万元以上的罚款按较大数额罚款，默认一般失信；录入时可改", section=CREDIT, kind="local_practice")
REPAIR_CONDITIONS = rule(
    "credit.repair_conditions", "申请信用修复的条件",
    ("最短公示期届满", "纠正失信行为", "完全履行行政处罚规定的义务（罚款以缴款凭证证明，金额与罚款一致）",
     "公开作出信用承诺"), "", "《信用修复管理办法》（国家发展改革委令第36号）信用修复的条件", section=CREDIT)

# 国办发〔2015〕51号 (十八) and 国发〔2016〕33号 (十七): 行政许可、行政处罚等信息自作出行政决定之日起
# 7 个工作日内上网公开.
ONLINE_WORKING_DAYS = rule(
    "credit.online_working_days", "行政处罚信息上网公开的期限（自作出决定之日起）", 7, "个工作日",
    "《国务院办公厅关于运用大数据加强对市场主体服务和监管的若干意见》（国办发〔2015〕51号）第十八条；"
    "《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》（国发〔2016〕33号）第十七条",
    section=CREDIT)
AT_RISK_WORKING_DAYS = rule(
    "credit.at_risk_working_days", "信用记录上网期限临近提醒（剩余工作日）", 2, "个工作日",
    "地方实践：监管人员工作台提醒", section=CREDIT, kind="local_practice", bounds=(0, 7))


@dataclass(frozen=True)
class Period:
    decided_on: date
    min_until: date  # last day of the minimum period; repair from the day after
    until: date  # last day of publication (公示截止期); withdrawn the day after

    def repairable_on(self, on: date) -> bool:
        return on > self.min_until

    def expired_on(self, on: date) -> bool:
        return on > self.until


def publication_period(severity: str, decided_on: date) -> Period:
    """民法典 201–202: the decision day is not counted, and a period of months ends on the same day
    of the last month (or that month's last day), so the period's last day is `add_months(decided_on, n)`."""
    rule_ = SEVERITIES[severity]
    return Period(decided_on, add_months(decided_on, rule_.min_months), add_months(decided_on, rule_.max_months))


def fine_range(fine_rule) -> tuple[Decimal, Decimal]:
    lowest, highest = fine_rule.value
    return Decimal(lowest), Decimal(highest)


def online_due(decided_on: date) -> date:
    return add_working_days(decided_on, ONLINE_WORKING_DAYS.value)
