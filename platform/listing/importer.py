"""Importing the evidence a list is built from: permits, monitoring records, energy data and declared
priority chemicals (.xlsx or .csv, Chinese headers).

Each file is all or nothing: every row is checked under its own savepoint (core.tabular.import_rows)
so that each bad row is reported with its number, column and reason, and when any row is refused the
whole file is rolled back. A row is keyed (a permit by its number, a record by enterprise and date …):
the same row again is unchanged, a changed row updates, so importing the same file twice changes nothing.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Callable

from sqlalchemy import select

from ..core import access
from ..core.auditlog.services import record
from ..core.errors import InvalidFields, PermissionDenied, ValidationError, collect, text
from ..core.extensions import db
from ..core.dates import beijing_today
from ..core.reference.models import PriorityChemical
from ..core.reference.services import parse_industry, priority_chemical
from ..core.tabular import ImportReport, import_rows, parse_date, read_table
from ..enterprises import services as enterprises
from ..enterprises.uscc import validate as validate_uscc
from .models import (DECLARATION_KINDS, PERMIT_CLASSES, ChemicalDeclaration, DischargePermit, EnergyRecord,
                     MonitoringRecord)
from .candidates import declares_priority_chemicals
from .rules import CHEMICAL_YEARS, department_for

MAX_AMOUNT = Decimal("1e12")


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    model: type
    columns: dict  # header -> field
    required: list
    department: Callable[[], str]  # who imports it
    clean: Callable  # (raw) -> (key fields, other fields)
    sample: list  # rows of the template, in column order


def _number(raw: dict, field: str, label: str, *, required: bool = True, positive: bool = False):
    def check():
        value = raw.get(field)
        value_text = str(value if value is not None else "").strip().replace(",", "")
        if not value_text:
            if required:
                raise ValidationError(f"请填写{label}。", field)
            return None
        try:
            number = Decimal(value_text)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise ValidationError(f"{label}“{value_text}”不是数字。", field) from None
        if number < 0 or (positive and number == 0):
            raise ValidationError(f"{label}应{'大于' if positive else '不小于'} 0。", field)
        if number >= MAX_AMOUNT or number != number.quantize(Decimal("0.0001")):
            raise ValidationError(f"{label}数值过大或小数位超过 4 位，请核对单位。", field)
        return number
    return check


def _year(raw: dict, field: str = "year"):
    def check():
        value = str(raw.get(field) or "").strip().removesuffix("年")
        if not (value.isdigit() and 2000 <= int(value) <= 2100):
            raise ValidationError("年份应为 4 位数字（如 2025）。", field)
        return int(value)
    return check


def _date(raw: dict, field: str, label: str):
    def check():
        value = parse_date(raw.get(field), field, label)
        if value is None:
            raise ValidationError(f"请填写{label}。", field)
        return value
    return check


def _enterprise(raw: dict):
    """The registered enterprise of the row's code (validated as GB 32100 asks)."""
    def check():
        code = validate_uscc(raw.get("uscc"), "uscc")
        found = enterprises.by_uscc(code)
        if found is None:
            raise ValidationError(f"统一社会信用代码 {code} 未在企业名录中登记，请先导入或登记该企业。", "uscc")
        return found
    return check


def _choice(raw: dict, field: str, label: str, choices: dict):
    def check():
        value = str(raw.get(field) or "").strip()
        for key, name in choices.items():
            if value in (key, name):
                return key
        raise ValidationError(f"{label}应为{'、'.join(choices.values())}。", field)
    return check


def _clean_permit(raw):
    def industry():
        return parse_industry(str(raw.get("industry_code") or ""), "industry_code")[1]

    values = collect({
        "permit_no": text(raw.get("permit_no"), "permit_no", "许可证编号", 40, required=True),
        "unit_name": text(raw.get("unit_name"), "unit_name", "单位名称", 200, required=True),
        "enterprise": _enterprise(raw),
        "industry_code": industry,
        "management_class": _choice(raw, "management_class", "管理类别", PERMIT_CLASSES),
        "valid_from": _date(raw, "valid_from", "有效期起"),
        "valid_to": _date(raw, "valid_to", "有效期止"),
        "issuing_authority": text(raw.get("issuing_authority"), "issuing_authority", "发证机关", 100, required=True),
    })
    if values["valid_to"] < values["valid_from"]:
        raise ValidationError("有效期止不能早于有效期起。", "valid_to")
    return {"permit_no": values.pop("permit_no")}, values


def _clean_monitoring(raw):
    values = collect({
        "enterprise": _enterprise(raw),
        "pollutant": text(raw.get("pollutant"), "pollutant", "污染物", 50, required=True),
        "measured_on": _date(raw, "measured_on", "监测日期"),
        "measured_value": _number(raw, "measured_value", "监测值"),
        "limit_value": _number(raw, "limit_value", "排放限值", positive=True),
        "unit": text(raw.get("unit"), "unit", "单位", 20, required=True),
        "annual_total": _number(raw, "annual_total", "年排放量", required=False),
        "permitted_total": _number(raw, "permitted_total", "许可排放量", required=False, positive=True),
    })
    if (values["annual_total"] is None) != (values["permitted_total"] is None):
        missing = "permitted_total" if values["permitted_total"] is None else "annual_total"
        raise ValidationError("年排放量与许可排放量须同时填写（用于判断是否超总量），或都不填。", missing)
    key = {"enterprise_id": values["enterprise"].id, "pollutant": values.pop("pollutant"),
           "measured_on": values.pop("measured_on")}
    return key, values


