"""The credit rules: the fine's legal range, publication periods, the 7-working-day rule, working days.

Every number here is a default with its source, so that a change of policy is one edit.
  清洁生产促进法 — 《中华人民共和国清洁生产促进法》(2012 修正)
  信用修复办法   — 《信用修复管理办法》(国家发展改革委令第36号, 2026-04-01 起施行)
  国发〔2016〕33号 — 《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》
  民法典         — 《中华人民共和国民法典》第二百零一条、第二百零二条 (how periods are counted)
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..audits.rules import add_months

# 清洁生产促进法 第三十九条: refusing a mandatory audit (or faking it, or not reporting its result),
# not corrected within the ordered time, is fined 五万元以上五十万元以下.
FINE_MIN_YUAN = Decimal("50000")
FINE_MAX_YUAN = Decimal("500000")
LEGAL_BASIS = "《中华人民共和国清洁生产促进法》第二十七条、第三十九条"
VIOLATION_TYPE = "不实施强制性清洁生产审核"
PENALTY_CATEGORY = "罚款"
SUBJECT_CATEGORY = "法人及非法人组织"  # 双公示 行政相对人类别 of an enterprise


@dataclass(frozen=True)
class Severity:
    label: str
    min_months: int  # repair may be applied for once this part of the period has passed
    max_months: int  # publication stops when this part of the period has passed
    published_by_default: bool


# 信用修复办法 (失信信息分类管理与公示期限): periods count from the decision date;
#   轻微 — in principle not published; where the authority finds it necessary, at most 3 months, and
#          repair may be applied for as soon as the legal duty is discharged;
#   一般 — at least 3 months, at most 1 year;
#   严重 — at least 1 year, at most 3 years.
# 最短公示期届满后方可申请信用修复；最长公示期届满后自动停止公示。
SEVERITIES = {
    "minor": Severity("轻微", 0, 3, False),
    "general": Severity("一般", 3, 12, True),
    "serious": Severity("严重", 12, 36, True),
}
DEFAULT_SEVERITY = "general"  # a fine of 5万–50万元 is a 较大数额罚款, 一般失信 in the measures' examples


# 国发〔2016〕33号: 行政许可、行政处罚等信息自作出行政决定之日起 7 个工作日内上网公开.
ONLINE_WORKING_DAYS = 7
# Platform practice: the regulator's dashboard warns when two working days or fewer are left.
AT_RISK_WORKING_DAYS = 2


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
    rule = SEVERITIES[severity]
    return Period(decided_on, add_months(decided_on, rule.min_months), add_months(decided_on, rule.max_months))


def fine_in_range(fine_yuan: Decimal) -> bool:
    return FINE_MIN_YUAN <= fine_yuan <= FINE_MAX_YUAN


# --- working days ---------------------------------------------------------------------------------

# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04): days off, and the weekend days worked instead.
HOLIDAYS = {
    date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3),
    *(date(2026, 2, d) for d in range(15, 24)),
    date(2026, 4, 4), date(2026, 4, 5), date(2026, 4, 6),
    *(date(2026, 5, d) for d in range(1, 6)),
    date(2026, 6, 19), date(2026, 6, 20), date(2026, 6, 21),
    date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27),
    *(date(2026, 10, d) for d in range(1, 8)),
    # 2027: only the statutory days of 《全国年节及纪念日放假办法》(2024 修订) — 元旦, 春节 (除夕至初三),
    # 清明, 劳动节 (2 days), 端午, 中秋, 国庆 (3 days). Replace with the State Council's 2027 notice,
    # which adds the bridging days and the make-up workdays, when it is published.
    date(2027, 1, 1),
    date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),
    date(2027, 4, 5),
    date(2027, 5, 1), date(2027, 5, 2),
    date(2027, 6, 9),
    date(2027, 9, 15),
    date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3),
}
MAKEUP_WORKDAYS = {
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
}


def is_working_day(day: date) -> bool:
    if day in MAKEUP_WORKDAYS:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the start day itself is not counted)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))


def online_due(decided_on: date) -> date:
    return add_working_days(decided_on, ONLINE_WORKING_DAYS)
