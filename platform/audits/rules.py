"""The clean-production audit rules: deadlines, procedure choice, non-compliance causes and their penalties.

Every rule is declared with `rule(...)` (platform/core/rulebook.py) with the article it comes from, and is
listed on the public 规则与依据 page; what no law sets is marked local practice and is configurable.
  促进法       — 《中华人民共和国清洁生产促进法》(2002 年通过，2012 年 2 月 29 日修正)
  审核办法     — 《清洁生产审核办法》(国家发展改革委、环境保护部令第 38 号，2016 年 7 月 1 日起施行)
  评估验收指南 — 《清洁生产审核评估与验收指南》(环办科技〔2018〕5 号)
  广西方案     — 广西“十四五”清洁生产推进方案 (the plan the platform serves; seed §十六 差别化审核)
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..core.dates import add_months
from ..core.rulebook import rule

DEADLINES = "审核期限"
PROCEDURE = "差别化审核"
RECORD = "日期的记录与核实"
PENALTIES = "违规情形与处罚"

# 审核办法 第十一条: a listed enterprise publishes its information within one month of the list.
DISCLOSURE_MONTHS = rule(
    "audits.disclosure_months", "名单公布后公开企业相关信息的期限", 1, "个月",
    "《清洁生产审核办法》第十一条", section=DEADLINES)
# 审核办法 (2016): a listed enterprise starts its audit within two months of the list, and completes
# the round, reporting it to the authorities, within one year of it. The duty is the 办法's (provincial
# notices quote it as "按照《清洁生产审核办法》规定在名单公布后两个月内开展清洁生产审核，一年内完成本轮
# 清洁生产审核"); the article numbers could not be checked against the published text here, so the
# source names the rule's words rather than guess a number.
START_MONTHS = rule(
    "audits.start_months", "名单公布后开展清洁生产审核的期限", 2, "个月",
    "《清洁生产审核办法》（名单公布后两个月内开展清洁生产审核）", section=DEADLINES)
REPORT_MONTHS = rule(
    "audits.report_months", "名单公布后完成审核并报送审核报告的期限", 12, "个月",
    "《清洁生产审核办法》（名单公布之日起一年内完成本轮清洁生产审核并报送审核报告）", section=DEADLINES)
# No article of the 审核办法 or the 评估验收指南 fixes when acceptance must follow evaluation; the
# guide leaves the timing to the provinces. One year is this platform's default, and local rules
# may allow up to two.
ACCEPTANCE_MONTHS = rule(
    "audits.acceptance_months", "评估通过后申请验收的期限", 12, "个月",
    "地方实践：法规未规定评估与验收的间隔，默认 1 年，可配置为 1–24 个月", section=DEADLINES,
    kind="local_practice", bounds=(1, 24))
# 审核办法 第十二条: an enterprise listed under 第八条第（三）项 (toxic or hazardous substances) audits
# again at least every five years. Interpretation: the five years count from the day the previous
# round was accepted (验收合格, when that audit was complete), and are met when the next round is
# listed or started. No other enterprise has a repeat deadline.
NEXT_ROUND_MONTHS = rule(
    "audits.next_round_months", "有毒有害物质企业两次审核的最长间隔（自上一轮验收合格之日起）", 60, "个月",
    "《清洁生产审核办法》第十二条", section=DEADLINES,
    note="仅适用于因使用或排放有毒有害物质列入名单的企业；自上一轮验收合格之日起算为本平台的解释。")
REMINDER_DAYS = rule(
    "audits.reminder_days", "期限届满前提醒企业的天数", (30, 7, 1), "天",
    "地方实践：平台提醒，法规未规定", section=DEADLINES, kind="local_practice")

# 广西方案 (差别化审核): the strict (full) procedure for 高耗能、高耗水、高排放 (两高) enterprises and
# those using priority-control chemicals; a simplified procedure for the others. 两高 is the
# criterion for the procedure, not a cause of listing.
HIGH_WATER_INDUSTRIES = rule(
    "audits.high_water_industries", "按高耗水行业适用完整审核程序的行业（国民经济行业大类代码）",
    frozenset({"13", "17", "22", "25", "26", "28"}), "",
    "地方实践：广西“十四五”清洁生产推进方案要求高耗水企业严格审核，行业范围由本平台确定", section=PROCEDURE,
    kind="local_practice", note="13 农副食品加工（制糖）、17 纺织（印染）、22 造纸、25 石油加工、26 化工、28 化纤")
STRICT_PROCEDURE_BASIS = rule(
    "audits.strict_procedure", "适用完整（严格）审核程序的企业",
    "两高、高耗水、高排放及使用优先控制化学品的企业", "",
    "广西“十四五”清洁生产推进方案（差别化审核）", section=PROCEDURE,
    note="其他企业适用简化审核程序。两高不是列入强制性审核名单的情形。")
MANDATORY_CAUSES = rule(
    "audits.mandatory_causes", "实施强制性清洁生产审核的情形",
    ("超标或超总量排放", "超过单位产品能源消耗限额", "使用或排放有毒有害物质"), "",
    "《中华人民共和国清洁生产促进法》第二十七条；《清洁生产审核办法》第八条", section=PROCEDURE)

# A date that an enterprise or its service organisation declares for a step counts only as the
# platform witnessed it (the day it was recorded), unless a regulator confirms the declared date
# against evidence. A declared date this many days or fewer before the recording, and on or
# before the step's deadline when the recording is not, is taken as declared.
DECLARED_DATE_GRACE_DAYS = rule(
    "audits.declared_date_grace_days", "企业申报日期早于平台记录日期、无须核实的最长天数", 7, "天",
    "地方实践：申报日期早于记录日超过该天数，或记录时已过期限而申报日期在期限内的，须监管部门依据证据核实",
    section=RECORD, kind="local_practice", bounds=(0, 30))


def add_months_rule(start: date, months_rule) -> date:
    return add_months(start, months_rule.value)


def procedure_for(enterprise) -> str:
    strict = (enterprise.two_high or enterprise.over_discharge or enterprise.toxic_substances
              or enterprise.over_energy_quota or enterprise.industry_code in HIGH_WATER_INDUSTRIES.value)
    return "full" if strict else "simplified"


def listing_deadlines(listed_on: date) -> dict:
    return {
        "disclosure_due": add_months_rule(listed_on, DISCLOSURE_MONTHS),
        "start_due": add_months_rule(listed_on, START_MONTHS),
        "report_due": add_months_rule(listed_on, REPORT_MONTHS),
    }


def acceptance_due(evaluation_passed_on: date) -> date:
    return add_months_rule(evaluation_passed_on, ACCEPTANCE_MONTHS)


def next_round_due(accepted_on: date, toxic_listed: bool) -> date | None:
    """Only a round listed for toxic or hazardous substances has a repeat deadline (审核办法 第十二条)."""
    return add_months_rule(accepted_on, NEXT_ROUND_MONTHS) if toxic_listed else None


# --- causes of a case and the penalty each one carries ---------------------------------------------

# 促进法 第三十六条 (for 第十七条第二款): a listed enterprise that does not publish its energy use or
# key pollutant discharges is ordered to publish them, and MAY be fined up to 十万元 — with or without
# a refusal first; no fine at all is lawful.
DISCLOSURE_FINE = rule(
    "penalties.art36_fine", "未按规定公布能源消耗或重点污染物产生、排放情况的罚款", (Decimal("0"), Decimal("100000")),
    "元（最低–最高）", "《中华人民共和国清洁生产促进法》第三十六条（违反第十七条第二款）", section=PENALTIES,
    note="责令公布，可以处十万元以下的罚款；可以不罚款。")
# 促进法 第三十九条: not carrying out the mandatory audit, falsifying it, or not reporting or
# misreporting its results is ordered corrected within a time limit; only refusing to correct is
# fined 五万元以上五十万元以下.
AUDIT_FINE = rule(
    "penalties.art39_fine", "不实施强制性清洁生产审核、审核中弄虚作假、不报告或不如实报告审核结果，拒不改正的罚款",
    (Decimal("50000"), Decimal("500000")), "元（最低–最高）", "《中华人民共和国清洁生产促进法》第三十九条",
    section=PENALTIES, note="责令限期改正；拒不改正的，处五万元以上五十万元以下的罚款。")


@dataclass(frozen=True)
class Penalty:
    article: str
    legal_basis: str  # the default 处罚依据 text of a decision
    violation_type: str  # the default 违法行为类型 of the 双公示 record
    fine: object  # the rule holding (lowest, highest) in yuan
    needs_refusal: bool  # a fine only after a rectification order ran out (拒不改正)


ART36 = Penalty("《中华人民共和国清洁生产促进法》第三十六条",
                "《中华人民共和国清洁生产促进法》第十七条第二款、第三十六条",
                "未按规定公布能源消耗或者重点污染物产生、排放情况", DISCLOSURE_FINE, needs_refusal=False)
ART39 = Penalty("《中华人民共和国清洁生产促进法》第三十九条",
                "《中华人民共和国清洁生产促进法》第二十七条、第三十九条",
                "不实施强制性清洁生产审核", AUDIT_FINE, needs_refusal=True)
ART39_FALSE = Penalty("《中华人民共和国清洁生产促进法》第三十九条",
                      "《中华人民共和国清洁生产促进法》第三十九条",
                      "在清洁生产审核中弄虚作假或者不如实报告审核结果", AUDIT_FINE, needs_refusal=True)


@dataclass(frozen=True)
class Cause:
    label: str
    penalty: Penalty
    by_scan: bool = True  # opened by the daily scan; otherwise only by a regulator


CAUSES_RULES = {
    "disclosure_overdue": Cause("逾期未公开企业信息（名单公布后 1 个月内）", ART36),
    "start_overdue": Cause("逾期未开展清洁生产审核（名单公布后 2 个月内）", ART39),
    "report_overdue": Cause("逾期未完成审核并报送审核报告（名单公布后 1 年内）", ART39),
    "evaluation_failed": Cause("清洁生产审核评估不通过", ART39),
    "acceptance_overdue": Cause("逾期未申请验收（评估通过后期限内）", ART39),
    "acceptance_failed": Cause("清洁生产审核验收不合格", ART39),
    "next_round_overdue": Cause("有毒有害物质企业逾 5 年未开展新一轮审核", ART39),
    "falsified": Cause("审核中弄虚作假，或不报告、不如实报告审核结果", ART39_FALSE, by_scan=False),
}
CAUSES = {code: cause.label for code, cause in CAUSES_RULES.items()}
CASE_CAUSES = rule(
    "penalties.causes", "违规情形及其适用条款",
    tuple(f"{c.label}：{c.penalty.article}" for c in CAUSES_RULES.values()), "",
    "《中华人民共和国清洁生产促进法》第三十六条、第三十九条", section=PENALTIES,
    note="“弄虚作假或不如实报告”由监管部门立案（例如专家组以数据造假否决后），其余由每日合规扫描立案。")


def penalty_for(cause: str) -> Penalty:
    return CAUSES_RULES[cause].penalty