def _clean_energy(raw):
    values = collect({
        "enterprise": _enterprise(raw),
        "year": _year(raw),
        "total_tce": _number(raw, "total_tce", "综合能耗（tce）"),
        "product": text(raw.get("product"), "product", "产品", 50, required=True),
        "unit_consumption": _number(raw, "unit_consumption", "单位产品能耗"),
        "unit_label": text(raw.get("unit_label"), "unit_label", "能耗单位", 30, default="kgce/t"),
        "quota_value": _number(raw, "quota_value", "限额值", positive=True),
        "quota_standard": text(raw.get("quota_standard"), "quota_standard", "限额标准", 50, required=True),
    })
    key = {"enterprise_id": values["enterprise"].id, "year": values.pop("year"), "product": values.pop("product")}
    return key, values


def _clean_declaration(raw):
    def chemical():
        found = priority_chemical(raw.get("chemical"))
        if found is None:
            raise ValidationError(f"“{str(raw.get('chemical') or '').strip()}”不在优先控制化学品名录中"
                                  "（填写名录编号、名称或 CAS 号）。", "chemical")
        return found

    values = collect({
        "enterprise": _enterprise(raw),
        "chemical": chemical,
        "kind": _choice(raw, "kind", "使用或排放", DECLARATION_KINDS),
        "amount_t": _number(raw, "amount_t", "数量（t）"),
        "year": _year(raw),
    })
    key = {"enterprise_id": values["enterprise"].id, "chemical_id": values.pop("chemical").id,
           "kind": values.pop("kind"), "year": values.pop("year")}
    return key, values


def _ecology():
    return department_for("over_discharge")


KINDS = {k.key: k for k in (
    Kind("permits", "排污许可证", DischargePermit,
         {"许可证编号": "permit_no", "单位名称": "unit_name", "统一社会信用代码": "uscc", "行业代码": "industry_code",
          "管理类别": "management_class", "有效期起": "valid_from", "有效期止": "valid_to", "发证机关": "issuing_authority"},
         ["许可证编号", "单位名称", "统一社会信用代码", "行业代码", "管理类别", "有效期起", "有效期止", "发证机关"],
         _ecology, _clean_permit,
         [["91450100MA5K000001", "南宁某某化工有限公司", "（填写企业的统一社会信用代码）", "2614", "重点管理", "2023-06-01",
           "2028-05-31", "南宁市生态环境局"]]),
    Kind("monitoring", "监测超标与总量记录", MonitoringRecord,
         {"统一社会信用代码": "uscc", "污染物": "pollutant", "监测日期": "measured_on", "监测值": "measured_value",
          "排放限值": "limit_value", "单位": "unit", "年排放量": "annual_total", "许可排放量": "permitted_total"},
         ["统一社会信用代码", "污染物", "监测日期", "监测值", "排放限值", "单位"],
         _ecology, _clean_monitoring,
         [["（统一社会信用代码）", "化学需氧量", "2026-05-12", "86.5", "60", "mg/L", "", ""],
          ["（统一社会信用代码）", "氮氧化物", "2026-06-30", "95", "100", "mg/m³", "132.6", "120"]]),
    Kind("energy", "能耗数据", EnergyRecord,
         {"统一社会信用代码": "uscc", "年份": "year", "综合能耗（tce）": "total_tce", "产品": "product",
          "单位产品能耗": "unit_consumption", "能耗单位": "unit_label", "限额值": "quota_value", "限额标准": "quota_standard"},
         ["统一社会信用代码", "年份", "综合能耗（tce）", "产品", "单位产品能耗", "限额值", "限额标准"],
         lambda: department_for("over_energy"), _clean_energy,
         [["（统一社会信用代码）", "2025", "86000", "水泥熟料", "118", "kgce/t", "117", "GB 16780-2021"]]),
    Kind("chemicals", "优先控制化学品使用与排放申报", ChemicalDeclaration,
         {"统一社会信用代码": "uscc", "化学品": "chemical", "使用或排放": "kind", "数量（t）": "amount_t", "年份": "year"},
         ["统一社会信用代码", "化学品", "使用或排放", "数量（t）", "年份"],
         _ecology, _clean_declaration,
         [["（统一社会信用代码）", "二氯甲烷", "使用", "12.5", "2025"]]),
)}


def require_importer(actor, kind: Kind) -> None:
    """A regulator of the kind's department (SYSTEM for the CLI and the demo)."""
    if not access.has_role(actor, "regulator"):
        raise PermissionDenied("只有监管部门可以导入名单筛选数据。")
    if not access.in_department(actor, kind.department()):
        raise PermissionDenied(f"{kind.title}由{_department_name(kind.department())}部门导入，您所在部门无权导入。")


