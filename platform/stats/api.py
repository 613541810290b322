"""Statistics for machines (DESIGN §4): public aggregates; per-enterprise rows with a regulator's token."""
from flask import jsonify, request

from ..core.api.views import bp, page_args, token_user, unauthorized
from . import services


@bp.get("/stats/summary")
def stats_summary():
    """`?year=&city=&industry=&park=`: every figure of the selection (definitions: stats.services)."""
    filters = services.parse_filters(request.args)
    return jsonify(services.jsonable(services.summary(None, filters)))


@bp.get("/stats/breakdown")
def stats_breakdown():
    """`?by=year|city|industry|park|enterprise` with the summary's filters, paged like every list.
    `by=enterprise` needs a regulator's bearer token and keeps to the regulator's region."""
    by = request.args.get("by", "city")
    filters = services.parse_filters(request.args)
    actor = token_user() if by == "enterprise" else None
    if by == "enterprise" and actor is None:
        return unauthorized()  # like every token endpoint: 401 without a valid token, 403 for the wrong role
    filters = services.authorize(actor, filters, by)
    page, per_page = page_args(default_per_page=50)
    items = services.breakdown(actor, filters, by, limit=per_page, offset=(page - 1) * per_page)
    return jsonify({"by": by, "items": services.jsonable(items), "total": services.count_groups(actor, filters, by),
                    "page": page, "per_page": per_page})
