"""The audit log in words a reader knows: every action, object type and field by its Chinese name,
and coded values (states, roles, cities, people) by what they stand for.

The log itself keeps the codes (they are what a query or an export filters on); this module only
presents them. tests/foundation/test_auditlog_labels.py fails when a service logs an action or a
field that has no name here.
"""

ACTIONS = {
    # accounts
    "user.create": "创建账号",
    "user.password": "修改密码",
    "user.password_reset": "管理员重置密码",
    "user.password_reset_mail": "通过邮件重置密码",
    "user.unlock": "解除登录锁定",
    "user.activate": "启用账号",
    "user.deactivate": "停用账号",
    "token.issue": "签发 API 令牌",
    "token.revoke": "吊销 API 令牌",
    "account_request.create": "企业申请账号",
    "account_request.approve": "批准企业账号申请",
    "account_request.reject": "驳回企业账号申请",
    # enterprises
    "enterprise.create": "登记企业",
    "enterprise.update": "修改企业信息",
    "enterprise.update_profile": "企业更新本企业资料",
    # audit rounds and lists
    "batch.publish": "公布强制性审核名单",
    "round.create": "创建审核轮次",
    "round.listed": "审核轮次：列入名单",
    "round.disclosed": "审核轮次：企业信息已公开",
    "round.auditing": "审核轮次：开始审核",
    "round.report_submitted": "审核轮次：提交审核报告",
    "round.evaluation": "审核轮次：进入评估",
    "round.evaluation_passed": "审核轮次：评估通过",
    "round.evaluation_failed": "审核轮次：评估不通过",
    "round.acceptance": "审核轮次：申请验收",
    "round.accepted": "审核轮次：验收合格",
    "round.acceptance_failed": "审核轮次：验收不合格",
    "round.cancelled": "审核轮次：撤销",
    "round.review": "审核轮次：进入评估验收合并审查（简化程序）",
    "round.review_failed": "审核轮次：评估验收合并审查不合格",
    "round.certified": "审核轮次：评价认证视同完成审核",
    "certification.record": "登记清洁生产评价认证",
    "certification.revise": "修改清洁生产评价认证登记",
    "certification.confirm": "核实评价认证（视同开展清洁生产审核）",
    "certification.reject": "不予核实评价认证",
    "round.service_org": "变更委托的咨询服务机构",
    "round.service_org.propose": "提出委托咨询服务机构",
    "round.service_org.confirm": "服务机构确认委托",
    "round.service_org.refuse": "服务机构不予确认委托",
    "round.service_org.approve": "监管部门批准委托变更",
    "round.service_org.reject": "监管部门驳回委托变更",
    "round.service_org.withdraw": "撤回委托申请",
    "step.confirm": "核实企业申报日期",
    "disclosure.file": "填报信息公开表（审核办法第十一条）",
    "round.permit": "审核轮次：记录排污许可情况",
    "round.carbon": "审核轮次：记录碳排放基准与减排目标",
    "disclosure.correct": "更正信息公开表（新版本，原版本保留）",
    "step.refuse": "不予采信企业申报日期",
    # compliance cases
    "compliance.scan": "合规扫描",
    "case.open": "立案（违规案件）",
    "case.update": "更新违规案件",
    "case.open_again": "重新打开违规案件",
    "case.rectifying": "责令限期整改",
    "case.overdue": "案件逾期未整改",
    "case.rectified": "案件已整改",
    "case.closed": "结案",
    "case.penalized": "案件已作出行政处罚",
    # schemes
    "scheme.create": "新增清洁生产方案",
    "scheme.update": "修改清洁生产方案",
    "scheme.delete": "删除清洁生产方案",
    "scheme.withdraw": "撤回清洁生产方案",
    "scheme.progress": "登记方案实施进展",
    "scheme.review_flag": "方案数值待核实",
    "scheme.review_confirm": "确认方案数值",
    "scheme.review_reject": "不确认方案数值",
    "scheme.revision_request": "申请修订方案",
    "scheme.revision_approve": "批准方案修订",
    "scheme.revision_reject": "驳回方案修订",
    # experts, service organisations and panels
    "expert.register": "专家注册",
    "expert.update": "修改专家资料",
    "expert.approve": "批准专家入库",
    "expert.suspend": "暂停专家",
    "expert.retire": "专家退出专家库",
    "expert.name.request": "专家申请更改姓名",
    "expert.name.approve": "批准专家更名",
    "expert.name.reject": "驳回专家更名",
    "expert.conflict.declare": "专家申报利益冲突",
    "expert.conflict.withdraw": "专家撤回利益冲突申报",
    "service_org.create": "登记咨询服务机构",
    "panel.draw": "随机抽取评审专家",
    "panel.decline": "专家拒绝参加评审",
    "panel.cancel": "撤销专家组",
    "panel.request": "提出专家组事项申请（须另一名监管人员批准）",
    "panel.request.approve": "批准专家组事项申请",
    "panel.request.reject": "驳回专家组事项申请",
    "panel.request.lapse": "专家组事项申请失效",
    "panel.sign": "专家签署评分表",
    "panel.conclude": "专家组作出结论",
    # credit
    "penalty.create": "录入行政处罚决定",
    "credit_record.create": "生成信用记录",
    "credit_record.approve": "审核通过信用记录",
    "credit_record.withdraw": "撤下信用记录",
    "credit_repair.apply": "申请信用修复",
    "credit_repair.approved": "准予信用修复",
    "credit_repair.rejected": "不予信用修复",
    "credit_delivery.retry": "重新报送信用信息",
    "credit.publish": "向信用中国（广西）报送",
    "credit.expire": "撤下公示期满的信用记录",
    # technology catalogue
    "technology.create": "新增清洁生产技术",
    "technology.update": "修改清洁生产技术",
    "technology.publish": "发布清洁生产技术",
    "technology.withdraw": "撤回清洁生产技术",
    # knowledge base
    "document.create": "起草知识库文件",
    "document.update": "修改知识库文件草稿",
    "document.submit": "提交知识库文件审批",
    "document.approve": "审批发布知识库文件",
    "document.reject": "退回知识库文件",
    "document.supersede": "知识库文件被新版本替代",
    # subscriptions
    "subscription.digest": "发送订阅周报",
    # the sectors' 2025 targets
    "sector_figure.report": "填报行业目标年度数值",
    "sector_figure.revise": "修订行业目标年度数值",
    # mandatory lists built from evidence (platform/listing)
    "evidence.import_permits": "导入排污许可证",
    "evidence.import_monitoring": "导入监测超标与总量记录",
    "evidence.import_energy": "导入能耗数据",
    "evidence.import_chemicals": "导入优先控制化学品使用与排放申报",
    "list_proposal.create": "设区市提出强制性审核名单（按规则筛选候选企业）",
    "list_proposal.keep": "名单保留企业",
    "list_proposal.drop": "名单删除企业",
    "list_proposal.add": "名单人工增补企业",
    "list_proposal.submit": "设区市报送名单",
    "list_proposal.return": "自治区退回名单",
    "list_proposal.confirm": "自治区核定名单",
    "list_proposal.publish": "自治区公布名单",
    "two_high_project.create": "登记“两高”项目",
    "two_high_project.update": "修改“两高”项目信息",
    "two_high_project.stage": "变更“两高”项目阶段",
    "two_high_project.note": "记录“两高”项目联合会商意见",
    # training
    "training.plan.create": "制定培训计划",
    "training.session.create": "添加培训班次",
    "training.enrol": "培训报名",
    "training.attendance": "登记培训出勤",
    # service organisations answer for their work
    "service_org.suspend": "暂停咨询服务机构承接审核",
    "service_org.lift": "解除咨询服务机构暂停",
    "service_org.qualification.submit": "提交咨询服务机构资质材料",
    "service_org.qualification.check": "核查咨询服务机构资质材料",
}

