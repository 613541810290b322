"""The uses of audit results (广西方案 §二十): which accepted firms each receiving department's list
holds, for how long a result counts, and the clean-production levels themselves.

  广西方案 — 广西“十四五”清洁生产推进方案 §二十 (audit and certification results feed tiered electricity
             prices, water quotas, heavy-pollution-weather performance grading, green procurement and green
             credit such as 桂惠贷; firms at the international leading level get priority)
"""
from dataclasses import dataclass

from ..audits.rules import HIGH_WATER_INDUSTRIES, PROMOTION_LAW_SUPERSEDED
from ..core.rulebook import Rule, rule

SECTION = "审核结果应用"
PLAN_20 = "广西“十四五”清洁生产推进方案 二十"

LEVELS = rule(
    "results.levels", "验收时评定的清洁生产水平",
    ("Ⅰ级 国际清洁生产领先", "Ⅱ级 国内清洁生产先进", "Ⅲ级 国内清洁生产一般"), "",
    "《清洁生产评价指标体系编制通则》（试行稿）（国家发展改革委、环境保护部、工业和信息化部公告 2013 年第 33 号）", section=SECTION,
    note="验收专家组对照企业所属行业的清洁生产评价指标体系评定；验收不合格的不评定。评定结果在审核公示页面公开。"
         "《编制通则》（试行稿）确有发布（公开文献记为2012年编制发布），公告号“2013年第33号”未能核对原文。")
VALIDITY_YEARS = rule(
    "results.validity_years", "审核结果用于结果应用的有效期（自验收合格之日起）", 3, "年",
    "地方实践：法规未规定结果应用的有效期；默认 3 年，可配置为 1–5 年（《清洁生产审核办法》第十二条的重复审核周期为 5 年）",
    section=SECTION, kind="local_practice", bounds=(1, 5))
PRIORITY = rule(
    "results.priority", "结果清单的排列", "Ⅰ级优先", "",
    f"{PLAN_20}（达到国际清洁生产领先水平的企业优先）", section=SECTION,
    note="各结果清单先列Ⅰ级企业，再按验收合格日期由近及远排列。广西方案原文未能核对，“二十”为本平台需求引述的条目。")


@dataclass(frozen=True)
class Use:
    key: str
    label: str
    department: str  # who applies it, in words
    levels: tuple[str, ...]  # audits.models.LEVELS codes the list holds
    rule: Rule
    industries_rule: Rule | None = None  # the rule naming the GB/T 4754 divisions the use concerns; None: all

    @property
    def industries(self) -> frozenset | None:
        return None if self.industries_rule is None else frozenset(self.industries_rule.value)

    @property
    def levels_label(self) -> str:
        return "、".join({"I": "Ⅰ级", "II": "Ⅱ级", "III": "Ⅲ级"}[level] for level in self.levels)


def _use_rule(key: str, label: str, levels: str, source: str, *, kind: str = "law", note: str = "") -> Rule:
    return rule(f"results.{key}", f"结果应用：{label}", levels, "", source, section=SECTION, kind=kind, note=note)


USES = {u.key: u for u in (
    Use("tiered_power_price", "阶梯电价", "发展改革（价格）部门、电网企业", ("I", "II", "III"), _use_rule(
        "tiered_power_price", "阶梯电价", "Ⅰ–Ⅲ级",
        f"{PLAN_20}；国家对高耗能行业按能效水平实行阶梯电价（如电解铝行业阶梯电价政策，发改价格〔2021〕1239号）",
        note="清单列出有效期内验收合格并评定水平的企业，供价格主管部门和电网企业执行阶梯电价时参考其能效和清洁生产水平。"
             "发改价格〔2021〕1239号的文号和内容未能核对原文；广西方案原文未能核对。")),
    Use("water_quota", "用水定额", "水利部门", ("I", "II", "III"), _use_rule(
        "water_quota", "用水定额", "Ⅰ–Ⅲ级（高耗水行业）",
        f"{PLAN_20}；《中华人民共和国水法》第四十七条（用水实行总量控制和定额管理相结合）",
        note="只列高耗水行业（与差别化审核的高耗水行业相同）的企业。水法第四十七条已核对原文；广西方案原文未能核对。"),
        HIGH_WATER_INDUSTRIES),
    Use("weather_grading", "重污染天气绩效分级", "生态环境部门", ("I", "II"), _use_rule(
        "weather_grading", "重污染天气绩效分级", "Ⅰ级、Ⅱ级",
        "地方实践：广西“十四五”清洁生产推进方案 二十要求结果用于绩效分级；达到国内清洁生产先进水平以上作为绩效分级参考为本平台的取舍",
        kind="local_practice", note="清单供生态环境部门开展重污染天气重点行业绩效分级时参考，不代替分级评定。")),
    Use("green_procurement", "绿色采购", "财政部门、采购人", ("I", "II"), _use_rule(
        "green_procurement", "绿色采购", "Ⅰ级、Ⅱ级",
        f"{PLAN_20}；《中华人民共和国清洁生产促进法》第十六条（优先采购有利于环境与资源保护的产品）",
        note="Ⅰ级企业在清单中优先列示。促进法第十六条已核对原文（2012年修正文本）；广西方案原文未能核对。"
             + PROMOTION_LAW_SUPERSEDED)),
    Use("green_credit", "绿色信贷（桂惠贷）", "金融管理部门、银行业金融机构", ("I", "II"), _use_rule(
        "green_credit", "绿色信贷（桂惠贷）", "Ⅰ级、Ⅱ级",
        "地方实践：广西“十四五”清洁生产推进方案 二十要求结果用于绿色信贷（桂惠贷）；入选水平为本平台的取舍，国家层面参照《绿色信贷指引》",
        kind="local_practice", note="清单供银行业金融机构和桂惠贷经办机构参考。")),
)}
