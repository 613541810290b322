"""Expert review rules: panel size, pass mark, veto rule, the scoring tables and who may not sit.

Every rule is declared with `rule(...)` and listed on the public 规则与依据 page (platform/core/rulebook.py).
  评估验收指南 — 《清洁生产审核评估与验收指南》(环办科技〔2018〕5号)
  审核办法     — 《清洁生产审核办法》(国家发展改革委、环境保护部令第38号, 2016)
"""
from dataclasses import dataclass

from ..core.rulebook import rule

PANELS = "专家评审"

# 评估验收指南 (组织方式) has the regulator organise experts from the pool (专家库) for each review;
# the panel's size and pass mark are not fixed in a text checked here, and provinces differ, so
# both are local practice and configurable.
MIN_PANEL_SIZE = rule(
    "reviews.min_panel_size", "评估、验收专家组的最少人数", 3, "人",
    "地方实践：国家文件未统一规定专家组人数，默认不少于 3 人，可配置", section=PANELS,
    kind="local_practice", bounds=(3, 15))
MAX_PANEL_SIZE = rule(
    "reviews.max_panel_size", "评估、验收专家组的最多人数", 7, "人",
    "地方实践：复杂（如园区整体）审核可扩大专家组", section=PANELS, kind="local_practice", bounds=(3, 25))
PASS_MARK = rule(
    "reviews.pass_mark", "评估通过、验收合格的最低分（百分制，专家平均分）", 70, "分",
    "地方实践：评分表与合格线由各地确定，默认 70 分，可配置", section=PANELS, kind="local_practice",
    bounds=(50, 90))
# Any veto item (否决项) makes the review fail. How many members must tick a veto item for it to
# stand: 1 = any member's veto fails the review; a province that wants the panel's majority sets it higher.
VETO_MIN_MEMBERS = rule(
    "reviews.veto_min_members", "否决项成立所需的专家人数", 1, "人",
    "地方实践：任一否决项成立即不通过；默认一名专家勾选即成立", section=PANELS, kind="local_practice",
    bounds=(1, 7))
# The simplified procedure's one review (评估验收合并, audits/procedures.py) is done by a smaller panel
# of a fixed size; a full procedure's panel may be drawn from the least size up to the most.
COMBINED_PANEL_SIZE = rule(
    "reviews.combined_panel_size", "简化审核程序评估验收合并审查的专家组人数", 3, "人",
    "地方实践：简化程序审查内容较少，专家组固定为该人数（不少于 3 人），完整程序的专家组可在最少与最多人数之间确定",
    section=PANELS, kind="local_practice", bounds=(3, 7))
AUTO_CONCLUDE = rule(
    "reviews.auto_conclude", "全部专家签署后自动形成结论", False, "",
    "地方实践：默认由监管部门确认后记录结论", section=PANELS, kind="local_practice")

STAGES = {"evaluation": "评估", "acceptance": "验收", "review": "评估验收（合并）"}
OUTCOME_LABELS = {"evaluation": ("通过", "不通过"), "acceptance": ("合格", "不合格"), "review": ("合格", "不合格")}


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    max_points: int
    guidance: str


@dataclass(frozen=True)
class Veto:
    code: str
    label: str


# 评估验收指南 附件 (清洁生产审核评估技术要求): what the evaluation checks — that the audit really
# happened and followed the procedure, that the report is in form and its data true, and that the
# medium/high-cost plan is sound.
EVALUATION_ITEMS = (
    Item("process", "审核过程规范性", 15, "审核小组组建、审核计划、宣传培训，七个阶段完整开展"),
    Item("report", "审核报告质量", 20, "报告编制规范，数据真实、完整、可追溯"),
    Item("potential", "清洁生产潜力分析", 20, "物料、能源、水平衡测试，废物产生原因分析，审核重点与目标合理"),
    Item("low_cost", "无/低费方案实施", 15, "无/低费方案已实施，效果已统计"),
    Item("feasibility", "中/高费方案可行性论证", 20, "技术、环境、经济可行性分析充分"),
    Item("continuous", "持续清洁生产", 10, "组织机构、管理制度和持续清洁生产计划"),
)
EVALUATION_VETOES = (
    Veto("fake_data", "审核报告数据弄虚作假"),
    Veto("low_cost_undone", "未完成无/低费方案的实施"),
    Veto("key_issue_missed", "审核重点未涵盖超标排放、超能耗或有毒有害物质问题"),
    Veto("major_violation", "审核期间发生重大环境违法行为或污染事故"),
)

