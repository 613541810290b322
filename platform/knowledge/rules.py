"""The knowledge base's rules: who publishes a document, and what an upload may be. Listed on the
public 规则与依据 page (platform/core/rulebook.py)."""
from ..audits.rules import PROMOTION_LAW_SUPERSEDED
from ..core.rulebook import rule

SECTION = "清洁生产知识库"

PUBLIC_LIBRARY = rule(
    "knowledge.public_library", "向社会提供的清洁生产信息",
    ("评价指标体系（含地方指标体系）", "审核指南（含简易程序审核指南）", "案例汇编", "清洁生产产品导向目录", "政策文件"), "",
    "《中华人民共和国清洁生产促进法》（2012年修正）第十条：建立清洁生产信息系统，向社会提供清洁生产方法和技术、"
    "清洁生产政策等方面的信息和服务；第十一条：定期发布清洁生产技术、工艺、设备和产品导向目录", section=SECTION,
    note="已发布的文件无需登录即可检索和阅读；被新版本替代的文件继续公开，标明“已被替代”并链接到新版本。"
         "第十条、第十一条已核对原文（2012年修正文本）；审核指南另见第十一条第二款（组织编制重点行业或者地区的清洁生产指南）。"
         + PROMOTION_LAW_SUPERSEDED)

APPROVAL = rule(
    "knowledge.approval", "知识库文件的发布审批", "另一名自治区监管人员审批", "",
    "地方实践：起草与审批分离（四眼原则），与信用记录的审核一致", section=SECTION, kind="local_practice",
    note="监管人员起草文件并提交审批；由起草人以外的自治区监管人员审批后公开。草稿和待审批的文件不公开。")

PDF_MAX_MB = rule(
    "knowledge.pdf_max_mb", "知识库文件 PDF 的大小上限", 20, "MB",
    "地方实践：政策文件和指南的 PDF 一般不超过 20 MB", section=SECTION, kind="local_practice", bounds=(1, 50),
    note="只接受 PDF 格式（按文件内容核验，而不只看扩展名）。")
