"""The application factory: one fixed path for every request, and one commit at its end."""
import logging
import re

from flask import Flask, abort, g, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

import config as settings

from .core.errors import DomainError
from .core.extensions import csrf, db, login_manager, migrate

log = logging.getLogger(__name__)

BLUEPRINTS = [
    "platform.public.views",
    "platform.accounts.views",
    "platform.enterprises.views",
    "platform.core.auditlog.views",
    "platform.audits.views",
    "platform.schemes.views",
    "platform.stats.views",
    "platform.catalogue.views",
    "platform.experts.views",
    "platform.reviews.views",
    "platform.credit.views",
    "platform.sectors.views",
    "platform.listing.views",
    "platform.projects.views",
    "platform.results.views",
    "platform.knowledge.views",
    "platform.training.views",
    "platform.subscriptions.views",
    "platform.core.api.views",
    "platform.public.docs",
]
# Modules that add endpoints to the API blueprint; imported before it is registered.
API_MODULES = [
    "platform.enterprises.api",
    "platform.audits.api",
    "platform.stats.api",
    "platform.catalogue.api",
    "platform.knowledge.api",
    "platform.experts.api",
    "platform.reviews.api",
    "platform.credit.api",
    "platform.public.api",
    "platform.projects.api",
    "platform.results.api",
    "platform.training.api",
    "platform.listing.api",
    "platform.core.api.openapi",
]
CLI_MODULES = [
    "platform.accounts.cli",
    "platform.enterprises.cli",
    "platform.core.reference.cli",
    "platform.audits.cli",
    "platform.schemes.cli",
    "platform.core.scheduler.cli",
    "platform.catalogue.cli",
    "platform.core.indexing.cli",
    "platform.credit.cli",
    "platform.core.backup.cli",
    "platform.listing.cli",
    "platform.subscriptions.cli",
    "platform.demo",
]


def create_app(overrides: dict | None = None, config_name: str | None = None) -> Flask:
    import importlib

    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_path=str(settings.INSTANCE_DIR))
    app.config.from_object(settings.load(config_name))
    app.config.update(overrides or {})
    from .core.rulebook import check_overrides

    check_overrides(app.config.get("RULE_OVERRIDES"))  # a wrong override stops the start, saying which

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"], x_proto=1)
    app.url_map.converters["int"] = DatabaseId
    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.BASE_DIR / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"

    _import_models()
    from .accounts.services import user_for_token
    from .core.access import token_loader

    token_loader(user_for_token)  # the API toolkit (core) reads bearer tokens through accounts
    from .accounts.services import usernames
    from .core.auditlog.labels import register_people, register_value_names

    register_value_names(_audit_log_vocabulary())  # the log names states, roles and people without
    register_people(usernames)                     # knowing a feature
    from .core.backup.services import forget_on_restore

    forget_on_restore("login_sessions")  # a restore revives no ended login (everyone signs in again)
    for name in API_MODULES:
        importlib.import_module(name)
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)
    for name in CLI_MODULES:
        importlib.import_module(name).register(app)

    from .core import pagecache

    pagecache.install(app)  # before the request cycle's hooks: it answers first and stores last
    _install_request_cycle(app)
    _install_error_handlers(app)
    _install_template_helpers(app)
    if app.config.get("SEARCH_INDEX_AFTER_COMMIT"):
        from .core.indexing.services import BackgroundIndexer

        app.extensions["search_indexer"] = BackgroundIndexer(app)
    if app.config.get("SCHEDULER_ENABLED"):
        from .core.scheduler.runner import LeasedScheduler

        LeasedScheduler(app).start()  # in-process, for `make run`; production runs `flask scheduler run`
    return app


