"""The audit procedures as data (广西方案 差别化审核): each procedure's steps, which action moves a round
from which step to which, its report outline and its report deadline.

The state machine (services._transition) reads these tables; the services name an action
("submit_report", "begin_review", …) and never branch on the procedure themselves. A round keeps the
flow it was created with (AuditRound.combined_review), so a change of the configured rule does not
move a round already under way onto other steps.
"""
from dataclasses import dataclass

from . import rules
from .models import STATES


@dataclass(frozen=True)
class Move:
    from_states: tuple
    to_state: str


@dataclass(frozen=True)
class Flow:
    key: str
    label: str
    steps: tuple  # the states of the main path, in order
    moves: dict  # action -> Move
    outline: object  # the rule holding the report's chapters
    review_stages: tuple  # the states in which an expert panel reviews the round

    def move(self, action: str) -> Move | None:
        return self.moves.get(action)

    def step_labels(self) -> list[str]:
        return [STATES[s] for s in self.steps]


_COMMON = {
    "disclose": Move(("listed",), "disclosed"),
    "start": Move(("disclosed",), "auditing"),
}

FULL = Flow(
    "full", "完整审核程序",
    steps=("listed", "disclosed", "auditing", "report_submitted", "evaluation", "evaluation_passed", "acceptance",
           "accepted"),
    moves={**_COMMON,
           "submit_report": Move(("auditing", "evaluation_failed"), "report_submitted"),
           "begin_review": Move(("report_submitted",), "evaluation"),
           "pass_evaluation": Move(("evaluation",), "evaluation_passed"),
           "fail_evaluation": Move(("evaluation",), "evaluation_failed"),
           "request_acceptance": Move(("evaluation_passed", "acceptance_failed"), "acceptance"),
           "pass_acceptance": Move(("acceptance",), "accepted"),
           "fail_acceptance": Move(("acceptance",), "acceptance_failed")},
    outline=rules.FULL_REPORT_OUTLINE, review_stages=("evaluation", "acceptance"))

# 评估验收合并: one review after the report, by one panel, whose pass accepts the round; a failed
# review sends the enterprise back to revise its report.
COMBINED = Flow(
    "combined", "简化审核程序（评估验收合并）",
    steps=("listed", "disclosed", "auditing", "report_submitted", "review", "accepted"),
    moves={**_COMMON,
           "submit_report": Move(("auditing", "review_failed"), "report_submitted"),
           "begin_review": Move(("report_submitted",), "review"),
           "pass_review": Move(("review",), "accepted"),
           "fail_review": Move(("review",), "review_failed")},
    outline=rules.SIMPLIFIED_REPORT_OUTLINE, review_stages=("review",))

# The report outline of each procedure (rules, so the 规则与依据 page lists them).
OUTLINES = {"full": FULL.outline, "simplified": COMBINED.outline}


def combined_for(procedure: str) -> bool:
    """Whether a round created now with this procedure takes the combined review (the configured rule)."""
    return procedure == "simplified" and bool(rules.SIMPLIFIED_COMBINED_REVIEW.value)


def flow_of(round_) -> Flow:
    return COMBINED if round_.combined_review else FULL


def outline_text(procedure: str) -> str:
    """The downloadable report outline (Markdown): chapters and what each holds."""
    chapters = OUTLINES[procedure].value
    title = "简化审核程序" if procedure == "simplified" else "完整审核程序"
    lines = [f"# 清洁生产审核报告提纲（{title}）", "",
             "企业名称：", "统一社会信用代码：", "审核轮次（列入名单日期或开始日期）：", "",
             "## 前言（企业概况、审核依据、列入名单原因）", ""]
    for n, chapter in enumerate(chapters, 1):
        lines += [f"## 第{_CN_NUMBERS[n]}章 {chapter}", ""]
        lines += [f"{k}. {point}" for k, point in enumerate(_POINTS.get(chapter, ()), 1)]
        lines.append("")
    lines += ["## 附件（监测报告、物料平衡、能源和水平衡测试数据、方案汇总表）", "",
              f"本提纲依据：{OUTLINES[procedure].source}。"]
    return "\n".join(lines) + "\n"


_CN_NUMBERS = dict(enumerate("零一二三四五六七八九十", 0))
_POINTS = {
    "审核准备": ("组建审核小组，制定审核工作计划", "宣传、培训与动员"),
    "预审核": ("企业生产、能耗、物耗和污染物排放现状", "确定审核重点，设置清洁生产目标", "提出并实施无/低费方案"),
    "审核": ("审核重点的物料、能源、水平衡测试", "废物产生和能耗高的原因分析"),
    "方案的产生和筛选": ("汇总、筛选清洁生产方案", "无/低费方案实施效果"),
    "方案的确定": ("中/高费方案的技术、环境、经济可行性分析", "推荐实施的方案"),
    "方案的实施": ("方案实施计划与进度", "已实施方案的成果汇总"),
    "持续清洁生产": ("清洁生产组织机构和管理制度", "持续清洁生产计划"),
    "审核准备与预审核": ("审核小组与工作计划", "企业现状、审核重点与清洁生产目标", "无/低费方案"),
    "方案的产生、筛选和确定": ("清洁生产方案汇总与筛选", "中/高费方案可行性分析（如有）"),
    "方案的实施与持续清洁生产": ("方案实施与成果（实施前后对比）", "持续清洁生产计划"),
}


def progress(round_) -> list[dict]:
    """The round's procedure steps for display: each with whether it is done or where the round stands."""
    visited = {e.to_state for e in round_.events}
    return [{"state": s, "label": STATES[s], "current": s == round_.state,
             "done": s in visited and s != round_.state} for s in flow_of(round_).steps]
