"""GET /api/v1/two-high/projects: the register for the responsible departments' systems (bearer token)."""
from flask import g, request

from ..core.access import token_required
from ..core.api.views import bp, paginated
from ..core.reference.services import cities
from . import services
from .rules import sectors


def _number(value):
    return None if value is None else float(value)


def project_json(project) -> dict:
    sector = sectors()[project.sector]
    level = sector.benchmark
    return {
        "id": project.id, "name": project.name,
        "enterprise": {"name": project.enterprise.name, "uscc": project.enterprise.uscc},
        "city": project.enterprise.city_code, "city_name": cities().get(project.enterprise.city_code),
        "sector": project.sector, "sector_name": sector.name,
        "capacity": _number(project.capacity), "capacity_unit": project.capacity_unit,
        "stage": project.stage, "stage_label": project.stage_label,
        "approval_no": project.approval_no, "filing_no": project.filing_no,
        "designed_energy": _number(project.designed_energy), "actual_energy": _number(project.actual_energy),
        "energy_unit": level.unit if level else sector.energy_unit,
        "benchmark": None if level is None else {"benchmark": _number(level.benchmark), "baseline": _number(level.baseline),
                                                 "edition": level.edition, "document": level.document},
        "replacement": None if not project.replacement_plan_no else {
            "plan_no": project.replacement_plan_no, "retired_capacity": _number(project.retired_capacity)},
        "warnings": [{"code": w.code, "message": w.message} for w in services.warnings(project)],
    }


@bp.get("/two-high/projects")
@token_required("regulator", "admin")
def two_high_projects():
    filters = services.Filters.parse(request.args)
    return paginated(services.query(g.api_user, filters), project_json)
