"""The 2025 targets beyond industry, which department reports each, and how a report is checked.

The targets and their units come from data/targets_2025.csv (the plan's targets paragraph); which
department reports which indicator, the labels, and the yearly reporting itself are declared here and
listed on the public 规则与依据 page.
"""
import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..core.reference.services import DATA_DIR
from ..core.rulebook import rule

SECTION = "行业领域 2025 年目标"
PLAN = "广西“十四五”清洁生产实施方案"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str  # the data file's unit: percent or mu
    department: str  # accounts.models.DEPARTMENTS
    source: str  # where the plan sets it
    cumulative: bool = False  # a five-year total (2021–2025) rather than a yearly rate

    @property
    def is_rate(self) -> bool:
        return self.unit == "percent"

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[self.unit]

    @property
    def target(self) -> Decimal:
        return targets()[self.key]

    @property
    def target_label(self) -> str:
        value = format(self.target.normalize(), "f")
        if self.is_rate:
            return f"≥ {value}%" if self.target < 100 else "100%"
        return f"“十四五”累计新增 {int(self.target):,} {self.unit_label}"


UNIT_LABELS = {"percent": "%", "mu": "亩"}
DEPARTMENT_NAMES = {"agriculture": "农业农村", "housing": "住房城乡建设", "transport": "交通运输"}

# The plan's targets paragraph (一（二）主要目标) gives the 2025 figures; its sections 七–十二 (the
# sectors beyond industry) give the tasks. Which department reports an indicator is local practice
# (REPORTING): the department whose remit the indicator is.
AGRICULTURE = f"{PLAN} 一（二）主要目标；七至十二（农业清洁生产）"
BUILDING = f"{PLAN} 一（二）主要目标；七至十二（建筑领域清洁生产）"
INDICATORS = {i.key: i for i in (
    Indicator("agri_film_recovery_rate", "废旧农膜回收率", "percent", "agriculture",
              AGRICULTURE),
    Indicator("straw_utilization_rate", "秸秆综合利用率", "percent", "agriculture",
              AGRICULTURE),
    Indicator("livestock_manure_utilization_rate", "畜禽粪污综合利用率", "percent", "agriculture",
              AGRICULTURE),
    Indicator("efficient_irrigation_added", "新增高效节水灌溉面积", "mu", "agriculture",
              AGRICULTURE, cumulative=True),
    Indicator("green_building_new_urban_share", "城镇新建建筑中绿色建筑占比", "percent", "housing",
              BUILDING),
)}


@lru_cache(maxsize=1)
def targets() -> dict[str, Decimal]:
    """Indicator -> its 2025 target, from data/targets_2025.csv."""
    with open(DATA_DIR / "targets_2025.csv", encoding="utf-8") as f:
        return {row["indicator"]: Decimal(row["target"]) for row in csv.DictReader(f)}


def indicators_of(department: str | None) -> list[Indicator]:
    return [i for i in INDICATORS.values() if i.department == department]


REPORTING = rule(
    "sectors.reporting", "行业领域目标指标的填报部门", tuple(
        f"{i.label}：{DEPARTMENT_NAMES[i.department]}部门" for i in INDICATORS.values()), "",
    "地方实践：按各部门职责（农业农村部门主管农膜、秸秆、畜禽粪污和农田节水灌溉，住房城乡建设部门主管绿色建筑）；"
    f"目标数值见{PLAN} 一（二）主要目标", section=SECTION, kind="local_practice",
    note="各设区市主管部门填报本市年度数值，自治区主管部门填报本市以外任一设区市及全区数值；填报人和填报日期随数值记录并公开填报部门。")

YEARS = rule(
    "sectors.first_year", "可填报的最早年度", 2021, "年",
    f"{PLAN}（“十四五”时期 2021–2025 年）", section=SECTION,
    note="年度不得早于 2021 年，也不得晚于当前年度（北京时间）。")

CORRECTION = rule(
    "sectors.correction", "已填报年度数值的更正", "修订", "",
    "地方实践：统计数据更正留痕（参照《中华人民共和国统计法》第七条，如实提供统计资料）", section=SECTION,
    kind="local_practice",
    note="同一指标、地区、年度只能填报一次；更正须提交修订并说明理由，原数值保留在修订记录中，公开页面显示现行数值。")

PROVINCE_FIGURE = rule(
    "sectors.province_figure", "全区数值的来源", "自治区主管部门填报", "",
    "地方实践：比率类指标无法由各市比率简单平均得出（各市基数不同）", section=SECTION, kind="local_practice",
    note="比率类指标的全区数值以自治区主管部门填报的为准，未填报时显示为未报告；新增面积类指标未填报全区数值时以各设区市之和计，"
         "“十四五”累计进度 = 2021–2025 年各年全区数值之和 ÷ 目标。")
