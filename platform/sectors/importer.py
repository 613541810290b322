"""Importing yearly figures from .xlsx or .csv: one row, one savepoint; the same file twice changes nothing.

A row whose indicator, division and year are already reported with the same value is unchanged; with
another value it is refused, unless its 修订理由 says why: then it is a revision, and the old value stays.
"""
from decimal import Decimal, InvalidOperation

from ..core.errors import ValidationError
from ..core.reference.models import Division
from ..core.reference.services import cities
from ..core.tabular import ImportReport, import_rows, read_table
from . import services
from .rules import INDICATORS

REQUIRED = ["指标", "地区", "年度", "数值"]
OPTIONAL = ["修订理由"]
COLUMNS = {"指标": "indicator", "地区": "division_code", "年度": "year", "数值": "value", "修订理由": "reason"}
HEADER_OF = {field: header for header, field in COLUMNS.items()}


def _indicator_key(text) -> str:
    text = str(text or "").strip()
    by_label = {i.label: i.key for i in INDICATORS.values()}
    return by_label.get(text, text)


def _division_code(text) -> str:
    text = str(text or "").strip()
    if text in ("全区", "广西", "广西壮族自治区"):
        return Division.PROVINCE
    by_name = {name: code for code, name in cities().items()}
    return by_name.get(text, text)


def import_figures(actor, data: bytes, filename: str, progress=None) -> ImportReport:
    services.reportable(actor)
    table = read_table(data, filename, REQUIRED, OPTIONAL)
    seen: dict[tuple, int] = {}
    return import_rows(table, COLUMNS, lambda raw, number: _import_row(actor, raw, number, seen),
                       lambda field: HEADER_OF.get(field or "", "指标"), progress)


def _import_row(actor, raw: dict, number: int, seen: dict) -> str:
    raw["indicator"] = _indicator_key(raw.get("indicator"))
    raw["division_code"] = _division_code(raw.get("division_code"))
    reason = str(raw.pop("reason", None) or "").strip()
    key = (raw["indicator"], raw["division_code"], str(raw.get("year") or "").strip())
    if key in seen:
        raise ValidationError(f"与第 {seen[key]} 行的指标、地区和年度相同；同一年度的数值在文件中只能出现一次。", "year")
    seen[key] = number
    try:
        year = int(key[2])
    except ValueError:
        year = None
    existing = services.current(raw["indicator"], raw["division_code"], year) if year else None
    if existing is None:
        services.report(actor, raw)
        return "created"
    try:
        same = Decimal(str(raw.get("value")).strip().removesuffix("%").replace(",", "")) == existing.value
    except InvalidOperation:
        same = False
    if same:
        return "unchanged"
    if not reason:
        raise ValidationError(f"该年度已填报（{services.plain(existing.value)}）；如需更正，请在“修订理由”列说明理由，"
                              "原数值将保留。", "year")
    services.revise(actor, existing, raw.get("value"), reason)
    return "updated"
