"""Public search of the technology catalogue."""
from flask import jsonify, request

from search import SearchUnavailable

from ..core.api.views import bp, error_response, page_args
from ..core.errors import ValidationError
from . import services
from .models import CATEGORIES


def technology_json(hit) -> dict:
    source = hit.source
    return {
        "id": int(hit.id), "name": source["name"], "category": source["category"],
        "industries": [{"code": c, "name": n} for c, n in zip(source["industry_codes"], source["industry_names"])],
        "scope": source.get("scope", ""), "source": source.get("source", ""), "source_year": source.get("source_year"),
        "maturity": source.get("maturity", ""),
        "highlights": {field: str(markup) for field, markup in hit.highlights.items()},
    }


@bp.get("/technologies")
def technologies():
    page, per_page = page_args()
    category = request.args.get("category", "").strip()
    if category and category not in CATEGORIES:
        raise ValidationError(f"category 应为 {'、'.join(CATEGORIES)} 之一。", "category")
    try:
        result = services.search(request.args.get("q", "")[:200], industry=request.args.get("industry", "").strip(),
                                 category=category, source=request.args.get("source", "").strip(),
                                 page=page, per_page=per_page)
    except SearchUnavailable as exc:
        return error_response(503, "search_unavailable", str(exc))
    return jsonify({"items": [technology_json(hit) for hit in result.hits], "total": result.total, "page": page,
                    "per_page": per_page, "facets": {k: [{"value": v, "count": n} for v, n in values]
                                                     for k, values in result.facets.items()}})
