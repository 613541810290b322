"""Demo knowledge base: the documents the Guangxi plan relies on, as metadata with short summaries
written for this platform (not the documents' texts), published through the approval step.

Two version chains show the history: the 2008 trial guide to evaluation and acceptance replaced by the
2018 guide, and the 2004 interim audit measures replaced by the 2016 measures. Document numbers are
given only where they are well known; the others are left empty rather than guessed.
"""
from datetime import date

from sqlalchemy import select

from ..core.access import SYSTEM
from . import services
from .models import Document

FULL_TEXT_NOTE = "本平台收录该文件的元数据和摘要；全文以发布机关公布的文本为准。"
# (key, kind, title, issuer, document_no, issued_on, edition, industries, summary, replaces key)
DOCUMENTS = [
    ("law", "policy", "中华人民共和国清洁生产促进法", "全国人民代表大会常务委员会", "中华人民共和国主席令第五十四号",
     date(2012, 2, 29), "2012 年修正", "",
     "清洁生产工作的基本法律。规定各级政府推行清洁生产的职责、企业实施清洁生产的义务，强制性清洁生产审核的适用情形"
     "（超标或超总量排放、超过能耗限额、使用或排放有毒有害物质），以及不实施审核、审核弄虚作假、不公布或未按规定公布"
     "排污信息等行为的法律责任。", None),
    ("interim_measures", "policy", "清洁生产审核暂行办法", "国家发展改革委、国家环保总局", "国家发展改革委、国家环保总局令第16号",
     date(2004, 8, 16), "2004 年", "",
     "首部规范清洁生产审核的部门规章：区分自愿性审核与强制性审核，规定审核程序、咨询服务机构条件和组织管理。"
     "已被 2016 年《清洁生产审核办法》替代。", None),
    ("measures", "policy", "清洁生产审核办法", "国家发展改革委、环境保护部", "国家发展改革委、环境保护部令第38号",
     date(2016, 5, 16), "2016 年", "",
     "现行的清洁生产审核部门规章。明确强制性审核的对象和名单公布程序、企业信息公开和审核时限、审核报告的评估与验收，"
     "以及咨询服务机构应具备的条件（第十六条）和各方的法律责任；对使用有毒有害原料或排放有毒有害物质的企业至少每五年开展一轮审核。",
     "interim_measures"),
    ("guide_2008", "audit_guide", "重点企业清洁生产审核评估、验收实施指南（试行）", "环境保护部", "环发〔2008〕60号",
     date(2008, 7, 1), "2008 年试行", "",
     "规定重点企业清洁生产审核评估与验收的组织方式、评估与验收的内容和程序，以及专家组的组成。"
     "已被 2018 年《清洁生产审核评估与验收指南》替代。", None),
    ("guide_2018", "audit_guide", "清洁生产审核评估与验收指南", "生态环境部办公厅、国家发展改革委办公厅", "环办科技〔2018〕5号",
     date(2018, 4, 12), "2018 年", "",
     "现行的评估与验收指南。评估在无/低费方案实施、中/高费方案可行性分析完成后进行，审查报告规范性、审核过程真实性和方案合理性；"
     "验收在中/高费方案实施后进行，以实施前后的监测数据核定绩效。规定了评分表、否决项和专家组不少于三人的要求。",
     "guide_2008"),
    ("guide_rules", "audit_guide", "清洁生产审核指南 制订技术导则（HJ 469-2009）", "环境保护部", "HJ 469-2009",
     date(2009, 3, 25), "2009 年", "",
     "行业清洁生产审核指南的编制规则：术语、编制原则和程序、各审核阶段应写明的内容和格式。各重点行业的审核指南按本导则编制。", None),
    ("guide_simplified", "audit_guide", "广西清洁生产审核简易程序指南", "广西壮族自治区生态环境厅", None,
     date(2023, 6, 30), "试行", "",
     "差别化审核中简易程序的做法（演示条目）：适用于非“两高”、非高耗水高排放、不涉及优先控制化学品的企业；"
     "合并审核准备与预审核阶段，以快速诊断代替全面物料平衡，重点实施无/低费方案，报告采用简化格式。", None),
    ("guide_steel", "audit_guide", "钢铁行业清洁生产审核指南", "广西壮族自治区生态环境厅", None,
     date(2023, 9, 1), "试行", "31",
     "钢铁联合企业审核的重点工序（烧结、球团、焦化、炼铁、炼钢、轧钢）、各工序的物料与能量平衡要点、常见的清洁生产方案"
     "（超低排放改造、余热余能回收、废水回用、固废综合利用）和绩效指标（演示条目）。", None),
    ("indicators_general", "indicator_system", "清洁生产评价指标体系编制通则（试行稿）", "国家发展改革委、环境保护部、工业和信息化部",
     None, date(2013, 6, 5), "试行稿", "",
     "各行业清洁生产评价指标体系的统一框架：指标分为生产工艺及装备、资源能源消耗、资源综合利用、污染物产生、产品特征和清洁生产管理"
     "六类，按Ⅰ级（国际领先）、Ⅱ级（国内先进）、Ⅲ级（国内一般）三个基准值评价，并设限定性指标。", None),
    ("indicators_steel", "indicator_system", "钢铁行业清洁生产评价指标体系", "国家发展改革委、生态环境部、工业和信息化部", None,
     date(2018, 12, 29), "2018 年", "31",
     "分烧结、球团、高炉炼铁、炼钢、钢压延加工等工序设定评价指标和基准值，包括工序能耗、新水消耗、颗粒物和二氧化硫产生量、"
     "固废综合利用率等，用于企业清洁生产水平评价和审核绩效对标。", None),
    ("indicators_cement", "indicator_system", "水泥行业清洁生产评价指标体系", "国家发展改革委、生态环境部、工业和信息化部", None,
     date(2018, 12, 29), "2018 年", "30",
     "以熟料综合煤耗、综合电耗、氮氧化物和颗粒物排放、协同处置和余热发电等为主要指标，分三级基准值评价水泥企业的清洁生产水平。",
     None),
    ("indicators_sugar", "indicator_system", "广西甘蔗制糖业清洁生产评价指标体系", "广西壮族自治区工业和信息化厅", None,
     date(2022, 8, 1), "地方", "13",
     "结合广西糖业的地方指标体系（演示条目）：吨蔗取水量、吨糖综合能耗、废水回用率、蔗渣和滤泥综合利用率、"
     "亚硫酸法澄清的硫黄消耗等，按三级基准值评价。", None),
    ("indicators_paper", "indicator_system", "制浆造纸行业清洁生产评价指标体系", "国家发展改革委、环境保护部、工业和信息化部", None,
     date(2015, 4, 15), "2015 年", "22",
     "按化学木浆、化学非木浆、废纸浆和机制纸等产品设定单位产品取水量、综合能耗、碱回收率、白水回用率、COD 产生量等指标和基准值。",
     None),
    ("national_plan", "policy", "“十四五”全国清洁生产推行方案", "国家发展改革委、生态环境部等十部门", "发改环资〔2021〕1524号",
     date(2021, 10, 29), "2021 年", "",
     "全国“十四五”时期清洁生产的总体安排：工业、农业、建筑、服务业和交通运输领域的重点任务，清洁生产审核创新试点，"
     "以及 2025 年化学需氧量、氨氮、氮氧化物和挥发性有机物重点工程减排等目标。", None),
    ("guangxi_plan", "policy", "广西“十四五”清洁生产实施方案", "广西壮族自治区发展和改革委员会、生态环境厅等部门", None,
     date(2022, 6, 30), "2022 年", "",
     "本平台依据的地方方案：到 2025 年的重点工程减排目标和农业、建筑领域目标，钢铁、石化化工、有色、建材等重点行业的清洁生产改造"
     "（专栏2），差别化审核（“两高”等企业严格程序、其他企业简易程序），以及建设清洁生产信息平台和知识库、开展培训等保障措施。", None),
    ("product_catalogue", "product_catalogue", "清洁生产产品导向目录（广西）", "广西壮族自治区工业和信息化厅", None,
     date(2023, 3, 31), "第一批", "",
     "列出鼓励生产和使用的清洁生产产品（演示条目）：低 VOCs 含量涂料和胶粘剂、全生物降解地膜、高效节能电机和变压器、"
     "再生骨料建材等，注明适用领域和认定依据，供政府绿色采购和企业选型参考。", None),
    ("cases_2024", "case_compilation", "广西清洁生产审核典型案例汇编（2024）", "广西壮族自治区生态环境厅", None,
     date(2024, 12, 20), "2024 年", "31;30;13;22",
     "收录钢铁、水泥、制糖、造纸等行业企业清洁生产审核的做法和成效（演示条目）：审核重点的选取、无/低费方案和中/高费方案、"
     "实施前后的能耗、水耗和污染物削减对比，以及园区整体审核的组织经验。", None),
]


def load_demo() -> int:
    """Create and publish the documents not yet there (by title and edition); returns how many."""
    created, ids = 0, {}
    for key, kind, title, issuer, number, issued_on, edition, industries, summary, replaces in DOCUMENTS:
        existing = services.db.session.scalar(select(Document).where(Document.title == title,
                                                                     Document.edition == edition))
        if existing is not None:
            ids[key] = existing.id
            continue
        document = services.create(SYSTEM, {
            "kind": kind, "title": title, "issuer": issuer, "document_no": number, "issued_on": issued_on,
            "edition": edition, "industry_codes": industries, "summary": summary, "body": FULL_TEXT_NOTE,
            "supersedes_id": ids.get(replaces) if replaces else None,
        })
        services.submit(SYSTEM, document)
        services.approve(SYSTEM, document, note="演示数据")
        ids[key] = document.id
        created += 1
    return created
