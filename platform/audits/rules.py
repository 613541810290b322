"""The clean-production audit rules: deadlines, procedure choice and non-compliance causes.

Every number here is a default with its legal source, so that a change of policy is one edit.
  清洁生产促进法 — 《中华人民共和国清洁生产促进法》(2012 修正)
  审核办法     — 《清洁生产审核办法》(国家发展改革委、环境保护部令第38号, 2016)
  评估验收指南 — 《清洁生产审核评估与验收指南》(环办科技〔2018〕5号)
"""
import calendar
from datetime import date

# 审核办法 第十一条: the enterprise publishes its information within one month of the list.
DISCLOSURE_MONTHS = 1
# 审核办法 (强制性审核的实施): the audit is started within two months of the list.
START_MONTHS = 2
# 审核办法 (强制性审核的实施): the round is completed, report submitted, within one year of the list.
REPORT_MONTHS = 12
# 评估验收指南: acceptance within one year of passing evaluation; local rules may allow two.
ACCEPTANCE_MONTHS = 12
# 审核办法: two mandatory audits of one enterprise are no more than five years apart.
NEXT_ROUND_MONTHS = 60
# The days before a deadline when the enterprise is reminded (platform practice).
REMINDER_DAYS = (30, 7, 1)

# 广西“十四五”清洁生产实施方案 (差别化审核): full procedure for 两高, high-water, high-emission and
# priority-chemical enterprises; a simplified procedure for the others.
HIGH_WATER_INDUSTRIES = {"13", "17", "22", "25", "26", "28"}  # 制糖、印染、造纸、石化、化工、化纤


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def procedure_for(enterprise) -> str:
    strict = (enterprise.two_high or enterprise.over_discharge or enterprise.toxic_substances
              or enterprise.over_energy_quota or enterprise.industry_code in HIGH_WATER_INDUSTRIES)
    return "full" if strict else "simplified"


def listing_deadlines(listed_on: date) -> dict:
    return {
        "disclosure_due": add_months(listed_on, DISCLOSURE_MONTHS),
        "start_due": add_months(listed_on, START_MONTHS),
        "report_due": add_months(listed_on, REPORT_MONTHS),
    }


def acceptance_due(evaluation_passed_on: date) -> date:
    return add_months(evaluation_passed_on, ACCEPTANCE_MONTHS)


def next_round_due(accepted_on: date) -> date:
    return add_months(accepted_on, NEXT_ROUND_MONTHS)


# Non-compliance causes, each with the date column it watches (see compliance.py).
CAUSES = {
    "disclosure_overdue": "逾期未公开企业信息（名单公布后 1 个月内）",
    "start_overdue": "逾期未开展清洁生产审核（名单公布后 2 个月内）",
    "report_overdue": "逾期未完成审核并提交审核报告（名单公布后 1 年内）",
    "evaluation_failed": "清洁生产审核评估不通过",
    "acceptance_overdue": "逾期未申请验收（评估通过后 1 年内）",
    "acceptance_failed": "清洁生产审核验收不合格",
    "next_round_overdue": "距上一轮强制性审核已逾 5 年未开展新一轮审核",
}
