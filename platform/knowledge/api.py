"""The knowledge base for machines: the public search and one document with its versions."""
from flask import jsonify, request, url_for

from search import SearchUnavailable

from ..core.web import query_args
from ..core.access import ANONYMOUS
from ..core.api.views import bp, error_response, page_args
from . import services


def _document_json(document) -> dict:
    return {
        "id": document.id, "kind": document.kind, "kind_label": document.kind_label, "title": document.title,
        "issuer": document.issuer, "document_no": document.document_no, "issued_on": document.issued_on.isoformat(),
        "edition": document.edition, "currency": document.currency, "summary": document.summary,
        "industries": [{"code": i.code, "name": i.name} for i in document.industries],
        "supersedes_id": document.supersedes_id if document.predecessor and document.predecessor.status == "published"
        else None,
        "superseded_by_id": document.public_successor.id if document.public_successor else None,
        "pdf_url": url_for("knowledge.pdf", document_id=document.id, _external=True) if document.pdf_stored_name else None,
    }


def _hit_json(hit) -> dict:
    source = hit.source
    return {
        "id": int(hit.id), "kind": source["kind"], "kind_label": source["kind_label"], "title": source["title"],
        "issuer": source["issuer"], "document_no": source["document_no"] or None, "issued_on": source["issued_on"],
        "edition": source["edition"] or None, "currency": source["currency"], "summary": source["summary"],
        "industries": [{"code": c, "name": n} for c, n in zip(source["industry_codes"], source["industry_names"])],
        "highlights": {field: str(markup) for field, markup in hit.highlights.items()},
    }


@bp.get("/documents")
def documents():
    page, per_page = page_args()
    args = query_args("kind", "industry", "currency", "issuer", "year")
    try:
        result = services.search(request.args.get("q", "")[:200], page=page, per_page=per_page, **args)
    except SearchUnavailable as exc:
        return error_response(503, "search_unavailable", str(exc))
    return jsonify({"items": [_hit_json(hit) for hit in result.hits], "total": result.total, "page": page,
                    "per_page": per_page, "facets": {k: [{"value": v, "count": n} for v, n in values]
                                                     for k, values in result.facets.items()}})


@bp.get("/documents/<int:document_id>")
def document(document_id: int):
    found = services.get(ANONYMOUS, document_id)  # the API is public: published documents only
    return jsonify({**_document_json(found), "body": found.body,
                    "versions": [_document_json(v) for v in services.history(ANONYMOUS, found)]})
