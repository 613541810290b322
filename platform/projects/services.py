"""The 两高 project register: record projects, move them through their stages, note the joint review,
and warn where a project falls short.

Who: regulators of development and reform, industry and IT, and ecology and environment (rules.
DEPARTMENTS) keep the register for their city (a province regulator for every city); admins read it;
access.SYSTEM (the CLI, the demo) does anything. A project of another city, or any project for a
regulator of another department, reads as missing (errors.NotFound).

An enterprise with a project in the register gets the strict audit procedure: recording a project
sets `enterprise.two_high` in the same transaction (audits.rules.procedure_for reads it), and the
flag cannot be cleared while the project is registered (`has_projects` is registered with
enterprises.services.flag_held_by, which enterprises.services.update asks).
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from ..core import access
from ..core.auditlog.services import record
from ..core.dates import beijing_today
from ..core.errors import InvalidFields, NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.reference.services import cities
from ..enterprises import services as enterprises
from ..enterprises.models import Enterprise
from .models import STAGE_ORDER, STAGES, JointReviewNote, ProjectStageChange, TwoHighProject
from .rules import DEPARTMENTS, sectors

MISSING = "未找到该“两高”项目。"
MAX_CAPACITY = Decimal("100000000")
ENERGY_BOUNDS = (Decimal("-1000"), Decimal("1000000"))  # kgce/t, kgce/重量箱, kWh/t: beyond is a typing slip
TEXT_LIMITS = {"name": 200, "approval_no": 100, "filing_no": 100, "replacement_plan_no": 100}


# --- who ---------------------------------------------------------------------------------------------

def keeps_register(actor) -> bool:
    """SYSTEM, or a regulator of a responsible department."""
    return access.in_department(actor, *DEPARTMENTS)


def reads_register(actor) -> bool:
    return keeps_register(actor) or access.has_role(actor, "admin")


def require_reader(actor) -> None:
    if not reads_register(actor):
        raise PermissionDenied("“两高”项目清单由发展改革、工业和信息化、生态环境部门管理，您所在部门无权查看。")


KEEPERS_ONLY = "只有发展改革、工业和信息化、生态环境部门的监管账号可以维护“两高”项目清单。"


def _require_keeper_of(actor, city_code: str) -> None:
    access.require_department(actor, *DEPARTMENTS, message=KEEPERS_ONLY)
    access.require_regulator_of(actor, city_code)


def scope(actor):
    """SQL condition on Enterprise for the projects `actor` reads."""
    if not reads_register(actor):
        return Enterprise.id.is_(None)
    return enterprises.scope_clause(actor)


def get(actor, project_id: int) -> TwoHighProject:
    project = db.session.get(TwoHighProject, project_id)
    if project is None or not reads_register(actor) or not access.sees_city(actor, project.enterprise.city_code):
        raise NotFound(MISSING)
    return project


def has_projects(enterprise_id: int) -> bool:
    return bool(db.session.scalar(select(func.count(TwoHighProject.id)).where(
        TwoHighProject.enterprise_id == enterprise_id)))


enterprises.flag_held_by("two_high", has_projects,
                         "该企业有项目在“两高”项目清单内，适用完整审核程序，不能取消“两高”标记。")


# --- parsing -------------------------------------------------------------------------------------------

def _text(raw: dict, name: str) -> str:
    return str(raw.get(name) if raw.get(name) is not None else "").strip()


def _decimal(raw: dict, name: str, label: str, errors: dict, *, places: int = 2) -> Decimal | None:
    text = _text(raw, name).replace(",", "").removesuffix("%")
    if not text:
        return None
    try:
        value = Decimal(text)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors[name] = f"{label}应为数字（填写的是“{text[:40]}”）。"
        return None
    if value != value.quantize(Decimal(1).scaleb(-places)):
        errors[name] = f"{label}最多保留 {places} 位小数。"
        return None
    return value


def _parse_details(raw: dict, sector, errors: dict) -> dict:
    """The fields a project's record and its later edits share; every problem names its field."""
    values = {}
    for name, label in (("approval_no", "审批（核准）文号"), ("filing_no", "备案号"), ("replacement_plan_no", "产能置换方案文号")):
        text = _text(raw, name)
        if len(text) > TEXT_LIMITS[name]:
            errors[name] = f"{label}最多 {TEXT_LIMITS[name]} 个字符。"
        values[name] = text or None
    unit = sector.benchmark.unit if sector and sector.benchmark else (sector.energy_unit if sector else "")
    for name, label in (("designed_energy", "设计单位产品能耗"), ("actual_energy", "实际单位产品能耗")):
        value = _decimal(raw, name, label, errors, places=3)
        if value is not None and not ENERGY_BOUNDS[0] <= value <= ENERGY_BOUNDS[1]:
            errors[name] = f"{label}（{unit}）超出合理范围，请核对单位。"
        given_unit = _text(raw, f"{name}_unit")
        if value is not None and given_unit and sector and given_unit != unit:
            errors[name] = f"{label}的单位应为“{unit}”（{sector.name}按该单位对照能效水平），填写的是“{given_unit}”。"
        values[name] = value
    utilization = _decimal(raw, "utilization_percent", "产能利用率", errors)
    if utilization is not None and not Decimal(0) <= utilization <= Decimal(100):
        errors["utilization_percent"] = f"产能利用率为百分比，应在 0–100% 之间（填写的是 {utilization}）。"
    values["utilization_percent"] = utilization
    retired = _decimal(raw, "retired_capacity", "置换退出产能", errors)
    if retired is not None and retired <= 0:
        errors["retired_capacity"] = "置换退出产能应大于 0。"
    elif retired is not None and retired > MAX_CAPACITY:
        errors["retired_capacity"] = "置换退出产能数值过大，请核对单位。"
    retired_unit = _text(raw, "retired_capacity_unit")
    if retired is not None and retired_unit and sector and retired_unit != sector.capacity_unit:
        errors["retired_capacity"] = (f"置换退出产能的单位应为“{sector.capacity_unit}”（与{sector.name}项目产能一致），"
                                      f"填写的是“{retired_unit}”。")
    values["retired_capacity"] = retired
    if sector and not sector.replacement_required and (values["replacement_plan_no"] or retired is not None):
        errors["replacement_plan_no"] = f"{sector.name}不适用产能置换，无须填写置换方案。"
    elif (values["replacement_plan_no"] is None) != (retired is None):
        field = "retired_capacity" if values["replacement_plan_no"] else "replacement_plan_no"
        errors[field] = "产能置换方案须同时填写方案文号和退出产能。"
    return values