# 评估验收指南 附件 (清洁生产审核验收技术要求): acceptance verifies the performance achieved, with
# monitoring before and after the medium/high-cost schemes were built.
ACCEPTANCE_ITEMS = (
    Item("implementation", "方案实施情况", 25, "中/高费方案按计划实施，未实施的有合理说明"),
    Item("performance", "绩效核实（监测数据）", 25, "实施前后监测报告、能耗和物耗台账可核实"),
    Item("environmental", "环境效益", 20, "污染物削减、节能节水量达到审核目标"),
    Item("economic", "经济效益", 10, "经济效益计算合理"),
    Item("level", "清洁生产水平", 20, "对标行业清洁生产评价指标体系达到的水平"),
)
ACCEPTANCE_VETOES = (
    Veto("false_performance", "绩效数据不实"),
    Veto("over_discharge", "仍存在超标排放或超总量排放"),
    Veto("high_cost_undone", "中/高费方案未实施且无合理说明"),
    Veto("major_accident", "审核期间发生重大环境污染事故"),
)

# The combined review checks in one sitting what evaluation and acceptance check in two: that the
# audit really happened and its report is sound, and that the schemes were carried out with the
# results claimed. Its table takes the items of both, weighted for a simpler audit.
REVIEW_ITEMS = (
    Item("process", "审核过程规范性", 10, "审核小组、审核计划，简化程序各阶段完整开展"),
    Item("report", "审核报告质量", 20, "报告按简化提纲编制，数据真实、完整、可追溯"),
    Item("potential", "清洁生产潜力分析", 15, "审核重点、废物产生和能耗原因分析合理"),
    Item("implementation", "方案实施情况", 25, "无/低费方案已实施，中/高费方案（如有）已实施或有合理计划"),
    Item("performance", "绩效核实", 20, "实施前后监测数据、能耗和物耗台账可核实，达到审核目标"),
    Item("continuous", "持续清洁生产", 10, "组织机构、管理制度和持续清洁生产计划"),
)
REVIEW_VETOES = (
    Veto("fake_data", "审核报告数据弄虚作假"),
    Veto("false_performance", "绩效数据不实"),
    Veto("over_discharge", "仍存在超标排放或超总量排放"),
    Veto("major_accident", "审核期间发生重大环境污染事故"),
)

# The veto items that say the report or the performance data were falsified (弄虚作假): a panel's
# conclusion on one of these is put on the public record of the service organisation that assisted
# (experts/accountability.py), and is the usual ground for a 促进法 第三十九条 case.
FALSIFICATION_VETOES = ("fake_data", "false_performance")


ITEMS = {"evaluation": EVALUATION_ITEMS, "acceptance": ACCEPTANCE_ITEMS, "review": REVIEW_ITEMS}
VETOES = {"evaluation": EVALUATION_VETOES, "acceptance": ACCEPTANCE_VETOES, "review": REVIEW_VETOES}
for _stage, _items in ITEMS.items():
    if sum(i.max_points for i in _items) != 100:
        raise ValueError(f"the {_stage} item table must total 100 points")

# Who is left out of a draw, and why, in the order the reasons are checked (one reason recorded
# per expert). 评估验收指南 (回避): experts with an interest in the enterprise or in the service
# organisation that wrote the report do not sit; only approved experts of the enterprise's
# industry are drawn. An expert who has not completed the training hours of training/rules.py is
# left out too (local practice).
EXCLUSION_REASONS = {
    "on_panel": "已在本专家组中",
    "declined": "已拒绝参加本次评审",
    "pending": "尚未通过入库审核",
    "suspended": "已暂停",
    "retired": "已退出专家库",
    "specialty": "专业领域与企业行业不符",
    "same_employer": "与被审核企业为同一单位",
    "service_org": "受雇于为该企业提供审核服务的咨询机构",
    "declared": "本人申报的利益冲突",
    # Checked last, so that a conflict of interest is always named as such (conflict_with reads it).
    "training": "未完成规定的培训学时",
}

