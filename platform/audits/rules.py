"""The clean-production audit rules: deadlines, procedure choice, non-compliance causes and their penalties.

Every rule is declared with `rule(...)` (platform/core/rulebook.py) with the article it comes from, and is
listed on the public 规则与依据 page; what no law sets is marked local practice and is configurable.
  促进法       — 《中华人民共和国清洁生产促进法》(2002 年通过，2012 年 2 月 29 日修正；2026 年 8 月 15 日起
                 废止，编入《中华人民共和国生态环境法典》，见 ECO_CODE)
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
CERTIFICATION = "评价认证视同审核"

# The 《中华人民共和国生态环境法典》 takes effect on 2026-08-15 and its last article (第一千二百四十二条)
# repeals the 清洁生产促进法 on that day, the law's provisions having been compiled into the code (see
# ECO_CODE below for the sources). The code's article numbers that carry the 促进法 articles cited
# here (第十、十一、十六、二十七、三十六、三十九条) and its fine amounts could not be checked against its
# published text, so the rules keep citing the 促进法 and every one of them carries this note.
PROMOTION_LAW_SUPERSEDED = (
    "《清洁生产促进法》已编入《中华人民共和国生态环境法典》，法典自2026年8月15日起施行，促进法同时废止"
    "（法典第一千二百四十二条）；法典中对应的条文序号尚未核对，适用前请核对现行法典条文。")
PROMOTION_LAW_SUPERSEDED_PENALTY = PROMOTION_LAW_SUPERSEDED + (
    "违法行为发生在2026年8月15日以前的，依原促进法处罚，作出处罚决定时法典的规定处罚较轻的适用法典；"
    "此后发生的，依法典处罚（《行政处罚法》第三十七条）。法典的罚款数额尚未核对。")

# 审核办法 第十一条: a listed enterprise publishes its information within one month of the list.
DISCLOSURE_MONTHS = rule(
    "audits.disclosure_months", "名单公布后公开企业相关信息的期限", 1, "个月",
    "《清洁生产审核办法》第十一条", section=DEADLINES,
    note="名单公布后一个月内公开企业相关信息的义务已与各省转引《清洁生产审核办法》的通知核对；条文序号未能核对原文。")
# 审核办法 第十一条: what a listed enterprise publishes, by the cause it was listed for (第（一）至（三）项;
# a firm listed for several causes publishes each, 第（四）项). Item (一)'s wording was checked against
# a published copy here; items (二) and (三) follow the article's published text as the platform's forms
# render it (disclosures.FORMS). A disclosure counts for DISCLOSURE_MONTHS only when every form of the
# round's causes is filled: an item of the article left out is not the disclosure the article asks for.
DISCLOSURE_CONTENT = rule(
    "audits.disclosure_content", "列入名单企业应当公布的信息（按列入情形分表填报）",
    ("超标或超总量排放：企业名称、法人代表、企业所在地址、排放污染物名称、排放方式、排放浓度和总量、超标及超总量情况",
     "超过单位产品能耗限额：企业名称、法人代表、企业所在地址、主要能源品种及消耗量、单位产值能耗、单位产品能耗、"
     "超过单位产品能耗限额标准情况",
     "使用或排放有毒有害物质：企业名称、法人代表、企业所在地址、使用有毒有害原料的名称、数量、用途，排放有毒有害物质的名称、"
     "浓度和数量，危险废物的产生和处置情况，依法落实环境风险防控措施情况"), "",
    "《清洁生产审核办法》第十一条", section=DEADLINES,
    note="因两种以上情形列入的，分别填报各表（第十一条第（四）项）。只有各表均已填写完整，才计为已公开企业信息；"
         "公开日期不早于平台收齐各表之日，更早的日期须监管部门依据证据核实。已公开的信息只能以更正（新版本）方式修改，"
         "原版本保留并向监管部门显示。未因上述情形列入的轮次（如自愿性审核）登记公开日期和网址即可。")

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
    note="仅适用于因使用或排放有毒有害物质列入名单的企业；自上一轮验收合格之日起算为本平台的解释。"
         "“两次清洁生产审核的间隔时间不得超过五年”已与转引该办法的省级通知核对；条文序号未能核对原文。")
REMINDER_DAYS = rule(
    "audits.reminder_days", "期限届满前提醒企业的天数", (30, 7, 1), "天",
    "地方实践：平台提醒，法规未规定", section=DEADLINES, kind="local_practice")

# 广西方案 (差别化审核): the strict (full) procedure for 高耗能、高耗水、高排放 (两高) enterprises and
# those using priority-control chemicals; a simplified procedure for the others. 两高 is the
# criterion for the procedure, not a cause of listing. Which industries count as 两高 or 高耗水 no
# law of the audit fixes: the 两高 industries follow the Ministry's statistical scope for 两高
# projects (环环评〔2021〕45号: 煤电、石化、化工、钢铁、有色金属冶炼、建材, here by GB/T 4754-2017 大类),
# beside the enterprise's own 两高 flag (its 两高 project register entry).
TWO_HIGH_INDUSTRIES = rule(
    "audits.two_high_industries", "按“两高”行业适用完整审核程序的行业（国民经济行业大类代码）",
    frozenset({"25", "26", "30", "31", "32", "44"}), "",
    "地方实践：“两高”行业范围参照《关于加强高耗能、高排放建设项目生态环境源头防控的指导意见》"
    "（环环评〔2021〕45号）暂按煤电、石化、化工、钢铁、有色金属冶炼、建材六个行业类别统计的口径", section=PROCEDURE,
    kind="local_practice",
    note="25 石油、煤炭及其他燃料加工、26 化学原料和化学制品制造、30 非金属矿物制品（建材）、31 黑色金属冶炼（钢铁）、"
         "32 有色金属冶炼、44 电力热力生产（煤电）；企业登记为“两高”项目的，不论行业均适用完整程序。")
HIGH_WATER_INDUSTRIES = rule(
    "audits.high_water_industries", "按高耗水行业适用完整审核程序的行业（国民经济行业大类代码）",
    frozenset({"13", "17", "22", "25", "26", "28"}), "",
    "地方实践：广西“十四五”清洁生产推进方案要求高耗水企业严格审核，行业范围由本平台确定", section=PROCEDURE,
    kind="local_practice", note="13 农副食品加工（制糖）、17 纺织（印染）、22 造纸、25 石油加工、26 化工、28 化纤")
# The plan's text could not be checked against a published copy here (searched for 差别化审核 and 简化
# 审核程序): the citation is the plan as the issue quotes it (seed §十六); every detail the platform
# adds (the industries, the steps, deadlines, panel and outline of the simplified procedure) is local practice.
STRICT_PROCEDURE_BASIS = rule(
    "audits.strict_procedure", "适用完整（严格）审核程序的企业",
    "两高（高耗能、高排放）、高耗水、高排放（超标或超总量排放）及使用优先控制化学品的企业", "",
    "广西“十四五”清洁生产推进方案（差别化审核）", section=PROCEDURE,
    note="其他企业适用简化审核程序。两高不是列入强制性审核名单的情形。程序在企业列入名单（或登记审核）时确定，"
         "所依据的情形记录在审核轮次上，向监管部门、企业和公众显示。使用优先控制化学品以企业“使用或排放有毒有害物质”"
         "标记判断（该标记包括优先控制化学品）。广西方案原文未能核对，依据本平台需求引述的方案内容。")
MANDATORY_CAUSES = rule(
    "audits.mandatory_causes", "实施强制性清洁生产审核的情形",
    ("超标或超总量排放", "超过单位产品能源消耗限额", "使用或排放有毒有害物质"), "",
    "《中华人民共和国清洁生产促进法》第二十七条；《清洁生产审核办法》第八条", section=PROCEDURE,
    note="促进法第二十七条第二款已核对原文（2012年修正文本）；审核办法所列三种情形与之相同，其条文序号未能核对原文。"
         + PROMOTION_LAW_SUPERSEDED)

# The simplified procedure's own steps, deadline, report and panel (the panel's size is a review
# rule, reviews/rules.py). None of these is fixed by law: the plan asks for a simplified procedure
# and leaves its shape to the province.
SIMPLIFIED_COMBINED_REVIEW = rule(
    "audits.simplified_combined_review", "简化审核程序将评估与验收合并为一次审查（评估验收合并）", True, "",
    "地方实践：广西“十四五”清洁生产推进方案要求对其他企业实行简化审核，具体步骤由本平台确定，可配置", section=PROCEDURE,
    kind="local_practice",
    note="简化程序：列入名单 → 企业信息已公开 → 审核中 → 报告已提交 → 评估验收合并审查 → 验收合格（不合格的修改报告后重新审查）。"
         "完整程序：列入名单 → 企业信息已公开 → 审核中 → 报告已提交 → 评估 → 评估通过 → 申请验收 → 验收合格。"
         "设为“否”时，此后列入的简化程序企业也走完整程序的步骤（已开始的轮次不变）。")
SIMPLIFIED_REPORT_MONTHS = rule(
    "audits.simplified_report_months", "简化审核程序：名单公布后完成审核并报送审核报告的期限", 6, "个月",
    "地方实践：简化程序审核内容较少，报告期限短于完整程序的一年，默认 6 个月，可配置为 3–12 个月", section=PROCEDURE,
    kind="local_practice", bounds=(3, 12))
# The chapters of the report: the seven stages of the audit procedure (审核办法's 清洁生产审核程序,
# and the structure of the industry audit guides, HJ 469-2009), and the simplified report's merged ones.
FULL_REPORT_OUTLINE = rule(
    "audits.full_report_outline", "完整审核程序：审核报告章节",
    ("审核准备", "预审核", "审核", "方案的产生和筛选", "方案的确定", "方案的实施", "持续清洁生产"), "",
    "《清洁生产审核办法》（清洁生产审核程序：审核准备、预审核、审核、方案的产生和筛选、方案的确定、方案的实施、持续清洁生产）",
    section=PROCEDURE, note="报告提纲可在审核轮次页面下载。")
SIMPLIFIED_REPORT_OUTLINE = rule(
    "audits.simplified_report_outline", "简化审核程序：审核报告章节（合并后的章节）",
    ("审核准备与预审核", "审核", "方案的产生、筛选和确定", "方案的实施与持续清洁生产"), "",
    "地方实践：按清洁生产审核七个阶段合并为四章，章节名称可配置", section=PROCEDURE, kind="local_practice",
    note="审核准备与预审核合并，方案的产生和筛选与方案的确定合并，方案的实施与持续清洁生产合并。")

# 广西方案: an enterprise whose clean production is certified (清洁生产评价认证) is taken to have
# carried out the audit (视同开展清洁生产审核). The 审核办法 (2016) itself has no such provision in
# the text checked here; the plan is the source, and how the platform accepts a certificate (a
# regulator of the enterprise's city checks it against the certificate) is local practice.
CERTIFICATION_COUNTS = rule(
    "audits.certification_counts", "通过清洁生产评价认证的企业视同开展清洁生产审核", True, "",
    "广西“十四五”清洁生产推进方案（评价认证视同开展清洁生产审核）", section=CERTIFICATION,
    note="经核实的评价认证，了结企业所在强制性审核轮次的名单义务：轮次以“评价认证视同完成审核”结束，此后不再因其期限立案；"
         "此前已立的案件仍由监管部门处理。广西方案原文未能核对，依据本平台需求引述的方案内容。")
CERTIFICATE_MAX_AGE_MONTHS = rule(
    "audits.certificate_max_age_months", "视同审核的评价认证证书，发证日期距登记之日的最长期限", 36, "个月",
    "地方实践：证书由企业或监管部门登记（证书编号、认证机构、发证日期、认证范围及证书 PDF），"
    "由企业所在设区市监管部门对照证书核实；默认只认 3 年内发证的证书，可配置为 12–60 个月",
    section=CERTIFICATION, kind="local_practice", bounds=(12, 60),
    note="企业不能核实本企业的证书；证书一经核实，企业不能再修改。")

PERMIT = "排污许可与碳减排"
# 排污许可管理条例 (国务院令第 736 号, 2021-03-01): 第二条 a unit under permit management must obtain a
# permit and may not discharge without one; 第二十二条 it submits 执行报告 as its permit requires; 第二十四条
# units whose discharges are very small fill in a 排污登记表 instead. Barring acceptance of a round whose
# firm must hold a permit but records none is this platform's reading (the acceptance verifies lawful,
# compliant discharge), configurable: off, the panel sees a warning only.
PERMIT_AT_ACCEPTANCE = rule(
    "audits.permit_at_acceptance", "应取得排污许可证而审核轮次未记录排污许可证的，不能作出验收（或评估验收合并审查）合格结论",
    True, "", "地方实践：依据《排污许可管理条例》第二条（依法实行排污许可管理的排污单位应当申请取得排污许可证；"
              "未取得排污许可证的，不得排放污染物），验收时核对排污许可证，可配置为只提示",
    section=PERMIT, kind="local_practice",
    note="排污许可证数据（重点管理、简化管理）表明企业应持证的，审核轮次须记录已取得排污许可证；登记管理的企业记录排污登记即可"
         "（第二十四条）。未记录上一年度执行报告（第二十二条）的，只向专家组和监管部门提示，不阻止结论。设为“否”时只提示。")
CARBON_CONTENT = rule(
    "audits.carbon_content", "碳减排纳入审核的轮次记录的内容",
    ("基准年及其二氧化碳排放量（tCO2）", "碳排放强度（tCO2/单位产品）", "二氧化碳减排目标（tCO2/年）及目标年"), "",
    "地方实践：广西“十四五”清洁生产推进方案提出将碳减排纳入清洁生产审核，记录内容由本平台确定", section=PERMIT,
    kind="local_practice", note="数值须为正数，目标年须晚于基准年，减排目标须小于基准年排放量。")

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


# The criteria of the strict procedure, in the order they are shown: (code, label, test).
STRICT_CRITERIA = (
    ("two_high", "两高企业（登记的“两高”项目）", lambda e: e.two_high),
    ("two_high_industry", "属于“两高”行业", lambda e: (e.industry_code or "")[:2] in TWO_HIGH_INDUSTRIES.value),
    ("over_energy_quota", "高耗能：超过单位产品能源消耗限额", lambda e: e.over_energy_quota),
    ("high_water", "属于高耗水行业", lambda e: (e.industry_code or "")[:2] in HIGH_WATER_INDUSTRIES.value),
    ("over_discharge", "高排放：超标或超总量排放", lambda e: e.over_discharge),
    ("toxic_substances", "使用或排放有毒有害物质（含优先控制化学品）", lambda e: e.toxic_substances),
)
SIMPLIFIED_BASIS = "不属于两高、高耗水、高排放或使用优先控制化学品的企业"


def procedure_choice(enterprise) -> tuple[str, list[str]]:
    """The procedure the enterprise's round follows, and the criteria that decided it (广西方案 差别化审核)."""
    reasons = [label for _code, label, applies in STRICT_CRITERIA if applies(enterprise)]
    return ("full", reasons) if reasons else ("simplified", [SIMPLIFIED_BASIS])