def _parse_capacity(raw: dict, sector, errors: dict) -> Decimal | None:
    capacity = _decimal(raw, "capacity", "产能", errors)
    if capacity is None and "capacity" not in errors:
        errors["capacity"] = "请填写产能。"
    elif capacity is not None and not Decimal(0) < capacity <= MAX_CAPACITY:
        errors["capacity"] = "产能应大于 0，且不超过合理范围（请核对单位）。"
    unit = _text(raw, "capacity_unit")
    if sector is not None and "capacity" not in errors:
        if not unit:
            errors["capacity_unit"] = f"请填写产能单位（{sector.name}为“{sector.capacity_unit}”）。"
        elif unit != sector.capacity_unit:
            errors["capacity_unit"] = (f"产能单位不正确：{sector.name}项目的产能以“{sector.capacity_unit}”计，"
                                       f"填写的是“{unit}”。")
    return capacity


def _parse_stage(raw: dict, errors: dict, name: str = "stage") -> str | None:
    stage = _text(raw, name)
    stage = {label: key for key, label in STAGES.items()}.get(stage, stage)
    if stage not in STAGES:
        errors[name] = "项目阶段应为：" + "、".join(STAGES.values()) + "。"
        return None
    return stage


# --- writing -------------------------------------------------------------------------------------------

