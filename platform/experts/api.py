"""Public API of the expert pool: directory search and service organisations' track record."""
from flask import jsonify, request

from search import SearchUnavailable

from ..core.api.views import bp, error_response, page_args
from ..core.errors import ValidationError
from ..core.extensions import db
from ..core.reference.services import industries
from . import accountability, services


def expert_json(hit) -> dict:
    """Built from the search document, which holds no contact data."""
    source = hit.source
    return {
        "id": int(hit.id), "name": source["name"], "title": source.get("title", ""),
        "employer": source.get("employer", ""), "fields": source.get("fields", ""),
        "specialties": [{"code": c, "name": n} for c, n in zip(source.get("specialty_codes", []),
                                                               source.get("specialty_names", []))],
        "highlights": {field: str(markup) for field, markup in hit.highlights.items()},
    }


@bp.get("/experts")
def experts():
    page, per_page = page_args()
    specialty = request.args.get("specialty", "").strip()
    if specialty and specialty not in industries():
        raise ValidationError("specialty 应为两位国民经济行业大类代码（GB/T 4754-2017）。", "specialty")
    try:
        result = services.directory(request.args.get("q", "")[:200], specialty=specialty, page=page, per_page=per_page)
    except SearchUnavailable as exc:
        return error_response(503, "search_unavailable", str(exc))
    return jsonify({"items": [expert_json(hit) for hit in result.hits], "total": result.total, "page": page,
                    "per_page": per_page, "facets": {k: [{"value": v, "count": n} for v, n in values]
                                                     for k, values in result.facets.items()}})


@bp.get("/service-orgs")
def service_orgs():
    """Registered service organisations with their public track record and accountability record."""
    page, per_page = page_args()
    result = db.paginate(services.service_orgs_query(q=request.args.get("q", "").strip()[:100]), page=page,
                         per_page=per_page, error_out=False, count=True)
    ids = [org.id for org in result.items]
    records, incidents = services.track_records(ids), accountability.incident_counts(ids)
    return jsonify({"items": [{"id": org.id, "name": org.name, "uscc": org.uscc, "city_code": org.city_code,
                               **records[org.id], **incidents[org.id]} for org in result.items],
                    "total": result.total, "page": page, "per_page": per_page})
