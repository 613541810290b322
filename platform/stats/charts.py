"""Chart specifications for static/js/stats-charts.js: plain data, no code. The page carries them in a
`<script type="application/json">` block (not executed, so the `script-src 'self'` policy holds) and
the script turns each into an Apache ECharts option."""
from .services import jsonable, rate
from .tables import KEY_REDUCTIONS, StatTable, percent


def rounds_chart(chart_id: str, title: str, table: StatTable) -> dict:
    """Rounds listed and accepted per row, with the completion rate on a second axis."""
    rows = table.source
    return {"id": chart_id, "type": "bars", "title": title, "categories": [r["name"] for r in rows],
            "axes": ["个", "%"], "series": [
                {"name": "审核轮次", "kind": "bar", "data": [r["rounds_listed"] for r in rows]},
                {"name": "验收合格", "kind": "bar", "data": [r["rounds_completed"] for r in rows]},
                {"name": "完成率（%）", "kind": "line", "axis": 1,
                 "data": [percent(r["completion_rate"]) for r in rows]},
            ]}


def schemes_chart(chart_id: str, title: str, table: StatTable) -> dict:
    """Completed schemes per row, with their investment on a second axis."""
    rows = table.source
    return {"id": chart_id, "type": "bars", "title": title, "categories": [r["name"] for r in rows],
            "axes": ["项", "万元"], "series": [
                {"name": "方案数", "kind": "bar", "data": [r["schemes_total"] for r in rows]},
                {"name": "已完成方案", "kind": "bar", "data": [r["schemes_completed"] for r in rows]},
                {"name": "已完成方案投资（万元）", "kind": "line", "axis": 1,
                 "data": [r["investment_wan_yuan"] for r in rows]},
            ]}


def targets_chart(chart_id: str, summary: dict) -> dict:
    """Progress of each reduction that has a 2025 target, verified and as reported."""
    items = [(k, r) for k, r in summary["reductions"].items() if r.get("target")]
    return {"id": chart_id, "type": "progress", "title": "重点工程减排量：“十四五”全区累计目标完成进度（2021–2025 年完成的方案，%）",
            "categories": [r["label"] for _, r in items], "series": [
                {"name": "已核实", "data": [percent(r["progress"]) for _, r in items]},
                {"name": "企业报告", "data": [None if r.get("period_reported") is None
                                              else percent(rate(r["period_reported"], r["target"])) for _, r in items]},
            ]}


def status_chart(chart_id: str, summary: dict) -> dict:
    if summary.get("suppressed"):  # a withheld cell (services.summary): nothing to draw
        return {"id": chart_id, "type": "pie", "title": "方案实施情况", "data": []}
    open_schemes = summary["schemes_total"] - summary["schemes_completed"] - summary["schemes_abandoned"]
    return {"id": chart_id, "type": "pie", "title": "方案实施情况", "data": [
        {"name": "已完成（已核实）", "value": summary["schemes_verified"]},
        {"name": "已完成（待验收核实）", "value": summary["schemes_completed"] - summary["schemes_verified"]},
        {"name": "计划或实施中", "value": open_schemes},
        {"name": "已放弃", "value": summary["schemes_abandoned"]},
    ]}


def reductions_chart(chart_id: str, summary: dict) -> dict:
    """Pollutant reductions in tonnes, verified beside reported."""
    keys = [k for k in KEY_REDUCTIONS if summary["reductions"][k]["unit"] == "t" and k not in ("water_t", "co2_t")]
    reductions = summary["reductions"]
    return {"id": chart_id, "type": "bars", "title": "污染物削减量（t）", "categories": [reductions[k]["label"] for k in keys],
            "axes": ["t"], "series": [
                {"name": "已核实", "kind": "bar", "data": [reductions[k]["verified"] for k in keys]},
                {"name": "企业报告", "kind": "bar", "data": [reductions[k]["reported"] for k in keys]},
            ]}


def payload(*charts: dict) -> dict:
    return jsonable({"charts": list(charts)})