def create(actor, raw: dict, *, today: date | None = None) -> TwoHighProject:
    """Record a project (`raw`: uscc, name, sector, capacity, capacity_unit, stage, and the optional
    details of `_parse_details`). Sets the owner's two_high flag."""
    access.require_department(actor, *DEPARTMENTS, message=KEEPERS_ONLY)
    errors = {}
    enterprise = enterprises.by_uscc(_text(raw, "uscc"))
    if enterprise is None or not access.sees_city(actor, enterprise.city_code):
        errors["uscc"] = "未找到该统一社会信用代码的企业（须为本辖区已登记的企业）。"
    name = _text(raw, "name")
    if not name:
        errors["name"] = "请填写项目名称。"
    elif len(name) > TEXT_LIMITS["name"]:
        errors["name"] = f"项目名称最多 {TEXT_LIMITS['name']} 个字符。"
    sector = sectors().get(_text(raw, "sector"))
    if sector is None:
        errors["sector"] = "行业不在“两高”项目行业目录内，应为：" + "、".join(s.name for s in sectors().values()) + "。"
    capacity = _parse_capacity(raw, sector, errors)
    stage = _parse_stage(raw, errors)
    details = _parse_details(raw, sector, errors)
    if errors:
        raise InvalidFields(errors)
    _require_keeper_of(actor, enterprise.city_code)
    project = TwoHighProject(enterprise_id=enterprise.id, name=name, sector=sector.key, capacity=capacity,
                             capacity_unit=sector.capacity_unit, stage=stage,
                             created_by_id=getattr(actor, "id", None), **details)
    db.session.add(project)
    db.session.flush()
    db.session.add(ProjectStageChange(project_id=project.id, to_stage=stage, changed_on=today or beijing_today(),
                                      changed_by_id=getattr(actor, "id", None)))
    record(actor, "two_high_project.create", "two_high_project", project.id, division_code=enterprise.city_code,
           after={"enterprise_id": enterprise.id, "name": name, "sector": sector.key, "capacity": capacity,
                  "capacity_unit": sector.capacity_unit, "project_stage": stage,
                  **{k: v for k, v in details.items() if v is not None}})
    enterprises.hold_flag(actor, enterprise, "two_high", f"登记“两高”项目（{name}），适用完整审核程序")
    db.session.flush()
    return project


EDITABLE = ("capacity", "approval_no", "filing_no", "designed_energy", "actual_energy", "utilization_percent",
            "replacement_plan_no", "retired_capacity")


def update(actor, project: TwoHighProject, raw: dict) -> bool:
    """Change a project's capacity, numbers, energy use or replacement proof; returns whether anything changed."""
    _require_keeper_of(actor, project.enterprise.city_code)
    sector = sectors()[project.sector]
    errors = {}
    merged = {k: getattr(project, k) for k in EDITABLE} | {"capacity_unit": project.capacity_unit} | raw
    capacity = _parse_capacity(merged, sector, errors)
    details = _parse_details(merged, sector, errors)
    if errors:
        raise InvalidFields(errors)
    values = {"capacity": capacity, **details}
    before = {k: getattr(project, k) for k in values if getattr(project, k) != values[k]}
    if not before:
        return False
    for k in before:
        setattr(project, k, values[k])
    record(actor, "two_high_project.update", "two_high_project", project.id, division_code=project.enterprise.city_code,
           before=before, after={k: values[k] for k in before})
    return True


