"""The 两高 project register's reference data and rules.

Sectors (data/two_high_sectors.csv) and their energy-efficiency levels (data/energy_benchmarks.csv)
are public reference data, each row with its source; the rules below say how the register uses
them, with the article or document they come from, and are listed on the public 规则与依据 page.
  广西方案 — 广西“十四五”清洁生产推进方案 §三 (两高 project list management; capacity replacement for
             steel, cement, flat glass and electrolytic aluminium; benchmark levels)
"""
import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..core.reference.services import DATA_DIR
from ..core.rulebook import rule

SECTION = "“两高”项目清单管理"
PLAN = "广西“十四五”清洁生产推进方案"

# The departments that keep the register and take part in the joint review (联合会商):
# accounts.models.DEPARTMENTS codes.
DEPARTMENTS = ("development_reform", "industry_it", "ecology_environment")


@dataclass(frozen=True)
class Benchmark:
    indicator: str
    unit: str
    benchmark: Decimal  # 标杆水平
    baseline: Decimal  # 基准水平
    edition: str
    document: str
    verification: str  # corroborated | partial | unverified (see data/README.md)
    checked_against: str

    @property
    def verified_label(self) -> str:
        return {"corroborated": "已与公开资料核对", "partial": "部分核对",
                "unverified": "未核对"}.get(self.verification, self.verification)


@dataclass(frozen=True)
class Sector:
    key: str
    name: str
    industry_division: str
    capacity_unit: str
    energy_unit: str
    replacement_required: bool
    under_control: bool
    source: str

    @property
    def benchmark(self) -> Benchmark | None:
        return benchmarks().get(self.key)


def _yes(text: str) -> bool:
    return text.strip().lower() == "yes"


@lru_cache(maxsize=1)
def sectors() -> dict[str, Sector]:
    with open(DATA_DIR / "two_high_sectors.csv", encoding="utf-8") as f:
        return {row["key"]: Sector(row["key"], row["name"], row["industry_division"], row["capacity_unit"],
                                   row["energy_unit"], _yes(row["replacement_required"]), _yes(row["under_control"]),
                                   row["source"]) for row in csv.DictReader(f)}


@lru_cache(maxsize=1)
def benchmarks() -> dict[str, Benchmark]:
    """Sector -> its levels (the newest edition the file gives)."""
    with open(DATA_DIR / "energy_benchmarks.csv", encoding="utf-8") as f:
        return {row["sector"]: Benchmark(row["indicator"], row["unit"], Decimal(row["benchmark"]),
                                         Decimal(row["baseline"]), row["edition"], row["document"],
                                         row["verification"], row["checked_against"]) for row in csv.DictReader(f)}


REGISTER = rule(
    "projects.register", "“两高”项目清单管理的对象", ("存量", "在建", "拟建"), "",
    f"{PLAN} 三（“两高”项目清单管理、动态监管）", section=SECTION,
    note="行业范围见参考数据 data/two_high_sectors.csv（环环评〔2021〕45号所列煤电、石化、化工、钢铁、有色金属冶炼、建材中"
         "有国家能效标杆水平和基准水平的产品）；企业有项目在清单内的，其审核适用完整（严格）审核程序。"
         "广西方案原文未能核对，“三”为本平台需求引述的条目。")
DEPARTMENTS_RULE = rule(
    "projects.departments", "维护清单并参加联合会商的部门", ("发展改革", "工业和信息化", "生态环境"), "",
    "地方实践：按各部门职责（发展改革部门管项目审批核准备案和节能审查，工业和信息化部门管产能置换，生态环境部门管环评）",
    section=SECTION, kind="local_practice",
    note="设区市部门管本市项目，自治区部门管全区项目；其他部门的监管账号不能查看清单。")
BENCHMARK_LEVELS = rule(
    "projects.benchmark_levels", "单位产品能耗对照的能效水平",
    ("标杆水平", "基准水平"), "",
    "《高耗能行业重点领域能效标杆水平和基准水平（2021年版）》（发改产业〔2021〕1609号）；"
    "《工业重点领域能效标杆水平和基准水平（2023年版）》（发改产业〔2023〕723号）", section=SECTION,
    note="设计或实际单位产品能耗劣于（高于）基准水平的，清单标示预警；各数值的版本和核对情况见参考数据 data/energy_benchmarks.csv。"
         "两份文件的文号未能核对原文。")
REPLACEMENT = rule(
    "projects.replacement", "须提供产能置换方案的行业", ("钢铁", "水泥熟料", "平板玻璃", "电解铝"), "",
    "《钢铁行业产能置换实施办法》（工信部原〔2021〕46号）；《水泥玻璃行业产能置换实施办法》（工信部原〔2021〕80号）；"
    f"电解铝产能置换（国发〔2013〕41号）；{PLAN} 三", section=SECTION,
    note="拟建、在建项目须登记产能置换方案文号和退出产能，缺少的标示预警。工业和信息化部办公厅2024年8月20日通知："
         "自2024年8月23日起暂停公示、公告新的钢铁产能置换方案，工信部原〔2021〕46号正在修订。"
         "工信部原〔2021〕80号的文号和广西方案“三”未能核对原文；工信部曾就《水泥玻璃行业产能置换实施办法（2024年本）》"
         "征求意见，新本是否已施行须核实。")
CONTROLLED = rule(
    "projects.controlled", "严控新增产能的行业", ("钢铁", "水泥熟料", "平板玻璃", "电解铝", "炼油"), "",
    "《2030年前碳达峰行动方案》（国发〔2021〕23号）三（三）工业领域碳达峰行动", section=SECTION,
    note="这些行业的拟建项目一律标示预警，提示会商部门核查产能置换和能效水平。"
         "已核对方案原文：钢铁“严禁新增产能”，有色金属（电解铝）“严控新增产能”；建材、炼油两项的原句未能核对。")
STAGE_BACKWARDS = rule(
    "projects.stage_backwards", "项目阶段回退须说明理由", "拟建 → 在建 → 存量", "",
    "地方实践：动态监管留痕，阶段只按建设顺序前进，回退（如在建项目停建改回拟建）须写明理由", section=SECTION,
    kind="local_practice")
