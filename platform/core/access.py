"""Who may do what: the one place access is decided.

Every service asks this module; a view passes the acting user through and decides nothing itself
(its `role_required` or `token_required` only sends a visitor of the wrong kind away early, the
service checks again). The actor is always explicit:

- a signed-in user (role public, enterprise, expert, service_org, regulator or admin);
- an anonymous visitor (Flask-Login's AnonymousUserMixin: `is_authenticated` False);
- `SYSTEM`, the platform itself: the CLI, the demo loader and scheduled jobs. It passes every
  check, is written to the audit log as 系统, and is never a person.

`None` is not an actor: a service handed None raises TypeError rather than guessing.

Regions: an admin and a province regulator see the whole province; a city regulator its city; an
enterprise user its own enterprise. A regulator of a city (or the province) manages that city's
enterprises; the admin manages accounts and reference data and reads everything, but does not
decide cases, panels or penalties.
"""
from functools import wraps

from flask import abort, g, request
from flask_login import AnonymousUserMixin, current_user, login_required
from sqlalchemy import false, true

from .errors import NotFound, PermissionDenied
from .reference.models import Division

REGULATORS = ("regulator",)
READERS = ("regulator", "admin")  # read every register of their region


class _System:
    """The platform acting on its own (CLI, demo, jobs): one object, compared by identity."""

    id = None
    role = "system"
    username = "system"
    display_name = "系统"
    division_code = Division.PROVINCE
    enterprise_id = None
    department = None
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_regulator = False
    is_province_regulator = False

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()
# A visitor who has not signed in, for services called outside a request (the public pages' view).
ANONYMOUS = AnonymousUserMixin()


def is_system(actor) -> bool:
    if actor is None:
        raise TypeError("an actor is required: a user, an anonymous visitor, or access.SYSTEM")
    return actor is SYSTEM


def signed_in(actor) -> bool:
    return is_system(actor) or bool(getattr(actor, "is_authenticated", False))


def has_role(actor, *roles: str) -> bool:
    """SYSTEM, or a signed-in user of one of `roles`."""
    return is_system(actor) or (signed_in(actor) and actor.role in roles)


def is_person(actor, *roles: str) -> bool:
    """A signed-in user of one of `roles`, never SYSTEM: for what only a person does (an enterprise's
    declaration, an expert's score sheet, a regulator's decision, an admin's account change)."""
    return not is_system(actor) and bool(getattr(actor, "is_authenticated", False)) and actor.role in roles


def require_role(actor, *roles: str, message: str = "您无权进行此操作。") -> None:
    if not has_role(actor, *roles):
        raise PermissionDenied(message)


def require_signed_in(actor, message: str = "请先登录。") -> None:
    if not signed_in(actor):
        raise PermissionDenied(message)


def province_wide(actor) -> bool:
    """Sees the whole province: SYSTEM, an admin, a province regulator."""
    return is_system(actor) or (signed_in(actor) and (
        actor.role == "admin" or (actor.role == "regulator" and actor.division_code == Division.PROVINCE)))


def require_province_regulator(actor, message: str = "只有自治区监管部门可以进行此操作。") -> None:
    if not (is_system(actor) or (has_role(actor, "regulator") and actor.division_code == Division.PROVINCE)):
        raise PermissionDenied(message)


def in_department(actor, *departments: str) -> bool:
    """SYSTEM, or a regulator of one of `departments` (the department codes accounts keeps: the plan
    gives each task a responsible department, e.g. agriculture for straw and film recovery)."""
    if is_system(actor):
        return True
    return has_role(actor, "regulator") and getattr(actor, "department", None) in departments


def require_department(actor, *departments: str, message: str = "您所在部门无权进行此操作。") -> None:
    """SYSTEM, or a regulator of one of `departments`; anyone else is refused."""
    if not in_department(actor, *departments):
        raise PermissionDenied(message)


# --- regions -----------------------------------------------------------------------------------------

def sees_city(actor, city_code: str | None) -> bool:
    """Reads the registers of a city: the whole province, or that city's own regulator."""
    if province_wide(actor):
        return True
    return has_role(actor, "regulator") and city_code is not None and actor.division_code == city_code