def change_stage(actor, project: TwoHighProject, raw: dict, *, today: date | None = None) -> ProjectStageChange:
    """Move a project to another stage (`raw`: stage, changed_on, reason). Forward in the order
    拟建 → 在建 → 存量 as it is built; backwards only with a reason (rules.STAGE_BACKWARDS)."""
    _require_keeper_of(actor, project.enterprise.city_code)
    today = today or beijing_today()
    errors = {}
    stage = _parse_stage(raw, errors)
    reason = _text(raw, "reason")
    on = raw.get("changed_on") or today
    if isinstance(on, str):
        try:
            on = date.fromisoformat(on.strip())
        except ValueError:
            errors["changed_on"] = "变更日期应为 YYYY-MM-DD 格式。"
    if isinstance(on, date) and on > today:
        errors["changed_on"] = f"变更日期不能晚于今天（{today.isoformat()}）。"
    last = project.stage_changes[-1] if project.stage_changes else None
    if isinstance(on, date) and last is not None and on < last.changed_on:
        errors["changed_on"] = f"变更日期不能早于上次阶段变更（{last.changed_on.isoformat()}）。"
    if len(reason) > 1000:
        errors["reason"] = "理由最多 1000 个字符。"
    if stage is not None:
        if stage == project.stage:
            errors["stage"] = f"项目已处于“{project.stage_label}”阶段。"
        elif STAGE_ORDER[stage] < STAGE_ORDER[project.stage] and not reason:
            errors["reason"] = (f"项目阶段从“{project.stage_label}”退回“{STAGES[stage]}”，须写明理由"
                                "（如停建、缓建或批复撤销）。")
    if errors:
        raise InvalidFields(errors)
    change = ProjectStageChange(project_id=project.id, from_stage=project.stage, to_stage=stage, changed_on=on,
                                reason=reason or None, changed_by_id=getattr(actor, "id", None))
    db.session.add(change)
    record(actor, "two_high_project.stage", "two_high_project", project.id, division_code=project.enterprise.city_code,
           before={"project_stage": project.stage}, after={"project_stage": stage, "changed_on": on},
           note=reason or None)
    project.stage = stage
    db.session.flush()
    db.session.refresh(project, ["stage_changes"])
    return change


def add_note(actor, project: TwoHighProject, text: str) -> JointReviewNote:
    """A joint-review (联合会商) note by a regulator of a responsible department."""
    _require_keeper_of(actor, project.enterprise.city_code)
    if access.is_system(actor):
        raise PermissionDenied("会商意见须由部门监管人员填写。")
    text = (text or "").strip()
    if not text:
        raise ValidationError("请填写会商意见。", "note")
    if len(text) > 2000:
        raise ValidationError("会商意见最多 2000 个字符。", "note")
    note = JointReviewNote(project_id=project.id, department=actor.department, author_id=actor.id, note=text)
    db.session.add(note)
    db.session.flush()
    record(actor, "two_high_project.note", "two_high_project", project.id, division_code=project.enterprise.city_code,
           after={"department": actor.department, "note": text})
    return note


# --- warnings --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Warning:
    code: str
    message: str


WARNING_LABELS = {"below_baseline": "能效劣于基准水平", "no_replacement": "缺少产能置换方案",
                  "controlled_planned": "严控行业拟建项目"}


def warnings(project: TwoHighProject) -> list[Warning]:
    """What the register flags for a project (rules BENCHMARK_LEVELS, REPLACEMENT, CONTROLLED)."""
    sector = sectors()[project.sector]
    out = []
    level = sector.benchmark
    if level is not None:
        for value, label in ((project.designed_energy, "设计"), (project.actual_energy, "实际")):
            if value is not None and value > level.baseline:
                out.append(Warning("below_baseline", f"{label}单位产品能耗 {_plain(value)} {level.unit}，劣于基准水平"
                                                     f" {_plain(level.baseline)} {level.unit}（{level.edition}）"))
    if sector.replacement_required and project.stage != "existing" and not project.replacement_plan_no:
        out.append(Warning("no_replacement", f"{sector.name}为须产能置换的行业，{project.stage_label}项目未登记产能置换方案"))
    if sector.under_control and project.stage == "planned":
        out.append(Warning("controlled_planned", f"{sector.name}为严控新增产能的行业，项目处于拟建阶段，须会商核查"))
    return out


def level_of(project: TwoHighProject, which: str) -> str | None:
    """Where a unit energy use stands: 达到标杆水平 / 达到基准水平 / 劣于基准水平."""
    value = getattr(project, which)
    level = sectors()[project.sector].benchmark
    if value is None or level is None:
        return None
    if value <= level.benchmark:
        return "达到标杆水平"
    return "达到基准水平" if value <= level.baseline else "劣于基准水平"