def procedure_for(enterprise) -> str:
    return procedure_choice(enterprise)[0]


def listing_deadlines(listed_on: date, procedure: str = "full") -> dict:
    report_months = SIMPLIFIED_REPORT_MONTHS if procedure == "simplified" else REPORT_MONTHS
    return {
        "disclosure_due": add_months_rule(listed_on, DISCLOSURE_MONTHS),
        "start_due": add_months_rule(listed_on, START_MONTHS),
        "report_due": add_months_rule(listed_on, report_months),
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
    note="责令公布，可以处十万元以下的罚款；可以不罚款。" + PROMOTION_LAW_SUPERSEDED_PENALTY)
# 促进法 第三十九条: not carrying out the mandatory audit, falsifying it, or not reporting or
# misreporting its results is ordered corrected within a time limit; only refusing to correct is
# fined 五万元以上五十万元以下.
AUDIT_FINE = rule(
    "penalties.art39_fine", "不实施强制性清洁生产审核、审核中弄虚作假、不报告或不如实报告审核结果，拒不改正的罚款",
    (Decimal("50000"), Decimal("500000")), "元（最低–最高）", "《中华人民共和国清洁生产促进法》第三十九条",
    section=PENALTIES, note="责令限期改正；拒不改正的，处五万元以上五十万元以下的罚款。" + PROMOTION_LAW_SUPERSEDED_PENALTY)


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
    "report_overdue": Cause("逾期未完成审核并报送审核报告（名单公布后 1 年内；适用简化审核程序的按其期限）", ART39),
    "evaluation_failed": Cause("清洁生产审核评估不通过", ART39),
    "acceptance_overdue": Cause("逾期未申请验收（评估通过后期限内）", ART39),
    "acceptance_failed": Cause("清洁生产审核验收不合格", ART39),
    "review_failed": Cause("简化审核程序评估验收合并审查不合格", ART39),
    "next_round_overdue": Cause("有毒有害物质企业逾 5 年未开展新一轮审核", ART39),
    "falsified": Cause("审核中弄虚作假，或不报告、不如实报告审核结果", ART39_FALSE, by_scan=False),
}
CAUSES = {code: cause.label for code, cause in CAUSES_RULES.items()}
CASE_CAUSES = rule(
    "penalties.causes", "违规情形及其适用条款",
    tuple(f"{c.label}：{c.penalty.article}" for c in CAUSES_RULES.values()), "",
    "《中华人民共和国清洁生产促进法》第三十六条、第三十九条", section=PENALTIES,
    note="“弄虚作假或不如实报告”由监管部门立案（例如专家组以数据造假否决后），其余由每日合规扫描立案。"
         + PROMOTION_LAW_SUPERSEDED_PENALTY)


