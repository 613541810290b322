"""Regulator endpoints on the enterprise registry (bearer token)."""
from flask import g, request

from ..core import access
from ..core.access import token_required
from ..core.api.views import bp, paginated
from ..core.errors import NotFound
from . import services
from .models import Enterprise


def as_json(e: Enterprise) -> dict:
    return {
        "id": e.id, "name": e.name, "uscc": e.uscc, "city_code": e.city_code, "city": e.city.name,
        "county_code": e.county_code, "industry_code": e.industry_class, "industry": e.industry.name,
        "legal_representative": e.legal_representative, "permit_no": e.permit_no, "permit_class": e.permit_class,
        "mandatory_flags": e.mandatory_flags, "mandatory_reason": e.mandatory_reason,
    }


@bp.get("/enterprises")
@token_required("regulator", "admin")
def enterprises_list():
    filters = {key: request.args.get(key, "") for key in ("q", "city", "industry", "flag")}
    return paginated(services.search(g.api_user, **filters), as_json)


@bp.get("/enterprises/<uscc>")
@token_required("regulator", "admin")
def enterprise_detail(uscc: str):
    enterprise = services.by_uscc(uscc)
    if enterprise is None or not access.sees_enterprise(g.api_user, enterprise):
        raise NotFound("未找到该企业。")
    return as_json(enterprise)
