"""The regulator's workbench (工作台): what waits for them, counted by the services that keep each list.

Every count is the length of the very query the linked list page shows, so a regulator who follows
a link finds as many rows as the count said, in the same scope (their city, or the province).
"""
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import func, select

from ..audits import cases, certifications, services as audits
from ..core import access
from ..core.extensions import db
from ..credit import services as credit
from ..experts import engagements, services as pool
from ..knowledge import services as knowledge
from ..listing import services as listing
from ..projects import services as projects
from ..reviews import services as panels
from . import requests as account_requests


@dataclass
class Item:
    label: str
    count: int
    url: str
    hint: str = ""


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def regulator_items(user) -> list[tuple[str, list[Item]]]:
    """Groups of (heading, items) for the regulator's workbench, in the user's scope."""
    access.require_role(user, "regulator", "admin", message="只有监管部门可以查看工作台。")
    approvals = (len(panels.pending_requests(user)) + len(engagements.awaiting_regulator(user))
                 + (len(pool.pending_names()) if user.is_province_regulator else 0))
    return [group for group in ([
        ("审核轮次", [
            Item("报告已提交、待启动评估", _count(audits.rounds_for(user, state="report_submitted")),
                 url_for("audits.rounds", state="report_submitted")),
            Item("逾期的审核轮次", _count(audits.rounds_for(user, overdue="1")), url_for("audits.rounds", overdue="1"),
                 "已超过信息公开、审核开始、报告提交或验收期限。"),
            Item("待核实的办理日期", _count(audits.pending_confirmations(user)), url_for("audits.confirmations")),
            Item("待核实的评价认证", _count(certifications.pending(user)), url_for("audits.certifications_pending"),
                 "核实后视同开展清洁生产审核，了结名单义务。"),
        ]),
        _listing_group(user),
        ("评估验收", [
            Item("待组建专家组", len(panels.rounds_awaiting_panel(user)), url_for("reviews.panels_index")),
            Item("待审批事项", approvals, url_for("reviews.approvals"), "代专家拒绝、撤销专家组、服务机构变更等须第二人批准的申请。"),
        ]),
        ("违规案件", [
            Item("待处理案件", _count(cases.visible(user, "open")), url_for("audits.cases", status="open")),
            Item("逾期未整改案件", _count(cases.visible(user, "overdue")), url_for("audits.cases", status="overdue")),
        ]),
        ("信用信息", [
            Item("待审核的信用记录", _count(credit.records_for_regulator(user, state="pending")),
                 url_for("credit.records", state="pending")),
            Item("待审核的信用修复申请", _count(credit.pending_repairs(user)), url_for("credit.dashboard")),
        ]),
        ("账号申请", [
            Item("待审核的企业账号申请", _count(account_requests.visible(user, "pending")),
                 url_for("accounts.account_requests_index", state="pending")),
        ]),
        _projects_group(user),
        _knowledge_group(user),
    ]) if group is not None]


# Groups only some users of the workbench see: each feature's own test of the user decides (the same
# one its pages apply, as the menus do), and the count is the query its list page shows.

def _listing_group(user):
    if not listing.proposes_lists(user):
        return None
    label = "待核定的名单" if user.is_province_regulator else "被退回、待修改后重新提交的名单"
    return ("强制性审核名单办理", [
        Item(label, _count(listing.waiting_for(user)), url_for("listing.proposals", waiting="1"),
             "本部门的名单：设区市提出，自治区核定后公布。"),
    ])


def _projects_group(user):
    if not projects.reads_register(user):
        return None
    return ("“两高”项目", [
        Item(f"有预警的项目：{label}", _count(projects.query(user, projects.Filters(warning=code))),
             url_for("projects.index", warning=code))
        for code, label in projects.WARNING_LABELS.items()
    ])


def _knowledge_group(user):
    if not user.is_province_regulator:
        return None  # documents are approved by the province
    return ("知识库", [
        Item("待审批的知识库文件", len(knowledge.awaiting_approval(user)), url_for("knowledge.staff_list", status="pending"),
             "由另一名自治区监管人员审批后发布（本人提交的不计）。"),
    ])
