"""The rules the platform applies, for machines: GET /api/v1/rules (public)."""
from flask import jsonify

from ..core.api.views import bp
from ..core.rulebook import all_rules


@bp.get("/rules")
def rules_list():
    items = [r.as_json() for r in all_rules()]
    return jsonify({"items": items, "total": len(items), "page": 1})
