"""`flask schemes import FILE` and the enterprises' Excel upload: one row, one savepoint.

Each row is attached to its enterprise's current (open) audit round and matched by 方案编号 within
it. Valid rows are written, each invalid row is reported with its row number, column and reason,
and importing the same file again changes nothing.

完成日期 is the actual completion date of a completed scheme and the planned completion date of
any other.

The import writes through schemes.services like the form does, so it obeys the same rules: a round
whose report has been submitted is frozen, and a row that would add or change one of its schemes is
refused (an unchanged row is no change); a figure above its ceiling is imported but held out of the
statistics until a regulator confirms it.
"""
from sqlalchemy import select

from ..enterprises import services as enterprises
from ..core import access
from ..audits.services import current_round
from ..enterprises.uscc import normalize as normalize_uscc
from ..core.errors import PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.tabular import ImportReport, import_rows, read_table
from . import services
from .models import AMOUNTS, Scheme

REQUIRED = ["统一社会信用代码", "方案编号", "方案名称", "方案类别", "状态"]
COLUMNS = {  # header -> field; the first are DESIGN §4's, in its order
    "统一社会信用代码": "uscc",
    "方案编号": "code",
    "方案名称": "name",
    "方案类别": "category",
    "投资（万元）": "investment_wan_yuan",
    "状态": "status",
    "完成日期": "completion_date",
    **{m.header: m.key for m in AMOUNTS if m.header and m.key != "investment_wan_yuan"},
    # The results DESIGN §2 lists beyond the import columns, optional.
    **{f"{m.label}（{m.unit}）": m.key for m in AMOUNTS if not m.header},
}
HEADER_OF = {field: header for header, field in COLUMNS.items()}
HEADER_OF.update({"completed_on": "完成日期", "planned_completion_on": "完成日期", "round": "统一社会信用代码",
                  "enterprise": "统一社会信用代码"})


def import_schemes(actor, data: bytes, filename: str, progress=None) -> ImportReport:
    """Import a file as `actor` (access.SYSTEM: the CLI operator; an enterprise: its own rows only)."""
    table = read_table(data, filename, REQUIRED, [h for h in COLUMNS if h not in REQUIRED])
    present = {COLUMNS[h] for h in table.headers}
    first_row_of: dict[tuple[str, str], int] = {}
    return import_rows(table, COLUMNS, lambda raw, number: _import_row(actor, raw, present, number, first_row_of),
                       _header, progress)


def _header(field: str | None) -> str:
    return HEADER_OF.get(field or "uscc", field)


def _import_row(actor, raw: dict, present: set[str], number: int, first_row_of: dict) -> str:
    uscc = normalize_uscc(raw.pop("uscc", None))
    if not uscc:
        raise ValidationError("请填写统一社会信用代码。", "uscc")
    enterprise = enterprises.by_uscc(uscc)
    if enterprise is None:
        raise ValidationError(f"统一社会信用代码 {uscc} 未登记。", "uscc")
    if not access.is_system(actor) and not (actor.role == "enterprise" and actor.enterprise_id == enterprise.id):
        raise PermissionDenied("只能导入本企业的清洁生产方案。", "uscc")
    round_ = current_round(enterprise.id)
    if round_ is None:
        raise ValidationError(f"{enterprise.name}没有进行中的审核轮次；方案登记在企业当前的审核轮次下。", "uscc")
    code = str(raw.get("code") or "").strip()
    if code:
        key = (uscc, code)
        if key in first_row_of:
            raise ValidationError(f"方案编号 {code} 与第 {first_row_of[key]} 行重复；同一企业的方案编号在文件中只能出现一次。",
                                  "code")
        first_row_of[key] = number
    existing = db.session.scalar(select(Scheme).where(Scheme.round_id == round_.id, Scheme.code == code))
    if "completion_date" in present:
        completion = raw.pop("completion_date", None)
        try:
            status = services.parse_status(raw.get("status"))
        except ValidationError:
            status = None  # the status column's own error is reported by the service
        raw["completed_on"] = completion if status == "completed" else None
        if status != "completed":
            raw["planned_completion_on"] = completion
    if existing is None:
        services.create(actor, round_, raw)
        return "created"
    return "updated" if services.update(actor, existing, raw) else "unchanged"


def template_rows(schemes) -> list[list]:
    """An import file's rows for existing schemes: download, edit, upload again."""
    rows = []
    for s in schemes:
        values = {"uscc": s.enterprise.uscc, "code": s.code, "name": s.name, "category": s.category_label,
                  "status": s.status_label,
                  "completion_date": s.completed_on if s.status == "completed" else s.planned_completion_on,
                  **{m.key: services.plain(getattr(s, m.key)) for m in AMOUNTS}}
        rows.append([values[field] for field in COLUMNS.values()])
    return rows

