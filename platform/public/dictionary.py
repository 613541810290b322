"""The data dictionary: every public download and what each of its columns means.

A download's columns are read from the code that writes it (the credit field set, the statistics
tables, the catalogue export), so the page cannot drift from the files; GLOSSARY gives each column
its meaning, and tests/foundation/test_openapi.py fails when a public download has a column
that is not explained here.
"""
from dataclasses import dataclass

from ..core.access import ANONYMOUS

GLOSSARY = {
    # 行政处罚信用信息（双公示）
    "行政相对人名称": "受处罚企业的名称，与其营业执照一致。",
    "行政相对人类别": "法人及非法人组织、自然人或个体工商户；本平台公示的均为法人及非法人组织。",
    "统一社会信用代码": "18 位统一社会信用代码（GB 32100），第 18 位为校验位。",
    "行政处罚决定书文号": "处罚机关作出的行政处罚决定书的文号。",
    "违法行为类型": "违反的法律义务类别，如“未按规定实施强制性清洁生产审核”。",
    "违法事实": "处罚决定书认定的违法事实摘要。",
    "处罚依据": "作出处罚所依据的法律条款，如《清洁生产促进法》第三十九条。",
    "处罚类别": "警告、罚款等处罚种类。",
    "处罚内容": "处罚的具体内容，如罚款金额。",
    "罚款金额（万元）": "罚款金额，单位万元。",
    "处罚决定日期": "处罚决定书作出的日期（YYYY-MM-DD）。",
    "处罚有效期": "处罚的有效期限；2099-12-31 表示长期。",
    "公示截止期": "本条信息在公示页面上展示到该日期为止（依《信用修复管理办法》确定的公示期）；到期或信用修复后撤下。",
    "处罚机关": "作出处罚决定的生态环境部门。",
    "处罚机关统一社会信用代码": "处罚机关的统一社会信用代码。",
    "数据来源单位": "报送本条信息的单位。",
    "数据来源单位统一社会信用代码": "报送单位的统一社会信用代码。",
    "备注": "其他需要说明的事项。",
    # 统计表
    "指标": "统计指标的名称（口径见统计页面的“统计口径”）。",
    "数值": "该指标在所选年度、地区和行业范围内的数值。",
    "单位": "数值的计量单位。",
    "已核实": "只计验收合格轮次中的方案，经专家组验收核实的数据。",
    "企业报告": "企业在平台填报的已完成方案的数据，尚未全部经验收核实。",
    "2025年目标": "广西“十四五”清洁生产实施方案确定的重点工程减排目标。",
    "目标完成进度（%）": "已核实减排量 ÷ 2025 年目标 × 100。",
    "设区市": "企业所在设区市。",
    "行业": "国民经济行业分类（GB/T 4754）大类。",
    "年度": "统计年度：强制性审核按列入名单日期、自愿性审核和评价认证按开始日期所在年度计。",
    "园区": "企业所在的工业园区。",
    "审核轮次": "列入名单或自愿开展的清洁生产审核轮次数（已撤销的不计）。",
    "验收合格": "验收合格、完成审核的轮次数。",
    "完成率（%）": "验收合格的轮次 ÷ 审核轮次 × 100。",
    "评估通过率（%）": "评估通过的轮次 ÷ 已作出评估结论的轮次 × 100。",
    "验收通过率（%）": "验收合格的轮次 ÷ 已作出验收结论的轮次 × 100。",
    "方案数": "清洁生产方案总数（含无/低费和中/高费方案）。",
    "已完成方案": "状态为已完成的方案数。",
    "实施率（%）": "已完成方案 ÷（全部方案 − 已放弃方案）× 100。",
    "已完成方案投资（万元）": "已完成方案的实际投资合计，单位万元。",
    "经济效益（万元/年，已核实）": "验收合格轮次中已完成方案的年经济效益合计，单位万元/年。",
    # 技术目录
    "技术名称": "清洁生产技术的名称。",
    "类别": "技术类别，如源头减量、过程控制、末端治理。",
    "适用行业": "技术适用的国民经济行业。",
    "适用范围": "技术适用的工艺、装置或规模。",
    "技术原理": "技术的工作原理。",
    "关键指标": "技术的主要技术经济指标。",
    "效益": "应用该技术的节能、减排和经济效益。",
    "典型案例": "已应用该技术的企业或项目。",
    "成熟度": "技术的成熟程度，如示范、推广。",
    "来源": "收录该技术的目录，如工业和信息化部发布的目录。",
    "年份": "目录发布的年份。",
    # 两高 project register and the result lists
    "企业名称": "企业的名称，与其营业执照一致。",
    "清洁生产水平": "验收专家组对照行业清洁生产评价指标体系评定的水平：Ⅰ级国际清洁生产领先、Ⅱ级国内清洁生产先进、Ⅲ级国内清洁生产一般。",
    "验收合格日期": "该轮清洁生产审核验收合格的日期（YYYY-MM-DD）。",
    "有效期至": "审核结果用于结果应用的最后一天（自验收合格之日起，期限见“规则与依据”）。",
    # 知识库
    "标题": "文件的标题。",
    "文件类别": "评价指标体系、审核指南、案例汇编、产品导向目录或政策文件。",
    "发布机关": "发布文件的机关。",
    "文号": "文件的发文字号或标准编号；没有文号的为空。",
    "发布日期": "文件发布的日期（YYYY-MM-DD）。",
    "版本": "文件自身标明的版本，如“2018 年”“试行”。",
    "效力": "现行有效，或已被新版本替代。",
    "现行版本": "已被替代的文件：替代它的新版本的标题；现行有效的为空。",
    "摘要": "本平台为该文件撰写的内容摘要（不是原文）。",
}
# The figures of each reduction (节能量、COD 削减量 …) share one pattern: "<指标>（<单位>，已核实）".
REDUCTION_MEANING = "验收合格轮次中已完成方案的该项节能减排量合计（经验收核实）。"


