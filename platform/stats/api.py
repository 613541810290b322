"""Statistics for machines (DESIGN §4): public aggregates; per-enterprise rows with a regulator's token.

Without a token the figures are the public's: a group of fewer enterprises than `stats.min_group_size`,
or one whose figures could be worked out from others, is null with `"suppressed": true` and the reason
(stats/disclosure.py). A regulator's (or an admin's) bearer token sees every figure of its region.
"""
from flask import jsonify, request

from ..core.access import ANONYMOUS, token_user, unauthorized
from ..core.api.views import bp, page_args
from . import services


def _caller():
    """(the token's user, or an anonymous visitor without a token; whether a token was given and is
    not valid)."""
    if not request.headers.get("Authorization"):
        return ANONYMOUS, False
    actor = token_user()
    return actor, actor is None


@bp.get("/stats/summary")
def stats_summary():
    """`?year=&city=&industry=&park=`: every figure of the selection (definitions: stats.services)."""
    actor, refused = _caller()
    if refused:
        return unauthorized()
    filters = services.parse_filters(request.args)
    return jsonify(services.jsonable(services.summary(actor, filters)))


@bp.get("/stats/breakdown")
def stats_breakdown():
    """`?by=year|city|industry|park|enterprise` with the summary's filters, paged like every list.
    `by=enterprise` needs a regulator's bearer token and keeps to the regulator's region."""
    by = request.args.get("by", "city")
    filters = services.parse_filters(request.args)
    actor, refused = _caller()
    if refused or by == "enterprise" and not actor.is_authenticated:
        return unauthorized()  # like every token endpoint: 401 without a valid token, 403 for the wrong role
    filters = services.authorize(actor, filters, by)
    page, per_page = page_args(default_per_page=50)
    items = services.breakdown(actor, filters, by, limit=per_page, offset=(page - 1) * per_page)
    return jsonify({"by": by, "items": services.jsonable(items), "total": services.count_groups(actor, filters, by),
                    "page": page, "per_page": per_page})
