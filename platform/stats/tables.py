"""The tables the dashboards show, built once from the statistics service and used three ways: the
HTML table, its Excel export and its CSV export (so a download always matches the page)."""
from dataclasses import dataclass, field
from decimal import Decimal

from ..schemes.services import plain
from . import services
from .services import Filters

PERCENT = Decimal("0.01")
# The reductions of DESIGN §4, in its order, shown in every breakdown as verified figures.
KEY_REDUCTIONS = ("energy_tce", "water_t", "cod_t", "nh3n_t", "nox_t", "vocs_t", "so2_t", "co2_t")


def percent(fraction: Decimal | None) -> Decimal | None:
    """0.6667 -> 66.67 (rates are shown and exported as percentages; the API keeps fractions)."""
    return None if fraction is None else (fraction * 100).quantize(PERCENT)


@dataclass
class StatTable:
    name: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # per row: where its first cell leads, if anywhere
    source: list[dict] = field(default_factory=list)  # the service's rows, for the charts

    @property
    def filename(self) -> str:
        return self.title.replace("/", "-")


def _verified(key: str):
    return lambda figures: plain(figures["reductions"][key]["verified"])


def _figure_columns() -> list[tuple[str, callable]]:
    metric = services.METRIC
    return [
        ("审核轮次", lambda f: f["rounds_listed"]),
        ("验收合格", lambda f: f["rounds_completed"]),
        ("完成率（%）", lambda f: percent(f["completion_rate"])),
        ("评估通过率（%）", lambda f: percent(f["evaluation_pass_rate"])),
        ("验收通过率（%）", lambda f: percent(f["acceptance_pass_rate"])),
        ("方案数", lambda f: f["schemes_total"]),
        ("已完成方案", lambda f: f["schemes_completed"]),
        ("实施率（%）", lambda f: percent(f["implementation_rate"])),
        ("已完成方案投资（万元）", lambda f: plain(f["investment_wan_yuan"])),
        ("经济效益（万元/年，已核实）", lambda f: plain(f["economic_benefit_verified_wan_yuan"])),
        *((f"{metric[k].label}（{metric[k].unit}，已核实）", _verified(k)) for k in KEY_REDUCTIONS),
    ]


def _withheld(figures: dict):
    """What a withheld cell shows in place of each figure (services.summary: "<3家，不公开"), or None."""
    return figures["suppressed_label"] if figures.get("suppressed") else None


def summary_table(summary: dict) -> StatTable:
    table = StatTable("summary", "主要指标", ["指标", "数值", "单位"])
    table.rows = [
        ["审核轮次（列入名单或自愿开展）", summary["rounds_listed"], "个"],
        ["验收合格（完成审核）", summary["rounds_completed"], "个"],
        ["审核完成率", percent(summary["completion_rate"]), "%"],
        ["评估结论已作出", summary["rounds_evaluated"], "个"],
        ["评估通过", summary["rounds_evaluation_passed"], "个"],
        ["评估通过率", percent(summary["evaluation_pass_rate"]), "%"],
        ["验收结论已作出", summary["rounds_acceptance_concluded"], "个"],
        ["验收合格", summary["rounds_acceptance_passed"], "个"],
        ["验收通过率", percent(summary["acceptance_pass_rate"]), "%"],
        ["清洁生产方案", summary["schemes_total"], "项"],
        ["其中：无/低费方案", summary["schemes_low_cost"], "项"],
        ["其中：中/高费方案", summary["schemes_high_cost"], "项"],
        ["已完成方案", summary["schemes_completed"], "项"],
        ["已放弃方案", summary["schemes_abandoned"], "项"],
        ["方案实施率", percent(summary["implementation_rate"]), "%"],
        ["已完成方案中绩效已核实（验收合格）", summary["schemes_verified"], "项"],
        ["已完成方案投资", plain(summary["investment_wan_yuan"]), "万元"],
        ["方案计划总投资（不含已放弃）", plain(summary["investment_planned_wan_yuan"]), "万元"],
        ["经济效益（企业报告）", plain(summary["economic_benefit_wan_yuan"]), "万元/年"],
        ["经济效益（已核实）", plain(summary["economic_benefit_verified_wan_yuan"]), "万元/年"],
    ]
    if (withheld := _withheld(summary)) is not None:
        table.rows = [[label, withheld, unit] for label, _, unit in table.rows]
    return table


