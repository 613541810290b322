"""The public shell: home page, the rules page and the health check. Features add their own public pages."""
from flask import Blueprint, jsonify, render_template
from sqlalchemy import func, select, text

from ..enterprises.models import Enterprise
from ..core.extensions import db

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    counts = {"enterprises": db.session.scalar(select(func.count(Enterprise.id)))}
    return render_template("public/index.html", counts=counts)


@bp.get("/rules")
def rules():
    """规则与依据: every deadline, fine range, publication period, pass mark and panel size the platform
    applies, with its legal source, and whether it is law or local practice (platform/core/rulebook.py)."""
    from ..core.rulebook import all_rules

    sections: dict[str, list] = {}
    for rule in all_rules():
        sections.setdefault(rule.section, []).append(rule)
    return render_template("public/rules.html", sections=sections)


@bp.get("/map", endpoint="map")
def city_map():
    """广西地图: per city the listed firms, open cases and public credit records, linked to the lists;
    the same figures in a table, for readers without the chart."""
    from .citymap import MEASURES, city_figures

    return render_template("public/map.html", rows=city_figures(), measures=MEASURES)


@bp.get("/healthz")
def healthz():
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # the point of the endpoint is to report, not to fail
        db.session.rollback()
        checks["database"] = f"error: {exc.__class__.__name__}"
    checks["search"] = "ok" if _search_answers() else "unavailable"
    # Search is derived data: without it the platform still works, so it degrades, it does not fail.
    status = 503 if checks["database"] != "ok" else 200
    healthy = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ok" if healthy else "degraded", "checks": checks}), status


def _search_answers() -> bool:
    from ..core.indexing.services import backend

    try:
        return backend().ping()
    except Exception:  # a misconfigured backend is reported, not raised
        return False
