from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..access import role_required
from ..web import XLSX, download, paginate
from . import labels, services
from ..dates import beijing_today
from ..reference.services import cities
from ..tabular import xlsx_bytes

bp = Blueprint("auditlog", __name__, url_prefix="/admin/audit-log")
PER_PAGE = 20


def _filters() -> tuple[dict, dict]:
    """The query's filters as typed (for the form) and as values (for the service); a date that is
    not one is ignored, as an empty box would be."""
    typed = {key: request.args.get(key, "").strip() for key in services.FILTERS}
    values = {key: value or None for key, value in typed.items()}
    for key in ("date_from", "date_to"):
        try:
            values[key] = date.fromisoformat(typed[key]) if typed[key] else None
        except ValueError:
            values[key], typed[key] = None, ""
    return typed, values


@bp.get("/")
@role_required("admin")
def index():
    typed, values = _filters()
    pagination = paginate(services.search(current_user, **values), per_page=PER_PAGE)
    return render_template("auditlog/index.html", pagination=pagination, rows=services.present(pagination.items),
                           filters=typed, choices=services.filter_choices(current_user), cities=cities(),
                           active={key: value for key, value in typed.items() if value})


@bp.get("/export.xlsx")
@role_required("admin")
def export():
    typed, values = _filters()
    rows = services.export_rows(current_user, **values)
    caption = _caption(typed)
    data = xlsx_bytes("审计日志", services.EXPORT_HEADERS, rows, caption=caption)
    name = "审计日志" + ("" if caption == "全部" else f"_{caption}") + f"_截至{beijing_today().isoformat()}.xlsx"
    return download(data, name.replace("：", "-").replace("；", "_").replace(" ", ""), XLSX)


def _caption(typed: dict) -> str:
    parts = []
    if typed["action"]:
        parts.append(labels.action_label(typed["action"]))
    if typed["object_type"]:
        parts.append(labels.object_label(typed["object_type"]))
    if typed["actor_name"]:
        parts.append(f"操作人 {typed['actor_name']}")
    if typed["division_code"]:
        parts.append(cities().get(typed["division_code"], typed["division_code"]))
    if typed["date_from"] or typed["date_to"]:
        parts.append(f"{typed['date_from'] or '最早'}至{typed['date_to'] or '今'}")
    return "；".join(parts) or "全部"