def reductions_table(summary: dict) -> StatTable:
    table = StatTable("reductions", "节能减排绩效与2025年目标",
                      ["指标", "单位", "已核实", "企业报告", "2025年目标", "目标完成进度（%）"])
    withheld = _withheld(summary)
    for key, r in summary["reductions"].items():
        if withheld is not None:
            table.rows.append([r["label"], r["unit"], withheld, withheld, plain(r.get("target")), withheld])
            continue
        table.rows.append([r["label"], r["unit"], plain(r["verified"]), plain(r["reported"]), plain(r.get("target")),
                           percent(r.get("progress"))])
    return table


def breakdown_table(rows: list[dict], by: str, title: str, link=None) -> StatTable:
    columns = _figure_columns()
    first = [services.BREAKDOWNS[by]]
    if by == "enterprise":
        first += ["统一社会信用代码", "行业代码"]
    if by == "round":
        first += ["状态"]
    table = StatTable(f"by_{by}", title, first + [header for header, _ in columns], source=rows)
    for r in rows:
        lead = [r["name"]]
        if by == "enterprise":
            lead += [r["uscc"], r["industry"]]
        if by == "round":
            lead += [r["state_label"]]
        withheld = _withheld(r)
        table.rows.append(lead + [value(r) if withheld is None else withheld for _, value in columns])
        table.links.append(link(r) if link else None)
    return table


# --- what each dashboard shows ----------------------------------------------------------------------

BREAKDOWN_TITLES = {"city": "分设区市统计", "industry": "分行业统计", "year": "分年度统计", "park": "分园区统计",
                    "enterprise": "企业明细", "round": "分审核轮次统计"}
VIEW_TABLES = {
    "public": ("summary", "reductions", "by_city", "by_industry", "by_year"),
    "province": ("summary", "reductions", "by_city", "by_industry", "by_year"),
    "city": ("summary", "reductions", "by_industry", "by_park", "by_year", "by_enterprise"),
    "enterprise": ("summary", "reductions", "by_round"),
}


def build(actor, filters: Filters, view: str, names=None, *, link=None,
          enterprise_page: tuple[int, int] | None = None) -> tuple[dict, dict[str, StatTable], int | None]:
    """The summary and the tables of a dashboard (or only `names` of them, for an export), in display
    order. The summary and the tables by year, city, industry and park come from one statement
    (services.dashboard); `enterprise_page` = (limit, offset) pages the enterprise table on screen,
    where exports take every row. Returns (summary, tables, number of enterprise rows when paged)."""
    wanted = [n for n in VIEW_TABLES[view] if names is None or n in names]
    dims = tuple(n.removeprefix("by_") for n in wanted if n.removeprefix("by_") in services.DIMENSIONS)
    summary, grouped = None, {}
    if dims or {"summary", "reductions"} & set(wanted):
        summary, grouped = services.dashboard(actor, filters, dims)
    out, enterprise_total = {}, None
    for name in wanted:
        by = name.removeprefix("by_")
        if name == "summary":
            out[name] = summary_table(summary)
        elif name == "reductions":
            out[name] = reductions_table(summary)
        else:
            if by in grouped:
                rows = grouped[by]
            elif by == "enterprise" and enterprise_page:
                rows, enterprise_total = services.page_of_groups(actor, filters, by, *enterprise_page)
            else:
                rows = services.breakdown(actor, filters, by)
            out[name] = breakdown_table(rows, by, BREAKDOWN_TITLES[by], link=(link or {}).get(by))
    return summary, out, enterprise_total
