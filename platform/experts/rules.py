"""Rules for the service organisations (咨询服务机构) that assist enterprises with their audits.

  审核办法 — 《清洁生产审核办法》(国家发展改革委、环境保护部令第38号, 2016)
"""
from ..core.rulebook import rule

ORGS = "咨询服务机构"

# 审核办法 第十六条: a consultancy assisting enterprises with their audits must meet these
# conditions. Each is a qualification requirement an organisation documents with evidence and a
# regulator checks (experts/accountability.py).
REQUIREMENTS = {
    "legal_person": "具有独立法人资格，具备为企业清洁生产审核提供公平、公正和高效率服务的质量保证体系和管理制度",
    "test_equipment": "具备开展清洁生产审核物料平衡测试、能量和水平衡测试的基本检测分析器具、设备或手段",
    "industry_staff": "拥有熟悉相关行业生产工艺、技术规程和节能、节水、污染防治管理要求的技术人员",
    "audit_staff": "拥有掌握清洁生产审核方法并具有清洁生产审核咨询经验的技术人员",
}
QUALIFICATION_CONDITIONS = rule(
    "service_orgs.conditions", "协助企业开展清洁生产审核的咨询服务机构应当具备的条件",
    tuple(REQUIREMENTS.values()), "", "《清洁生产审核办法》第十六条", section=ORGS,
    note="每项条件由机构提交证明材料，经监管部门核查后公开核查结论。四项条件的文字已与转引《清洁生产审核办法》"
         "（2016年第38号令）的政府网站答复核对；条文序号“第十六条”未能核对原文。")
SUSPENSION = rule(
    "service_orgs.suspension", "暂停咨询服务机构承接新的审核委托", "自治区监管部门决定，须写明理由", "",
    "地方实践：对评估、验收中发现弄虚作假或多次不通过的机构，由自治区监管部门暂停其承接新一轮审核，"
    "理由与解除均记入审计日志并公开", section=ORGS, kind="local_practice")