OBJECT_TYPES = {
    "user": "账号",
    "account_request": "企业账号申请",
    "enterprise": "企业",
    "list_batch": "强制性审核名单",
    "audit_round": "审核轮次",
    "certification": "清洁生产评价认证",
    "scan": "合规扫描",
    "case": "违规案件",
    "scheme": "清洁生产方案",
    "scheme_revision": "方案修订",
    "expert": "专家",
    "service_org": "咨询服务机构",
    "panel": "专家组",
    "penalty_decision": "行政处罚决定",
    "credit_record": "信用记录",
    "credit_repair": "信用修复申请",
    "credit_delivery": "信用信息报送",
    "credit_outbox": "信用信息报送批次",
    "technology": "清洁生产技术",
    "document": "知识库文件",
    "subscription": "订阅",
    "sector_figure": "行业目标年度数值",
    "evidence_import": "名单筛选数据导入",
    "list_proposal": "强制性审核名单（提出与核定）",
    "two_high_project": "“两高”项目",
    "training_plan": "培训计划",
    "training_session": "培训班次",
}

FIELDS = {
    # mandatory lists built from evidence
    "as_of": "筛选日", "candidates": "候选企业数", "enterprise": "企业", "included": "列入名单", "evidence_note": "证据说明",
    "rows": "行数", "created": "新增", "updated": "更新", "unchanged": "未变化",
    # training
    "hours": "学时", "audience": "培训对象", "plan": "培训计划", "capacity": "名额", "place": "培训地点",
    "starts_on": "开始日期", "ends_on": "结束日期", "enrolment": "报名记录", "attended": "出勤",
    "certificate": "已出具证书",
    # service organisations
    "suspended": "暂停承接审核", "suspension": "暂停记录", "qualification": "资质记录", "requirement": "资质条件",
    "result": "核查结论",
    # the sectors' 2025 targets
    "indicator": "指标", "year": "年度", "value": "数值", "revises_id": "所修订的数值", "department": "所属部门",
    # 两高 projects and the clean-production level
    "sector": "行业", "capacity": "产能", "capacity_unit": "产能单位", "project_stage": "项目阶段",
    "approval_no": "审批（核准）文号", "filing_no": "备案号", "designed_energy": "设计单位产品能耗",
    "actual_energy": "实际单位产品能耗", "utilization_percent": "产能利用率（%）",
    "replacement_plan_no": "产能置换方案文号", "retired_capacity": "置换退出产能", "changed_on": "变更日期",
    "clean_production_level": "清洁生产水平",
    # people and accounts
    "username": "用户名", "display_name": "姓名或名称", "role": "角色", "active": "启用", "email": "电子邮箱",
    "user_id": "账号", "failed_logins": "近期登录失败次数", "token_id": "令牌编号", "expires_on": "有效期至",
    # places and codes
    "division_code": "行政区划", "city_code": "设区市", "county_code": "县（市、区）", "address": "地址",
    "location": "地点", "uscc": "统一社会信用代码", "name": "名称", "title": "标题", "code": "编号",
    # enterprises
    "industry_code": "行业代码", "industry_codes": "行业代码", "industry_class": "行业门类",
    "legal_representative": "法定代表人", "contact_person": "联系人", "contact_phone": "联系电话", "phone": "联系电话",
    "size": "规模", "park_id": "所在园区", "permit_class": "排污许可管理类别", "permit_no": "排污许可证编号",
    "key_regions": "重点区域", "two_high": "“两高”项目", "toxic_listed": "使用或排放有毒有害物质",
    "disclosure_causes": "须填报的信息公开表（列入情形）", "recorded_on": "平台记录日期",
    "permit_status": "排污许可情况", "permit_source": "排污许可情况来源",
    "permit_report_year": "最近提交的排污许可证执行报告年度", "carbon_baseline_year": "碳排放基准年",
    "carbon_baseline_t": "基准年二氧化碳排放量（tCO2）", "carbon_intensity": "碳排放强度",
    "carbon_intensity_unit": "碳排放强度单位", "carbon_target_year": "减排目标年",
    "carbon_target_reduction_t": "二氧化碳减排目标（tCO2/年）",
    "toxic_substances": "有毒有害物质", "over_discharge": "超标排放", "over_energy_quota": "超过能耗限额",
    "mandatory_reason": "强制审核原因", "source": "来源", "source_year": "来源年份", "remarks": "备注",
    "uscc_check_overridden": "校验位不符仍予登记", "enterprise_id": "企业", "enterprises": "企业数",
    # audit rounds
    "kind": "类型", "procedure": "审核方式", "state": "状态", "status": "状态", "batch_id": "名单",
    "park_round_id": "园区整体审核", "listed_on": "列入名单日期", "published_on": "公布日期",
    "disclosure_due": "信息公开期限", "disclosed_on": "信息公开日期", "disclosure_url": "信息公开网址",
    "start_due": "开始审核期限", "started_on": "开始审核日期", "report_due": "报告提交期限",
    "report_submitted_on": "报告提交日期", "evaluation_started_on": "评估开始日期",
    "evaluation_concluded_on": "评估结论日期", "acceptance_due": "申请验收期限",
    "acceptance_requested_on": "申请验收日期", "acceptance_concluded_on": "验收结论日期",
    "next_round_due": "下一轮审核期限", "online_due": "网上填报期限", "carbon_in_scope": "碳减排纳入审核范围",
    "procedure_basis": "适用审核程序的依据", "combined_review": "评估验收合并",
    "certificate_no": "证书编号", "certifying_body": "认证机构", "certified_on": "发证日期",
    "service_org_id": "咨询服务机构", "round_id": "审核轮次", "evidence": "证明材料", "engagement": "委托",
    # cases
    "cause": "违规情形", "case_id": "违规案件", "opened": "新立案件", "closed": "结案", "overdue": "逾期",
    "rectified": "已整改", "rectification_ordered_on": "责令整改日期", "rectification_deadline": "整改期限",
    "rectification_note": "整改要求", "opened_on": "立案日期", "closed_on": "结案日期", "closed_reason": "结案理由",
    "cured_on": "纠正日期", "due_on": "期限",
    # schemes
    "category": "类别", "planned_completion_on": "计划完成日期", "completed_on": "完成日期",
    "review_status": "数值核实", "reasons": "原因", "review_reasons": "待核实原因", "scheme_id": "方案",
    "investment_wan_yuan": "投资（万元）", "economic_benefit_wan_yuan": "经济效益（万元/年）",
    "energy_tce": "节能量（吨标准煤/年）", "electricity_kwh": "节电量（千瓦时/年）", "water_t": "节水量（吨/年）",
    "cod_t": "化学需氧量削减（吨/年）", "nh3n_t": "氨氮削减（吨/年）", "so2_t": "二氧化硫削减（吨/年）",
    "nox_t": "氮氧化物削减（吨/年）", "particulates_t": "颗粒物削减（吨/年）", "vocs_t": "VOCs 削减（吨/年）",
    "hazardous_waste_t": "危险废物削减（吨/年）", "co2_t": "二氧化碳减排（吨/年）",
    # experts and panels
    "employer": "工作单位", "employer_uscc": "工作单位统一社会信用代码", "fields": "专业领域",
    "qualifications": "执业资格与主要业绩", "years_of_practice": "从业年限", "pending_name": "申请更改的姓名",
    "stage": "环节", "members": "成员", "member": "成员", "commitment": "抽取承诺值（SHA-256）",
    "mean_total": "总分均值", "passed": "通过", "total": "合计", "vetoes": "否决项", "reason": "理由",
    "cancelled_reason": "撤销理由", "meeting_on": "评审会日期", "pass_mark": "合格线",
    # credit
    "decision_no": "行政处罚决定书文号", "decision_id": "行政处罚决定", "decided_on": "处罚决定日期",
    "fine_yuan": "罚款金额（元）", "paid_yuan": "缴款金额（元）", "paid_on": "缴款日期", "facts": "违法事实",
    "legal_basis": "处罚依据", "office_name": "处罚机关", "office_uscc": "处罚机关统一社会信用代码",
    "violation_type": "违法行为类型", "severity": "失信程度", "subject_name": "行政相对人名称",
    "subject_uscc": "行政相对人统一社会信用代码", "publish_until": "公示截止日期", "min_until": "最短公示期至",
    "published_at": "公示时间", "withdrawn_on": "撤下日期", "withdrawal_reason": "撤下原因",
    "approved_at": "审核时间", "approved_by_id": "审核人", "approval_note": "审核意见",
    "idempotency_key": "报送编号", "record_id": "信用记录", "proof": "证明材料", "sha256": "文件校验值（SHA-256）",
    "correction": "失信行为纠正情况", "document_no": "文号", "due": "待报送", "sent": "已送达", "retrying": "重试中",
    "dead": "失败", "withdrawn": "撤下条数", "attempts": "报送次数",
    # technologies
    "scope": "适用范围", "principle": "技术原理", "indicators": "关键指标", "benefits": "效益",
    "case_study": "典型案例", "investment": "投资及回收期", "maturity": "成熟度", "valid_until": "有效期至",
    # people who acted
    "decided_by_id": "决定人", "concluded_by_id": "作出结论人", "drawn_by_id": "抽取人", "opened_by_id": "立案人",
    "requested_by_id": "申请人", "reviewed_by_id": "核实人", "status_changed_by_id": "状态变更人",
    "applicant_id": "申请人", "publisher_id": "公布人",
    # decisions, notes and files
    "note": "说明", "conclusion": "结论", "concluded_on": "结论日期", "decided_at": "决定时间",
    "decision_note": "决定意见", "decision_reason": "决定理由", "review_note": "核实意见", "reviewed_at": "核实时间",
    "requested_at": "申请时间", "requested_by": "申请人", "request": "申请", "applied_on": "登记日期",
    "withdrawn_at": "撤回时间", "status_changed_at": "状态变更时间", "status_reason": "状态变更理由",
    "pending_name_at": "更名申请时间", "organisation": "单位名称", "replacement": "替补专家",
    "discarded_sheets": "作废的评分表", "draw": "抽取记录", "drawn_on": "抽取日期",
    "veto_min_members": "否决所需专家人数", "version": "版本", "evidence_sha256": "证明材料校验值（SHA-256）",
    "proof_original_name": "证明材料文件名", "proof_stored_name": "证明材料存储名", "proof_sha256": "证明材料校验值（SHA-256）",
    "proof_size": "证明材料大小（字节）", "voucher_original_name": "缴款凭证文件名", "voucher_stored_name": "缴款凭证存储名",
    "voucher_sha256": "缴款凭证校验值（SHA-256）",
    # knowledge base
    "issuer": "发布机关", "issued_on": "发布日期", "edition": "版本", "summary": "摘要", "body": "正文",
    "supersedes_id": "替代的旧版本", "currency": "效力", "pdf_original_name": "PDF 文件名",
    "pdf_sha256": "PDF 校验值（SHA-256）",
    # subscriptions
    "subscribers": "订阅人数", "mails": "发送邮件数",
}

