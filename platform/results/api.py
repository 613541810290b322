"""Result lists for other departments' systems: GET /api/v1/results/<use> (a department regulator's
token) and the public GET /api/v1/leading-firms."""
from flask import g, jsonify, request

from ..core.access import token_required
from ..core.api.views import bp, page_args
from ..core.dates import iso
from ..core.errors import PermissionDenied
from ..core.extensions import db
from . import services
from .rules import USES, VALIDITY_YEARS


def entry_json(round_) -> dict:
    e = services.entry(round_)
    return {"name": e.name, "uscc": e.uscc, "city": e.city, "industry": e.industry, "level": e.level,
            "level_label": e.level_label, "accepted_on": iso(e.accepted_on), "valid_until": iso(e.valid_until)}


def _list(item):
    as_of = services.parse_as_of(request.args.get("as_of"))
    page, per_page = page_args()
    result = db.paginate(services.query(item, as_of), page=page, per_page=per_page, error_out=False, count=True)
    return jsonify({"use": item.key, "label": item.label, "levels": list(item.levels), "as_of": iso(as_of),
                    "validity_years": VALIDITY_YEARS.value,
                    "rule": None if item.rule is None else {"key": item.rule.key, "source": item.rule.source,
                                                            "kind": item.rule.kind},
                    "items": [entry_json(r) for r in result.items], "total": result.total, "page": page,
                    "per_page": per_page})


@bp.get("/results/<use_key>")
@token_required("regulator")
def results_list(use_key: str):
    if not getattr(g.api_user, "department", None):
        raise PermissionDenied("须使用部门监管账号的令牌。")
    item = services.use(use_key)
    if item.key not in USES:
        raise PermissionDenied("领先水平企业清单为公开接口：GET /api/v1/leading-firms。")
    return _list(item)


@bp.get("/leading-firms")
def leading_firms():
    return _list(services.LEADING)
