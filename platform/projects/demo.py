"""Demo 两高 projects: a dozen across five cities and every stage, some with warnings, and joint-review
notes by the three departments' demo regulators. Idempotent: nothing is added once a project exists."""
from datetime import date

from sqlalchemy import func, select

from ..accounts.models import User
from ..core.access import SYSTEM
from ..core.extensions import db
from ..enterprises.models import Enterprise
from . import services
from .rules import sectors
from .models import TwoHighProject

# (sector, GB/T 4754 division of the owner, name, capacity, stage, details)
DEMO = [
    ("steel_bof", "31", "转炉炼钢升级改造项目", "300", "existing", {"actual_energy": "-24", "utilization_percent": "86"}),
    ("ironmaking", "31", "2号高炉大修扩容项目", "180", "building",
     {"designed_energy": "372", "replacement_plan_no": "桂工信原材料〔2025〕18号", "retired_capacity": "220",
      "approval_no": "桂发改工业〔2025〕301号"}),
    ("steel_eaf", "31", "短流程电弧炉炼钢项目", "100", "planned", {"designed_energy": "66", "filing_no": "2026-450200-31-03-000123"}),
    ("steel_bof", "31", "年产200万吨转炉炼钢项目", "200", "planned", {"designed_energy": "-18"}),
    ("cement_clinker", "30", "4500t/d 新型干法熟料生产线", "4500", "existing", {"actual_energy": "112", "utilization_percent": "74.5"}),
    ("cement_clinker", "30", "熟料生产线技改项目", "5000", "building",
     {"designed_energy": "104", "replacement_plan_no": "桂工信原材料〔2026〕7号", "retired_capacity": "6250"}),
    ("flat_glass", "30", "900t/d 优质浮法玻璃生产线", "900", "planned", {"designed_energy": "11.2"}),
    ("electrolytic_aluminium", "32", "电解铝产能置换项目", "50", "building",
     {"designed_energy": "13150", "replacement_plan_no": "桂工信原材料〔2024〕25号", "retired_capacity": "50"}),
    ("electrolytic_aluminium", "32", "电解铝生产线", "30", "existing", {"actual_energy": "13420", "utilization_percent": "92"}),
    ("oil_refining", "25", "千万吨级炼油项目（一期）", "1000", "existing", {"actual_energy": "8.1"}),
    ("caustic_soda", "26", "离子膜烧碱装置", "30", "existing", {"actual_energy": "328"}),
    ("ammonia", "26", "天然气制合成氨装置", "20", "planned", {"designed_energy": "1050", "approval_no": "桂发改产业〔2026〕55号"}),
]
NOTES = {
    "gx-development": "已核对项目审批（备案）手续，请工业和信息化部门核实产能置换方案。",
    "gx-industry": "产能置换方案尚未公告，拟建项目暂不予推进。",
    "gx-regulator": "环评审批须以产能置换方案公告和能效达到基准水平以上为前提。",
}


def _owner(division: str, used: set[int]) -> Enterprise | None:
    return db.session.scalar(select(Enterprise).where(Enterprise.industry_code == division, Enterprise.id.not_in(used or {0}))
                             .order_by(Enterprise.city_code, Enterprise.id))


def load_demo() -> int:
    if db.session.scalar(select(func.count(TwoHighProject.id))):
        return 0
    used: set[int] = set()
    created = []
    for sector, division, name, capacity, stage, details in DEMO:
        owner = _owner(division, used)
        if owner is None:
            continue
        used.add(owner.id)
        unit = sectors()[sector].capacity_unit
        created.append(services.create(SYSTEM, {"uscc": owner.uscc, "name": f"{owner.name.split('有限公司')[0]}{name}",
                                                "sector": sector, "capacity": capacity, "capacity_unit": unit,
                                                "stage": stage, **details}, today=date(2026, 3, 2)))
    flagged = next((p for p in created if p.sector == "steel_bof" and p.stage == "planned"), None)
    if flagged is not None:
        for username, text in NOTES.items():
            user = db.session.scalar(select(User).where(User.username == username))
            if user is not None:
                services.add_note(user, flagged, text)
    building = next((p for p in created if p.sector == "cement_clinker" and p.stage == "building"), None)
    if building is not None:
        services.change_stage(SYSTEM, building, {"stage": "planned", "changed_on": date(2026, 6, 1),
                                                 "reason": "项目用地调整，暂缓建设"}, today=date(2026, 6, 1))
        services.change_stage(SYSTEM, building, {"stage": "building", "changed_on": date(2026, 9, 1)},
                              today=date(2026, 9, 1))
    return len(created)