# The 《中华人民共和国生态环境法典》: adopted 2026-03-12 by the 4th session of the 14th National People's
# Congress, 5 编 1242 条, in force from 2026-08-15; 第一千二百四十二条 repeals on that day the 环境保护法,
# 环境影响评价法, 海洋环境保护法, 大气、水、土壤、固体废物、噪声、放射性污染防治法 and the 清洁生产促进法.
# Checked (2026-12-06) against: the repeal list and dates republished from the code in the public repository
# qcmuu/just-laws (docs/ecological-environment/ecological-environment-code/README.md, versions.json);
# climatecooperation.cn/climate/chinas-ecological-and-environmental-code-formally-adopted/ (adopted 12 March
# 2026, in force 15 August 2026, ten laws repealed); ettoday.net/news/20260313/3131584.htm (adopted on the
# 12th); 经济观察报 2026-03-14 via reportify.ai/social-media/783567789753976 (in force 2026-08-15). The 主席令
# number (第七十号) is from a listing of jhsjk.people.cn/article/40681085 quoted in a public repository, not the
# order itself. 《行政处罚法》第三十七条 (从旧兼从轻) checked against its text (zhb.org.cn/gjhb/gjhb_3/2022-03-30/14038.html).
ECO_CODE = rule(
    "penalties.eco_code", "《中华人民共和国生态环境法典》施行，《清洁生产促进法》同时废止", "2026年8月15日起", "",
    "《中华人民共和国生态环境法典》（2026年3月12日第十四届全国人民代表大会第四次会议通过）第一千二百四十二条",
    section=PENALTIES,
    note="法典共五编1242条，自2026年8月15日起施行；《环境保护法》《环境影响评价法》《清洁生产促进法》等十部法律同时废止，"
         "其规定经编订纂修纳入法典。本页引用原《清洁生产促进法》的规则（强制性审核情形、信息公开、罚款等）尚未改引法典条文："
         "法典中对应的条文序号和罚款数额尚未核对原文。违法行为发生在2026年8月15日以前的，适用原促进法；作出处罚决定时法典"
         "处罚较轻的，适用法典（《行政处罚法》第三十七条，已核对原文）。通过日期、施行日期和废止清单已与公开报道及法典末条的"
         "转载核对；公布法典的主席令（第七十号）未能核对原文。")


def penalty_for(cause: str) -> Penalty:
    return CAUSES_RULES[cause].penalty