def _department_name(code: str) -> str:
    from ..accounts.models import DEPARTMENTS

    return DEPARTMENTS.get(code, code)


def import_file(actor, kind_key: str, data: bytes, filename: str, progress=None, *,
                today: date | None = None) -> ImportReport:
    """Import one file of `kind_key`. Declared priority chemicals within the rule's window on `today`
    (rules.CHEMICAL_YEARS) set the enterprise's toxic_substances flag, so its next round is strict."""
    kind = KINDS[kind_key]
    require_importer(actor, kind)
    optional = [h for h in kind.columns if h not in kind.required]
    table = read_table(data, filename, kind.required, optional)
    header_of = {field: header for header, field in kind.columns.items()}
    seen: dict[tuple, int] = {}
    today = today or beijing_today()
    window = (today.year - CHEMICAL_YEARS.value + 1, today.year)
    declared: dict[int, tuple] = {}  # enterprise id -> (enterprise, latest year in the window, chemical id)
    whole = db.session.begin_nested()
    report = import_rows(table, kind.columns,
                         lambda raw, number: _import_row(actor, kind, raw, number, seen, (window, declared)),
                         lambda field: header_of.get(field or "", kind.required[0]), progress)
    if report.errors:
        whole.rollback()
        report.kept_nothing = True
        report.created = report.updated = report.unchanged = 0
        return report
    whole.commit()
    if kind.key == "chemicals":
        _hold_toxic_flags(actor, declared)
    if report.created or report.updated:
        record(actor, f"evidence.import_{kind.key}", "evidence_import", kind.key, note=filename[:200],
               after={"rows": report.total, "created": report.created, "updated": report.updated,
                      "unchanged": report.unchanged},
               division_code=None if access.province_wide(actor) else actor.division_code)
    return report


def _import_row(actor, kind: Kind, raw: dict, number: int, seen: dict, declarations: tuple) -> str:
    key, values = kind.clean(raw)
    enterprise = values.pop("enterprise")
    if not access.manages_city(actor, enterprise.city_code):
        raise PermissionDenied(f"{enterprise.name}不在您的管辖范围内。", "uscc")
    identity = tuple(sorted((k, str(v)) for k, v in key.items()))
    if identity in seen:
        raise ValidationError(f"与第 {seen[identity]} 行重复：同一记录在文件中只能出现一次。",
                              "permit_no" if kind.key == "permits" else "uscc")
    seen[identity] = number
    values["enterprise_id"] = enterprise.id
    (first_year, last_year), declared = declarations
    if kind.key == "chemicals" and first_year <= key["year"] <= last_year \
            and key["year"] >= declared.get(enterprise.id, (None, 0))[1]:
        declared[enterprise.id] = (enterprise, key["year"], key["chemical_id"])
    existing = db.session.scalar(select(kind.model).filter_by(**key))
    if kind.key == "permits":
        if existing is not None and existing.enterprise_id != enterprise.id:
            raise ValidationError(f"许可证编号 {key['permit_no']} 已登记在{existing.enterprise.name}名下。", "permit_no")
        _follow_permit(actor, enterprise, key["permit_no"], values["management_class"])
    if existing is None:
        db.session.add(kind.model(**{**values, **key}))
        db.session.flush()
        return "created"
    changed = {k: v for k, v in values.items() if k not in key and getattr(existing, k) != v}
    for field, value in changed.items():
        setattr(existing, field, value)
    db.session.flush()
    return "updated" if changed else "unchanged"


def _hold_toxic_flags(actor, declared: dict) -> None:
    """Every enterprise of the file with a declaration in the window gets toxic_substances, in this
    transaction and audit-logged by the importer (enterprises.hold_flag); the flag then holds while a
    declaration in the window stands (registered below)."""
    for enterprise, year, chemical_id in declared.values():
        chemical = db.session.get(PriorityChemical, chemical_id)
        enterprises.hold_flag(actor, enterprise, "toxic_substances",
                              f"申报 {year} 年使用或排放优先控制化学品（{chemical.name}），适用完整审核程序")


enterprises.flag_held_by("toxic_substances", declares_priority_chemicals,
                         f"该企业近 {CHEMICAL_YEARS.value} 个年度申报了使用或排放优先控制化学品，适用完整审核程序，"
                         "不能取消“有毒有害物质”标记。")


def _follow_permit(actor, enterprise, permit_no: str, management_class: str) -> None:
    """The enterprise register keeps the permit's number and class (Enterprise.permit_no, permit_class)."""
    if (enterprise.permit_no, enterprise.permit_class) != (permit_no, management_class):
        enterprises.update(actor, enterprise, {"permit_no": permit_no, "permit_class": management_class})


def template_rows(kind_key: str) -> tuple[list[str], list[list]]:
    kind = KINDS[kind_key]
    return list(kind.columns), kind.sample


def check_kind(kind_key: str) -> Kind:
    if kind_key not in KINDS:
        raise InvalidFields({"kind": "没有这种数据。"})
    return KINDS[kind_key]