def manages_city(actor, city_code: str | None) -> bool:
    """Keeps a city's registers: SYSTEM, an admin, a regulator of the province or of that city."""
    return sees_city(actor, city_code)


# The departments that organise clean-production audits (《清洁生产审核办法》第四条: the clean-production
# coordination department with the environment department and the energy-saving department — the
# 2004 暂行办法's 第四条 was checked; the 2016 text's article number could not be; in
# Guangxi development and reform, ecology and environment, industry and IT). Their regulators decide
# on audit rounds, panels, cases and penalties; agriculture, housing and transport regulators report
# their sectors' figures and read, but do not decide on an enterprise's audit.
AUDIT_DEPARTMENTS = ("ecology_environment", "development_reform", "industry_it")


def regulates_city(actor, city_code: str | None) -> bool:
    """Decides for a city (cases, panels, penalties, reviews): SYSTEM, or a regulator of the city or
    the province in one of the AUDIT_DEPARTMENTS. An admin reads but does not decide."""
    if is_system(actor):
        return True
    return (has_role(actor, "regulator") and actor.division_code in (Division.PROVINCE, city_code)
            and getattr(actor, "department", None) in AUDIT_DEPARTMENTS)


def sees_enterprise(actor, enterprise) -> bool:
    """The registry's rule: regulators and admins of its region, and the enterprise itself."""
    if sees_city(actor, enterprise.city_code):
        return True
    return has_role(actor, "enterprise") and actor.enterprise_id == enterprise.id


def enterprise_scope(actor, city_column, id_column):
    """SQL condition for the enterprises `actor` sees (`sees_enterprise` as a query clause)."""
    if province_wide(actor):
        return true()
    if has_role(actor, "regulator"):
        return city_column == actor.division_code
    if has_role(actor, "enterprise"):
        return id_column == actor.enterprise_id
    return false()


def require_regulator_of(actor, city_code: str | None, message: str = "只有监管部门可以进行此操作。") -> None:
    """A regulator deciding for an enterprise of `city_code`; another city's object reads as missing
    only where it was looked up (see `visible`), here the refusal is by role or region."""
    if not has_role(actor, "regulator"):
        raise PermissionDenied(message)
    if not regulates_city(actor, city_code):
        if getattr(actor, "department", None) not in AUDIT_DEPARTMENTS:
            raise PermissionDenied("清洁生产审核事项由发展改革、生态环境、工业和信息化部门办理，您所在部门无权进行此操作。")
        raise PermissionDenied("该企业不在您的管辖范围内。")


def visible(actor, found, enterprise_of, missing: str):
    """`found` if the actor sees the enterprise it belongs to; otherwise NotFound in the same words as
    for a missing id, so that ids do not tell what exists in another region (errors.NotFound)."""
    if found is None or not sees_enterprise(actor, enterprise_of(found)):
        raise NotFound(missing)
    return found


# --- the web and the API -------------------------------------------------------------------------------

def role_required(*roles: str):
    """A page for signed-in users of `roles`: log in first, then others get 403 (the service still
    checks region and state)."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


_token_loader = None


def token_loader(load):
    """Register `load(token) -> user | None` (accounts does, at start-up): the API toolkit knows no
    feature."""
    global _token_loader
    _token_loader = load
    return load


def token_user():
    """The user of the request's bearer token (RFC 6750), or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or _token_loader is None:
        return None
    return _token_loader(token.strip())


def unauthorized():
    """401 for a request that needs a bearer token and has no valid one."""
    from .api.views import error_response

    response, status = error_response(401, "unauthorized", "需要有效的访问令牌（Authorization: Bearer …）。")
    response.headers["WWW-Authenticate"] = 'Bearer realm="api"'  # RFC 6750: how to authenticate
    return response, status


def token_required(*roles: str):
    """An API endpoint for holders of a bearer token of `roles` (any role when none are named):
    401 without a valid token, 403 for another role; the user is `g.api_user`."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = token_user()
            if user is None:
                return unauthorized()
            if roles and user.role not in roles:
                raise PermissionDenied("此令牌的角色无权调用该接口。")
            g.api_user = user
            return view(*args, **kwargs)
        return wrapped
    return decorate