class DatabaseId(IntegerConverter):
    """`<int:...>` in a URL: a number an INTEGER column holds. A larger one matches no route (404),
    instead of overflowing the database driver (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _audit_log_vocabulary() -> dict:
    """The features' coded values, for the audit log's labels (core.auditlog.labels)."""
    from .accounts.models import DEPARTMENTS, ROLES
    from .audits import models as audits
    from .catalogue import models as catalogue
    from .credit import models as credit
    from .experts import models as experts
    from .knowledge import models as knowledge
    from .reviews import models as reviews
    from .core.auditlog import labels
    from .schemes import models as schemes
    from .listing import models as listing
    from .projects import models as projects

    return {
        ("list_proposal", "state"): listing.PROPOSAL_STATES,
        ("list_proposal", "cause"): listing.CAUSES,
        ("audit_round", "state"): audits.STATES,
        ("audit_round", "permit_status"): audits.PERMIT_STATUSES,
        ("audit_round", "permit_source"): audits.PERMIT_SOURCES,
        ("audit_round", "cause"): audits.DISCLOSURE_CAUSES,
        ("audit_round", "status"): audits.STEP_STATUSES,
        ("certification", "status"): audits.CERTIFICATION_STATUSES,
        ("case", "state"): audits.CASE_STATES,
        ("credit_record", "state"): credit.RECORD_STATES,
        ("credit_repair", "state"): credit.REPAIR_STATES,
        ("credit_delivery", "status"): credit.DELIVERY_STATES,
        ("expert", "status"): experts.STATUSES,
        ("technology", "status"): catalogue.STATUSES,
        ("document", "status"): knowledge.STATUSES,
        ("document", "currency"): knowledge.CURRENCIES,
        ("document", "kind"): knowledge.KINDS,
        ("scheme", "status"): schemes.STATUSES,
        ("scheme_revision", "state"): schemes.REVISION_STATES,
        ("scheme_revision", "kind"): schemes.REVISION_KINDS,
        ("panel", "state"): reviews.PANEL_STATES,
        ("service_org", "result"): experts.QUALIFICATION_RESULTS,
        (None, "role"): ROLES,
        (None, "department"): DEPARTMENTS,
        (None, "kind"): audits.KINDS,
        (None, "procedure"): audits.PROCEDURES,
        (None, "stage"): labels.STAGES,
        (None, "review_status"): schemes.REVIEW_STATUSES,
        ("scheme", "category"): schemes.CATEGORIES,
        (None, "withdrawal_reason"): credit.WITHDRAWAL_REASONS,
        (None, "project_stage"): projects.STAGES,
        ("audit_round", "clean_production_level"): audits.LEVELS,
    }


def _import_models():
    """Every model module, so that metadata (and Alembic) see all tables."""
    from .accounts import models as _accounts  # noqa: F401
    from .core.auditlog import models as _auditlog  # noqa: F401
    from .audits import models as _audits  # noqa: F401
    from .schemes import models as _schemes  # noqa: F401
    from .stats import models as _stats  # noqa: F401
    from .core.scheduler import models as _scheduler  # noqa: F401
    from .core.indexing import models as _indexing  # noqa: F401
    from .catalogue import models as _catalogue  # noqa: F401
    from .sectors import models as _sectors  # noqa: F401
    from .listing import models as _listing  # noqa: F401
    from .projects import models as _projects  # noqa: F401
    from .knowledge import models as _knowledge  # noqa: F401
    from .experts import models as _experts  # noqa: F401
    from .training import models as _training  # noqa: F401
    from .reviews import models as _reviews  # noqa: F401
    from .credit import models as _credit  # noqa: F401
    from .enterprises import models as _enterprises  # noqa: F401
    from .subscriptions import models as _subscriptions  # noqa: F401
    from .core.reference import models as _reference  # noqa: F401
    from .core import pagecache as _pagecache  # noqa: F401  (cache_stamps)


@login_manager.user_loader
def _load_user(token: str):
    """The session and the remember-me cookie carry the login session's token, not the user id."""
    from .accounts.services import session_user

    return session_user(token)


