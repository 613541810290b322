"""Public API of the expert pool: directory search, service organisations' track record, draw records."""
from flask import jsonify, request

from search import SearchUnavailable

from ..core.api.views import bp, error_response, page_args
from ..core.errors import ValidationError
from ..core.extensions import db
from ..core.reference.services import industries
from ..core.dates import iso
from . import draw, panels, services


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
    """Registered service organisations with their public track record."""
    page, per_page = page_args()
    result = db.paginate(services.service_orgs_query(q=request.args.get("q", "").strip()[:100]), page=page,
                         per_page=per_page, error_out=False, count=True)
    records = services.track_records([org.id for org in result.items])
    return jsonify({"items": [{"id": org.id, "name": org.name, "uscc": org.uscc, "city_code": org.city_code,
                               **records[org.id]} for org in result.items],
                    "total": result.total, "page": page, "per_page": per_page})


@bp.get("/reviews/<int:panel_id>/draw")
def draw_record(panel_id: int):
    """A panel's draw record: while it scores, each draw's commitment only; once it has concluded or
    was cancelled, the seed, nonce and lists that anyone can hash and replay (see experts/draw.py)."""
    panel = panels.get_panel(panel_id)
    draws = []
    for summary in (panels.draw_summary(d) for d in panel.draws):
        item = {"seq": summary["seq"], "requested": summary["requested"], "commitment": summary["commitment"],
                "drawn_at": iso(summary["drawn_at"])}
        if not summary["sealed"]:
            item.update(seed=str(summary["seed"]), nonce=summary["nonce"], candidate_ids=summary["candidate_ids"],
                        exclusions=[{"expert_id": i, "reason": reason} for i, reason in summary["exclusions"]],
                        candidates=summary["candidates"], excluded=summary["excluded"],
                        eligible=summary["eligible"], eligible_ids=summary["eligible_ids"],
                        excluded_by_reason=[{"reason": code, "label": label, "count": n}
                                            for code, label, n in summary["reasons"]],
                        chosen_ids=summary["chosen_ids"], commitment_matches=summary["commitment_matches"])
        draws.append(item)
    body = {"id": panel.id, "stage": panel.stage, "state": panel.state, "size": panel.size,
            "drawn_on": panel.drawn_on.isoformat(), "enterprise": panel.round.enterprise.name,
            "sealed": panels.sealed(panel),
            "commitment_format": draw.RECORD_FORMAT,
            "commitment_recipe": "sha256(canonical record, UTF-8) — see the panel's public page",
            "algorithm": "random.Random(seed).sample(eligible_ids, requested)  # Python 3",
            "draws": draws}
    if not panels.sealed(panel):
        body["replay_matches"] = panels.verify(panel)
    if panel.state == "concluded":
        body.update(passed=panel.passed, outcome=panel.outcome_label, mean_total=float(panel.mean_total),
                    concluded_on=panel.concluded_on.isoformat())
    return jsonify(body)