@dataclass
class Download:
    title: str
    address: str
    formats: str
    about: str
    columns: list[str]


def downloads() -> list[Download]:
    """Every download anyone may take, with the columns its file has."""
    from ..catalogue.views import EXPORT_HEADERS as TECHNOLOGY_COLUMNS
    from ..knowledge.views import EXPORT_HEADERS as DOCUMENT_COLUMNS
    from ..credit.views import PUBLIC_FIELDS
    from ..stats import tables
    from ..stats.services import Filters

    _, stat_tables, _ = tables.build(ANONYMOUS, Filters(), "public")
    out = [Download("行政处罚信用信息（双公示）", "/credit/export.csv", "CSV（UTF-8，带 BOM）",
                    "公示期内的行政处罚信息，字段与报送信用中国（广西）的双公示字段一致（不含法定代表人）。可按企业名称或统一社会信用代码筛选（q）。",
                    [label for _, label in PUBLIC_FIELDS]),
           Download("清洁生产技术目录检索结果", "/technologies/export.xlsx", "Excel",
                    "技术目录的检索结果（最多 2000 项），筛选条件与检索页面相同。", list(TECHNOLOGY_COLUMNS)),
           Download("清洁生产知识库检索结果", "/knowledge/export.xlsx", "Excel",
                    "知识库的检索结果（最多 2000 份，现行有效的在前），筛选条件与检索页面相同。", list(DOCUMENT_COLUMNS))]
    from ..results.rules import USES
    from ..results.services import LEADING
    from ..results.views import EXPORT_HEADERS as RESULT_COLUMNS

    for item in (LEADING, *USES.values()):
        out.append(Download(f"审核结果应用：{item.label}", f"/results/{item.key}/export.xlsx",
                            "Excel 或 CSV（把 .xlsx 换成 .csv）；Atom 订阅见 feed.atom",
                            f"有效期内验收合格、清洁生产水平为{item.levels_label}的企业，Ⅰ级优先；可按截至日期（as_of）查询。",
                            list(RESULT_COLUMNS)))
    for name, table in stat_tables.items():
        out.append(Download(f"绩效统计：{table.title}", f"/stats/export/{name}.xlsx", "Excel 或 CSV（把 .xlsx 换成 .csv）",
                            "可按年度（year）、设区市（city）、行业（industry）筛选，与统计页面一致。", table.headers))
    return out


def meaning(column: str) -> str:
    if column in GLOSSARY:
        return GLOSSARY[column]
    if column.endswith("，已核实）"):
        return REDUCTION_MEANING
    return ""
