"""The menus: one list for the public, one per role. An entry shows once its page exists, and an
entry that only some users of the role may open (by department) shows to those the feature lets in."""
from flask import current_app

from .listing.services import proposes_lists
from .projects.services import reads_register
from .sectors.services import reports_targets

PUBLIC = [
    ("public.index", "首页"),
    ("audits.public_lookup", "审核公示"),
    ("audits.public_batches", "强制审核名单"),
    ("catalogue.search_page", "技术目录"),
    ("knowledge.search_page", "知识库"),
    ("experts.directory", "专家库"),
    ("credit.public_records", "信用信息"),
    ("stats.public_page", "绩效统计"),
    ("public.map", "地图"),
    ("sectors.dashboard", "行业目标"),
    ("results.index", "结果应用"),
    ("training.index", "培训"),
    ("public.rules", "规则与依据"),
]

WORK = {
    "enterprise": [("enterprises.my_profile", "本企业资料"), ("audits.my_rounds", "我的审核"),
                   ("schemes.mine", "清洁生产方案"), ("stats.mine", "审核绩效"), ("credit.mine", "信用记录"),
                   ("experts.enterprise_reviews", "评估验收"), ("training.mine", "我的培训")],
    "regulator": [("accounts.workbench", "工作台"), ("enterprises.index", "企业名录"), ("enterprises.import_file", "名录导入"),
                  ("audits.batches", "强制审核名单"), ("listing.index", "名单筛选与核定"), ("audits.rounds", "审核轮次"), ("audits.confirmations", "日期核实"),
                  ("audits.certifications_pending", "评价认证核实"),
                  ("audits.cases", "违规案件"),
                  ("schemes.index", "方案实施"), ("schemes.revisions", "方案修订审核"),
                  ("schemes.figures_to_review", "方案数值核实"), ("stats.overview", "绩效统计"),
                  ("sectors.report", "行业目标填报"), ("projects.index", "“两高”项目"),
                  ("credit.dashboard", "信用信息"),
                  ("experts.pool", "专家库"), ("reviews.panels_index", "评估验收专家组"),
                  ("reviews.approvals", "待审批事项"), ("knowledge.staff_list", "知识库维护"), ("training.index", "培训管理")],
    "expert": [("experts.my_profile", "我的专家资料"), ("reviews.my_reviews", "我的评审任务"),
               ("training.mine", "我的培训")],
    "service_org": [("experts.my_org", "本机构"), ("training.mine", "我的培训")],
    "admin": [("accounts.users", "账号管理"), ("auditlog.index", "审计日志"), ("enterprises.index", "企业名录"),
              ("catalogue.admin_list", "技术目录维护"), ("stats.overview", "绩效统计"), ("projects.index", "“两高”项目"),
              ("experts.pool", "专家库"), ("knowledge.staff_list", "知识库维护")],
}


# Entries a user of the role may still be refused by department: endpoint -> the feature's own test
# of the user (the same one its pages apply), so a menu shows only what the user may open.
MAY_OPEN = {
    "listing.index": proposes_lists,  # ecology and environment, and the energy departments
    "projects.index": reads_register,  # development and reform, industry and IT, ecology and environment; admins
    "sectors.report": reports_targets,  # the departments with a 2025 target to report
}


def _existing(entries):
    return [(endpoint, label) for endpoint, label in entries if endpoint in current_app.view_functions]


def public_nav():
    return _existing(PUBLIC)


def work_nav(user):
    return [(endpoint, label) for endpoint, label in _existing(WORK.get(user.role, []))
            if endpoint not in MAY_OPEN or MAY_OPEN[endpoint](user)]


def has_page(endpoint: str) -> bool:
    """Whether a page exists, for links to features an installation may not have."""
    return endpoint in current_app.view_functions