# A query argument longer than this matches no name the platform keeps (a few hundred characters at
# most); SQLite refuses a LIKE pattern past 50,000 bytes, so such a request would fail deep in a query.
MAX_QUERY_ARGUMENT = 1000


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _holds_nul(value) -> bool:
    """A NUL anywhere in a JSON body ("\\u0000"), in a key or a string."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _install_request_cycle(app: Flask) -> None:
    @app.before_request
    def refuse_abusive_arguments():
        """Over-long query arguments, and NUL anywhere in the arguments or the form: SQLite's lower()
        stops at a NUL, so a filter "\0" would match every name, and PostgreSQL refuses NUL in text."""
        args = list(request.args.items(multi=True))
        if any(len(value) > MAX_QUERY_ARGUMENT for _, value in args):
            abort(414)
        if any("\x00" in key + value for key, value in args + list(request.form.items(multi=True))):
            abort(400)
        if request.is_json and _holds_nul(request.get_json(silent=True)):
            abort(400)
        # A return address is one line: a tab or newline in it (`next=/%09/evil.example`, which a
        # browser reads as //evil.example; a newline breaks the Location header) is never meant.
        if any(CONTROL_CHARACTERS.search(value) for value in request.args.getlist("next") + request.form.getlist("next")):
            abort(400)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        return response

    # Registered last so that it runs first (after_request runs in reverse): a failed commit's
    # answer gets the headers above too.
    @app.after_request
    def commit_or_roll_back(response):
        """The one commit of a request: kept when it succeeded, dropped when it did not."""
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except DATABASE_UNAVAILABLE as exc:  # the redirect or page just made would claim a change not kept
            return database_unavailable(exc)
        return response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


# The database locked past its busy timeout, its connection lost or refused, the pool exhausted:
# a moment's trouble, not a fault of the request. (DB-API: OperationalError is "not necessarily
# under the control of the programmer".)
DATABASE_UNAVAILABLE = (OperationalError, PoolTimeout)
RETRY_AFTER_SECONDS = 5


def database_unavailable(exc: Exception):
    """503 with Retry-After; the transaction is rolled back, so nothing of the request is kept."""
    from .core.api.views import error_response

    try:
        db.session.rollback()
    except DATABASE_UNAVAILABLE:
        db.session.invalidate()  # the connection is gone: drop it rather than return it to the pool
    log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
    message = "数据库繁忙，请稍后再试。"
    if _wants_json():
        response = make_response(error_response(503, "database_unavailable", message))
    else:
        # Drawn as for a visitor: showing the signed-in user would read the database again.
        g._login_user = login_manager.anonymous_user()
        unsaved = "" if request.method in ("GET", "HEAD") else "刚才的操作没有保存，请稍后重试。"
        response = make_response(render_template("errors/http.html", code=503, title="服务暂不可用",
                                                 message=message + unsaved), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _install_error_handlers(app: Flask) -> None:
    from .core.api.views import error_response

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if _wants_json():
            return error_response(exc.status, exc.code, exc.message, exc.field)
        return render_template("errors/domain.html", error=exc), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        db.session.rollback()
        if _wants_json():
            return error_response(400, "csrf", "表单已过期或来源不明，请刷新页面后重试。")
        return render_template("errors/http.html", code=400, title="表单已失效",
                               message="表单已过期或来源不明，请返回刷新页面后重试。"), 400

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_error(exc):
        return database_unavailable(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        title, message = HTTP_MESSAGES.get(exc.code, (exc.name, exc.description))
        if _wants_json():
            return error_response(exc.code, exc.name.lower().replace(" ", "_"), message)
        return render_template("errors/http.html", code=exc.code, title=title, message=message), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        if app.config.get("TESTING") and app.config.get("PROPAGATE_UNEXPECTED", True):
            raise exc
        if _wants_json():
            return error_response(500, "server_error", "服务器内部错误，请稍后再试。")
        return render_template("errors/http.html", code=500, title="服务器内部错误",
                               message="服务器处理请求时出错，已记录。请稍后再试。"), 500


HTTP_MESSAGES = {
    400: ("请求有误", "请求的参数不正确。"),
    401: ("需要登录", "请先登录或提供有效的访问令牌。"),
    403: ("无权访问", "您没有访问此页面的权限。"),
    404: ("页面不存在", "您访问的页面不存在或已被删除。"),
    405: ("不支持的请求方式", "此地址不支持该请求方式。"),
    413: ("文件过大", "上传的文件超过了允许的大小。"),
    414: ("请求地址过长", "查询条件过长，请缩短后再试。"),
    429: ("请求过于频繁", "请求过于频繁，请稍后再试。"),
    503: ("服务暂不可用", "服务暂时不可用，请稍后再试。"),
}


def _install_template_helpers(app: Flask) -> None:
    from .accounts.models import ROLES
    from .core.dates import format_moment
    from .navigation import has_page, public_nav, work_nav

    @app.context_processor
    def globals_for_templates():
        return {"ROLES": ROLES, "public_nav": public_nav, "work_nav": work_nav, "has_page": has_page}

    @app.template_filter("date")
    def format_date(value, fmt="%Y-%m-%d"):
        return value.strftime(fmt) if value else ""

    @app.template_filter("datetime")
    def format_datetime(value):
        return format_moment(value)  # Beijing time: stored moments are UTC

    @app.template_filter("yesno")
    def yes_no(value):
        return "是" if value else "否"