# Fields whose value is a user id: shown as that user's name.
USER_FIELDS = {"user_id", "approved_by_id", "decided_by_id", "concluded_by_id", "drawn_by_id", "opened_by_id",
               "requested_by_id", "reviewed_by_id", "status_changed_by_id", "applicant_id", "publisher_id"}
DIVISION_FIELDS = {"division_code", "city_code", "county_code"}

STAGES = {"evaluation": "评估", "acceptance": "验收", "review": "评估验收（合并）"}


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


def object_label(code: str) -> str:
    return OBJECT_TYPES.get(code, code)


def field_label(key: str) -> str:
    return FIELDS.get(key, key)


_VALUE_NAMES: dict = {}


_PEOPLE = None


def register_people(load) -> None:
    """`load(user ids) -> {id: name}`, for ids a log entry names (the app registers accounts')."""
    global _PEOPLE
    _PEOPLE = load


def people(user_ids) -> dict:
    return _PEOPLE(user_ids) if _PEOPLE else {}


def register_value_names(names: dict) -> None:
    """The features' coded values, by (object type, or None for any, field) -> {code: name}. The app
    registers them at start-up (platform/app.py), so that the log knows no feature."""
    _VALUE_NAMES.update(names)


def value_names(object_type: str, key: str) -> dict:
    return _VALUE_NAMES.get((object_type, key)) or _VALUE_NAMES.get((None, key)) or {}
