"""The menus: one list for the public, one per role. An entry shows once its page exists."""
from flask import current_app

PUBLIC = [
    ("public.index", "首页"),
    ("audits.public_lookup", "审核公示"),
    ("audits.public_batches", "强制审核名单"),
    ("catalogue.search_page", "技术目录"),
    ("experts.directory", "专家库"),
    ("credit.public_records", "信用信息"),
    ("stats.public_page", "绩效统计"),
]

WORK = {
    "enterprise": [("enterprises.my_profile", "本企业资料"), ("audits.my_rounds", "我的审核")],
    "regulator": [("enterprises.index", "企业名录"), ("enterprises.import_file", "名录导入"),
                  ("audits.batches", "强制审核名单"), ("audits.rounds", "审核轮次"), ("audits.cases", "违规案件")],
    "admin": [("accounts.users", "账号管理"), ("auditlog.index", "审计日志"), ("enterprises.index", "企业名录"),
              ("catalogue.admin_list", "技术目录维护")],
}


def _existing(entries):
    return [(endpoint, label) for endpoint, label in entries if endpoint in current_app.view_functions]


def public_nav():
    return _existing(PUBLIC)


def work_nav(user):
    return _existing(WORK.get(user.role, []))
