"""Which enterprises are candidates for the mandatory list, who answers for each, and who proposes,
confirms and publishes the list.

  促进法   — 《中华人民共和国清洁生产促进法》(2012 年修正) 第二十七条: the three cases of a mandatory audit
             (repealed from 2026-08-15 and compiled into the 生态环境法典: audits/rules.py ECO_CODE)
  审核办法 — 《清洁生产审核办法》(国家发展改革委、环境保护部令第 38 号) 第八条 (the same three cases, (一)
             超标或超总量, (二) 超过单位产品能源消耗限额, (三) 有毒有害物质), 第十条 (the departments propose
             the list by their remit and it is published in batches), 第十一条 (the listed firm discloses)

The law names the causes; it fixes no look-back window, no toxic industry list and no share of a
limit: those are local practice here, configurable through RULE_OVERRIDES within their bounds.
"""
from ..audits.rules import PROMOTION_LAW_SUPERSEDED
from ..core.rulebook import rule

SECTION = "强制性审核名单的筛选与公布"
ART8 = "《中华人民共和国清洁生产促进法》第二十七条；《清洁生产审核办法》第八条"

OVER_DISCHARGE = rule(
    "listing.cause_over_discharge", "候选条件（一）：超标或超总量排放",
    "监测值超过排放限值，或年排放量超过许可排放量", "",
    f"{ART8}第（一）项", section=SECTION,
    note="依据导入的监测记录：任一监测值大于其排放限值（超标），或年排放量大于许可排放量（超总量）。"
         "审核办法条文序号未能核对原文（促进法第二十七条已核对）。"
         + PROMOTION_LAW_SUPERSEDED)
OVER_ENERGY = rule(
    "listing.cause_over_energy", "候选条件（二）：超过单位产品能源消耗限额",
    "单位产品能耗超过适用的能耗限额标准限定值", "",
    f"{ART8}第（二）项", section=SECTION,
    note="依据导入的能耗数据：单位产品能耗大于所填能耗限额标准（如 GB 21256）的限定值。"
         "审核办法条文序号未能核对原文（促进法第二十七条已核对）。"
         + PROMOTION_LAW_SUPERSEDED)
TOXIC = rule(
    "listing.cause_toxic", "候选条件（三）：使用或排放有毒有害物质",
    "申报使用或排放优先控制化学品，或持重点管理排污许可证且属有毒有害物质重点行业", "",
    f"{ART8}第（三）项；优先控制化学品名录（第一批、第二批）", section=SECTION,
    note="优先控制化学品名录见环境保护部 工业和信息化部 卫生计生委 公告2017年第83号、生态环境部 工业和信息化部 "
         "卫生健康委 公告2020年第47号；重点管理许可证须在筛选日有效。审核办法条文序号未能核对原文（促进法第二十七条已核对）。"
         + PROMOTION_LAW_SUPERSEDED)
MONITORING_MONTHS = rule(
    "listing.monitoring_months", "超标、超总量记录的回溯期", 12, "个月",
    "地方实践：法规未规定以多长时间内的监测记录确定超标，默认筛选日前 12 个月", section=SECTION,
    kind="local_practice", bounds=(1, 36))
ENERGY_YEARS = rule(
    "listing.energy_years", "能耗数据的回溯年度数", 2, "个年度",
    "地方实践：法规未规定，默认筛选日所在年度及之前 2 个年度（能耗数据按年度统计，上一年度数据次年报送）",
    section=SECTION, kind="local_practice", bounds=(1, 5))
CHEMICAL_YEARS = rule(
    "listing.chemical_years", "优先控制化学品申报的回溯年度数", 2, "个年度",
    "地方实践：法规未规定，默认筛选日所在年度及之前 1 个年度", section=SECTION, kind="local_practice",
    bounds=(1, 5))
TOXIC_INDUSTRIES = rule(
    "listing.toxic_industries", "持重点管理排污许可证即列为候选的有毒有害物质重点行业（国民经济行业代码）",
    frozenset({"2520", "26", "2710", "32", "3360"}), "",
    "地方实践：取《关于深入推进重点行业清洁生产审核工作的通知》（环办科财〔2020〕27号）所列重点行业中使用或排放"
    "有毒有害物质的焦化、化工、原料药、有色、电镀行业，由本平台确定", section=SECTION, kind="local_practice",
    note="2520 炼焦、26 化学原料和化学制品制造、2710 化学药品原料药制造、32 有色金属冶炼和压延加工、3360 电镀；"
         "按许可证所载行业代码的前缀匹配，可按需增加（如皮革鞣制、铅蓄电池）。环办科财〔2020〕27号原文未能核对"
         "（所取行业与生态环境部清洁生产审核创新试点通知等公开文件列举的重点行业一致）。")
ENERGY_DEPARTMENT = rule(
    "listing.energy_department", "超过能耗限额的企业由哪个部门提出名单", "发展改革", "",
    "地方实践：《清洁生产审核办法》第十条由节能主管部门按职责提出；广西由哪个部门承担由本平台配置（发展改革或工业和信息化）",
    section=SECTION, kind="local_practice",
    note="超标、超总量和有毒有害物质由生态环境部门提出；可配置为“工业和信息化”。审核办法第十条的条文序号未能核对原文。")
PROPOSAL = rule(
    "listing.procedure", "名单的提出、核定与公布",
    ("设区市主管部门按职责提出", "自治区主管部门核定（可退回）", "自治区公布（文号、日期）"), "",
    "《清洁生产审核办法》第十条（由主管部门按职责提出名单、分期分批公布）；设区市提出、自治区核定为地方实践",
    section=SECTION,
    note="公布日期起算企业信息公开（1 个月）、开展审核（2 个月）和完成审核（1 年）的期限。设区市可删除候选企业或人工增补，"
         "均须说明理由。审核办法第十条的条文序号未能核对原文。")
SKIP_OPEN_ROUNDS = rule(
    "listing.skip_open_rounds", "已有未完成审核轮次的企业不列为候选", True, "",
    "地方实践：一家企业同时只能有一个未完成的审核轮次", section=SECTION, kind="local_practice")

DEPARTMENT_CODES = {"发展改革": "development_reform", "工业和信息化": "industry_it"}
POLLUTION_DEPARTMENT = "ecology_environment"


def department_for(cause: str) -> str:
    """The department responsible for a cause: ecology and environment for pollution and toxic
    substances; the configured energy department for energy."""
    if cause == "over_energy":
        return DEPARTMENT_CODES.get(ENERGY_DEPARTMENT.value, "development_reform")
    return POLLUTION_DEPARTMENT


def causes_of(department: str) -> list[str]:
    return [c for c in ("over_discharge", "over_energy", "toxic") if department_for(c) == department]


def listing_departments() -> set[str]:
    return {department_for(c) for c in ("over_discharge", "over_energy", "toxic")}
