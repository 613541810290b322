"""The JSON API under /api/v1 (DESIGN §4): its blueprint and conventions (errors, pages, dates).

Features add their endpoints to `bp` in their own `api.py`; bearer tokens are checked by
`access.token_required`. The API authenticates only by
bearer token, never by the session cookie, so it needs no CSRF token and cannot be driven by
another site through a logged-in browser.
"""
from datetime import date

from flask import Blueprint, jsonify, request

from ..errors import ValidationError
from ..extensions import csrf, db
from ..models_base import small_int

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_PER_PAGE = 100


def error_response(status: int, code: str, message: str, field: str | None = None):
    body = {"error": {"code": code, "message": message}}
    if field:
        body["error"]["field"] = field
    return jsonify(body), status


def page_args(default_per_page: int = 20) -> tuple[int, int]:
    def number(name, default):
        value = request.args.get(name, "")
        if value == "":
            return default
        parsed = small_int(value)
        if not parsed:
            raise ValidationError(f"参数 {name} 应为正整数。", name)
        return parsed

    page = number("page", 1)
    per_page = number("per_page", default_per_page)
    if per_page > MAX_PER_PAGE:
        raise ValidationError(f"参数 per_page 不能超过 {MAX_PER_PAGE}。", "per_page")
    return page, per_page


def paginated(select_stmt, serialize, default_per_page: int = 20):
    """Run a select with `page`/`per_page` and return {"items", "total", "page", "per_page"}."""
    page, per_page = page_args(default_per_page)
    result = db.paginate(select_stmt, page=page, per_page=per_page, error_out=False, count=True)
    return jsonify({"items": [serialize(row) for row in result.items], "total": result.total,
                    "page": page, "per_page": per_page})


def parse_iso_date(value, field: str, label: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValidationError(f"{label}应为 YYYY-MM-DD 格式的日期。", field) from None


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("请求体应为 JSON 对象。", "body")
    return body


@bp.get("/")
def index():
    return jsonify({"name": "广西清洁生产信息平台 API", "version": "v1"})