def _plain(value) -> str:
    return format(Decimal(value).normalize(), "f")


# --- reading ---------------------------------------------------------------------------------------------

@dataclass
class Filters:
    city: str = ""
    sector: str = ""
    stage: str = ""
    warning: str = ""  # a WARNING_LABELS code: only projects with that warning
    uscc: str = ""  # one owner's projects

    @classmethod
    def parse(cls, args) -> "Filters":
        city, sector, stage, warning, uscc = (str(args.get(k, "") or "").strip()
                                              for k in ("city", "sector", "stage", "warning", "uscc"))
        errors = {}
        if city and city not in cities():
            errors["city"] = "设区市代码不正确，应为广西一个设区市的行政区划代码（如 450100）。"
        if sector and sector not in sectors():
            errors["sector"] = "行业不正确，应为：" + "、".join(sectors()) + "。"
        if stage and stage not in STAGES:
            errors["stage"] = "项目阶段应为：" + "、".join(STAGES) + "。"
        if warning and warning not in WARNING_LABELS:
            errors["warning"] = "预警类型应为：" + "、".join(WARNING_LABELS) + "。"
        if len(uscc) > 18:
            errors["uscc"] = "统一社会信用代码为 18 位。"
        if errors:
            raise InvalidFields(errors)
        return cls(city, sector, stage, warning, uscc.upper())

    def words(self) -> list[str]:
        return [cities().get(self.city, ""), sectors()[self.sector].name if self.sector else "",
                STAGES.get(self.stage, ""), WARNING_LABELS.get(self.warning, ""), self.uscc]


def query(actor, filters: Filters):
    """The projects `actor` reads, filtered, newest first (the warning filter is applied by `matching`)."""
    require_reader(actor)
    stmt = (select(TwoHighProject).join(Enterprise, Enterprise.id == TwoHighProject.enterprise_id)
            .where(scope(actor)))
    if filters.city:
        stmt = stmt.where(Enterprise.city_code == filters.city)
    if filters.sector:
        stmt = stmt.where(TwoHighProject.sector == filters.sector)
    if filters.stage:
        stmt = stmt.where(TwoHighProject.stage == filters.stage)
    if filters.uscc:
        stmt = stmt.where(Enterprise.uscc == filters.uscc)
    if filters.warning:
        stmt = stmt.where(TwoHighProject.id.in_(_ids_with_warning(actor, filters.warning)))
    return stmt.order_by(TwoHighProject.id.desc())


def matching(actor, filters: Filters) -> list[TwoHighProject]:
    """Every project of `query`, for an export."""
    return list(db.session.scalars(query(actor, filters)))


def _ids_with_warning(actor, code: str) -> list[int]:
    # Warnings are computed from the reference data, not stored; the register is small (hundreds).
    rows = db.session.scalars(select(TwoHighProject).join(Enterprise, Enterprise.id == TwoHighProject.enterprise_id)
                              .where(scope(actor)))
    return [p.id for p in rows if any(w.code == code for w in warnings(p))]


def summary(actor) -> dict:
    """Counts by city and sector, and by stage, for the overview."""
    require_reader(actor)
    rows = db.session.execute(
        select(Enterprise.city_code, TwoHighProject.sector, TwoHighProject.stage, func.count(TwoHighProject.id))
        .join(Enterprise, Enterprise.id == TwoHighProject.enterprise_id).where(scope(actor))
        .group_by(Enterprise.city_code, TwoHighProject.sector, TwoHighProject.stage)).all()
    by_city: dict[str, dict[str, int]] = {}
    by_stage: dict[str, int] = {}
    for city, sector, stage, count in rows:
        by_city.setdefault(city, {}).setdefault(sector, 0)
        by_city[city][sector] += count
        by_stage[stage] = by_stage.get(stage, 0) + count
    return {"by_city": by_city, "by_stage": by_stage,
            "cities": [c for c in cities() if c in by_city], "sectors": [s for s in sectors() if any(
                s in counts for counts in by_city.values())]}

