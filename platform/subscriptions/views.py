"""Subscribing by e-mail, confirming, unsubscribing, and the Atom feeds (public pages)."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from ..core import mail
from ..core.errors import DomainError
from ..core.models_base import utcnow
from ..core.reference.services import cities, industries
from ..core.web import form_page, show_errors
from . import services
from .forms import ConfirmForm, SubscribeForm
from .models import SCOPES

bp = Blueprint("subscriptions", __name__)


def _feeds() -> dict:
    return {"city": cities(), "industry": industries()}


@bp.route("/subscribe", methods=["GET", "POST"])
def subscribe():
    """订阅: a city, an industry or an enterprise, by e-mail (confirmed by a link) or by Atom feed."""
    kind, value = request.args.get("kind", ""), request.args.get("value", "").strip()
    form = SubscribeForm(data={"kind": kind if kind in SCOPES else "city", "city": value if kind == "city" else "",
                               "industry": value if kind == "industry" else "",
                               "uscc": value if kind == "enterprise" else ""} if request.method == "GET" else None)
    form.city.choices = {"": "请选择", **cities()}
    form.industry.choices = {"": "请选择", **{code: f"{code} {name}" for code, name in industries().items()}}

    def act():
        chosen = {"city": form.city.data, "industry": form.industry.data, "enterprise": form.uscc.data}.get(form.kind.data, "")
        row = services.subscribe(email=form.email.data, kind=form.kind.data, value=chosen)
        flash(f"如果信息无误，确认邮件已发送到 {row.email}。请在 {services.CONFIRM_DAYS} 天内打开邮件中的链接确认订阅。", "info")
        return redirect(url_for("subscriptions.subscribe"))

    return form_page(form, act, "subscriptions/subscribe.html", mailing=mail.enabled(), feeds=_feeds())


def _token_page(subscription_id: int, token: str, lookup, act, template: str):
    row = lookup(subscription_id, token)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            act(subscription_id, token)
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            return render_template(template, row=row, done=True, form=form,
                                   scope=services.scope_name(row.kind, row.value))
    elif request.method == "POST":
        status = 422
    return render_template(template, row=row, done=False, form=form, scope=services.scope_name(row.kind, row.value)), status


@bp.route("/subscribe/<int:subscription_id>/<token>/confirm", methods=["GET", "POST"])
def confirm(subscription_id: int, token: str):
    """Double opt-in: the link in the mail opens this page; the button confirms (a mail scanner that
    only opens the link confirms nothing)."""
    return _token_page(subscription_id, token, services.pending_confirmation, services.confirm, "subscriptions/confirm.html")


@bp.route("/subscribe/<int:subscription_id>/<token>/unsubscribe", methods=["GET", "POST"])
def unsubscribe(subscription_id: int, token: str):
    return _token_page(subscription_id, token, services.live_subscription, services.unsubscribe,
                       "subscriptions/unsubscribe.html")


@bp.get("/feeds/<any(city, industry, enterprise):kind>/<value>.atom")
def feed(kind: str, value: str):
    """The Atom feed of a scope: the last 90 days' listings, status changes and public credit records."""
    now = utcnow()
    name, entries = services.feed(kind, value.upper() if kind == "enterprise" else value, now)
    body = render_template("subscriptions/feed.xml", kind=kind, value=value, name=name, entries=entries, now=now,
                           kind_label=SCOPES[kind])
    return Response(body, mimetype="application/atom+xml")
