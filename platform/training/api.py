"""Public API of training: a certificate's verification by its code."""
from flask import jsonify

from ..core.api.views import bp
from ..core.dates import iso
from ..core.errors import NotFound
from . import services


@bp.get("/certificates/<code>")
def certificate(code: str):
    """Anyone checks a training certificate; an unknown code is a 404 that says so."""
    found = services.verify(code[:64])
    if found is None:
        raise NotFound("未找到该验证码对应的培训证书，请核对验证码；证书可能是伪造的。", "code")
    result = services.verification(found)
    return jsonify({**result, "hours": float(result["hours"]), "starts_on": iso(result["starts_on"]),
                    "ends_on": iso(result["ends_on"]), "issued_on": iso(result["issued_on"]), "valid": True})
