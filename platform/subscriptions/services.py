"""Subscriptions (订阅): anyone subscribes by e-mail to a city, an industry or an enterprise, confirms
by the link mailed to them (double opt-in), and gets a weekly digest of what happened in that scope:
new mandatory listings, status changes of audit rounds and credit records put on public view. The same
events are an Atom feed per scope. Only public facts are reported (names, codes, states, dates, links
to public pages); a subscriber's address is never shown.

The links in the mails carry an HMAC of the subscription (SECRET_KEY), so nothing secret is stored: a
confirmation link works for CONFIRM_DAYS, an unsubscribe link for as long as the subscription lives.
"""
import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import func, select

from ..audits.models import STATES, AuditRound, RoundEvent
from ..core import mail
from ..core.errors import NotFound, ValidationError, collect
from ..core.extensions import db
from ..core.models_base import utcnow
from ..core.reference.services import cities, industries
from ..credit.models import CreditRecord
from ..enterprises import services as enterprises
from ..enterprises import uscc as uscc_rules
from ..enterprises.models import Enterprise
from .models import SCOPES, Subscription

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
CONFIRM_DAYS = 7
# A pending subscription's confirmation is mailed again at most this often, and one address may hold
# at most MAX_PENDING unconfirmed subscriptions: the form cannot be used to flood someone's mailbox.
RESEND_AFTER = timedelta(hours=1)
MAX_PENDING = 5
FEED_DAYS = 90
FEED_ENTRIES = 50


@dataclass
class Event:
    at: datetime
    category: str  # listing | status | credit
    title: str
    summary: str
    path: str  # a public page


# --- scopes ---------------------------------------------------------------------------------------------

def scope_name(kind: str, value: str) -> str:
    """The scope in words, or NotFound for one that does not exist."""
    if kind == "city" and value in cities():
        return cities()[value]
    if kind == "industry" and value in industries():
        return f"{value} {industries()[value]}"
    if kind == "enterprise":
        enterprise = enterprises.by_uscc(value)
        if enterprise is not None:
            return enterprise.name
    raise NotFound("未找到该订阅范围。")


def _scope_value(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind not in SCOPES:
        raise ValidationError("请选择订阅范围：设区市、行业或企业。", "kind")
    if kind == "city":
        if value not in cities():
            raise ValidationError("请选择一个设区市。", "city")
        return value
    if kind == "industry":
        if value not in industries():
            raise ValidationError("请选择一个行业。", "industry")
        return value
    code = uscc_rules.validate(value, "uscc")
    if enterprises.by_uscc(code) is None:
        raise ValidationError(f"统一社会信用代码 {code} 不在平台企业名录中。", "uscc")
    return code


def _scope_clause(kind: str, value: str):
    column = {"city": Enterprise.city_code, "industry": Enterprise.industry_code, "enterprise": Enterprise.uscc}[kind]
    return column == value


# --- the links ---------------------------------------------------------------------------------------------

def token(row: Subscription, purpose: str) -> str:
    message = f"{purpose}:{row.id}:{row.email}:{row.created_at.isoformat()}".encode()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def _by_token(subscription_id: int, given: str, purpose: str) -> Subscription:
    row = db.session.get(Subscription, subscription_id)
    if row is None or not hmac.compare_digest(token(row, purpose), given or ""):
        raise NotFound("该链接无效。")
    return row


def _link(endpoint: str, row: Subscription, purpose: str) -> str:
    return url_for(endpoint, subscription_id=row.id, token=token(row, purpose), _external=True)


# --- subscribing ---------------------------------------------------------------------------------------------

def subscribe(*, email: str, kind: str, value: str, now: datetime | None = None) -> Subscription:
    """Ask for a subscription; the confirmation is mailed. Asking again for a pending one mails it again
    (at most once an hour); asking for a confirmed one changes nothing. The answer never says which."""
    if not mail.enabled():
        raise ValidationError("本平台未配置邮件发送，暂不能订阅邮件；您可以使用下方的 Atom 订阅源。", "email")
    now = now or utcnow()

    def address():
        cleaned = (email or "").strip().lower()
        if not cleaned:
            raise ValidationError("请填写电子邮箱。", "email")
        if len(cleaned) > 200 or not EMAIL.fullmatch(cleaned):
            raise ValidationError("电子邮箱格式不正确。", "email")
        return cleaned

    values = collect({"email": address, "value": lambda: _scope_value(kind, value)})
    email, value = values["email"], values["value"]
    row = db.session.scalar(select(Subscription).where(
        Subscription.email == email, Subscription.kind == kind, Subscription.value == value,
        Subscription.unsubscribed_at.is_(None)))
    if row is not None:
        if row.confirmed_at is None and row.confirm_sent_at <= now - RESEND_AFTER:
            row.confirm_sent_at = now
            _send_confirmation(row)
        return row
    pending = db.session.scalar(select(func.count(Subscription.id)).where(
        Subscription.email == email, Subscription.confirmed_at.is_(None), Subscription.unsubscribed_at.is_(None),
        Subscription.created_at > now - timedelta(days=CONFIRM_DAYS)))
    if pending >= MAX_PENDING:
        raise ValidationError("该邮箱有多项订阅尚未确认，请先查收确认邮件。", "email")
    row = Subscription(email=email, kind=kind, value=value, created_at=now, confirm_sent_at=now)
    db.session.add(row)
    db.session.flush()
    _send_confirmation(row)
    return row


def _send_confirmation(row: Subscription) -> None:
    try:
        _confirmation_mail(row)
    except OSError as exc:
        raise ValidationError("确认邮件暂时无法发送，订阅未保存，请稍后再试。", "email") from exc


def _confirmation_mail(row: Subscription) -> None:
    mail.send([row.email], "【广西清洁生产信息平台】请确认订阅",
              f"您好：\n\n有人（希望是您本人）用本邮箱订阅了广西清洁生产信息平台“{row.kind_label}：{scope_name(row.kind, row.value)}”"
              f"的每周动态（新列入强制性审核名单、审核状态变化、公示的信用记录）。\n请在 {CONFIRM_DAYS} 天内打开以下链接确认：\n\n"
              f"{_link('subscriptions.confirm', row, 'confirm')}\n\n如果不是您本人订阅，请忽略本邮件，您不会收到任何动态。")


def pending_confirmation(subscription_id: int, given: str, now: datetime | None = None) -> Subscription:
    row = _by_token(subscription_id, given, "confirm")
    if row.unsubscribed_at is not None:
        raise NotFound("该订阅已退订。")
    if row.confirmed_at is None and row.created_at <= (now or utcnow()) - timedelta(days=CONFIRM_DAYS):
        raise NotFound(f"确认链接已超过 {CONFIRM_DAYS} 天，请重新订阅。")
    return row


def confirm(subscription_id: int, given: str, now: datetime | None = None) -> Subscription:
    now = now or utcnow()
    row = pending_confirmation(subscription_id, given, now)
    if row.confirmed_at is None:
        row.confirmed_at = row.digested_until = now
    return row


def live_subscription(subscription_id: int, given: str) -> Subscription:
    row = _by_token(subscription_id, given, "unsubscribe")
    if row.unsubscribed_at is not None:
        raise NotFound("该订阅已退订。")
    return row


def unsubscribe(subscription_id: int, given: str, now: datetime | None = None) -> Subscription:
    row = live_subscription(subscription_id, given)
    row.unsubscribed_at = now or utcnow()
    return row


# --- what happened -----------------------------------------------------------------------------------------

def events(kind: str, value: str, since: datetime, until: datetime, limit: int = 500) -> list[Event]:
    """What happened in the scope after `since` up to `until`, newest first: public facts only."""
    scope = _scope_clause(kind, value)
    found = []
    rounds = db.session.execute(
        select(RoundEvent, AuditRound, Enterprise).join(AuditRound, AuditRound.id == RoundEvent.round_id)
        .join(Enterprise, Enterprise.id == AuditRound.enterprise_id)
        .where(scope, RoundEvent.created_at > since, RoundEvent.created_at <= until)
        .order_by(RoundEvent.created_at.desc(), RoundEvent.id.desc()).limit(limit))
    for event, round_, enterprise in rounds:
        path = url_for("audits.public_status", uscc=enterprise.uscc)
        if event.to_state == "listed":
            found.append(Event(event.created_at, "listing", f"{enterprise.name} 列入强制性清洁生产审核名单",
                               f"{enterprise.name}（{enterprise.uscc}）于 {event.on.isoformat()} 列入{round_.kind_label}清洁生产审核。", path))
        else:
            was = f"由“{STATES[event.from_state]}”" if event.from_state in STATES else ""
            found.append(Event(event.created_at, "status", f"{enterprise.name} 审核状态：{event.to_label}",
                               f"{enterprise.name}（{enterprise.uscc}）的{round_.kind_label}审核{was}变为“{event.to_label}”（{event.on.isoformat()}）。",
                               path))
    records = db.session.execute(
        select(CreditRecord, Enterprise).join(Enterprise, Enterprise.id == CreditRecord.enterprise_id)
        .where(scope, CreditRecord.state == "published", CreditRecord.published_at > since,
               CreditRecord.published_at <= until)
        .order_by(CreditRecord.published_at.desc()).limit(limit))
    for record, enterprise in records:
        found.append(Event(record.published_at, "credit", f"{record.subject_name} 行政处罚信息公示",
                           f"{record.subject_name}（{record.subject_uscc}）的行政处罚信息公示至 {record.publish_until.isoformat()}。",
                           url_for("credit.public_record", key=record.idempotency_key)))
    found.sort(key=lambda e: e.at, reverse=True)
    return found[:limit]


def feed(kind: str, value: str, now: datetime | None = None) -> tuple[str, list[Event]]:
    """The Atom feed of a scope: its name and the last FEED_DAYS' events (at most FEED_ENTRIES)."""
    now = now or utcnow()
    name = scope_name(kind, value)
    return name, events(kind, value, now - timedelta(days=FEED_DAYS), now, FEED_ENTRIES)


# --- the weekly digest --------------------------------------------------------------------------------------

def send_digests(now: datetime | None = None) -> tuple[int, int]:
    """Mail each confirmed subscription what happened since its last digest. Returns (subscriptions
    looked at, mails sent). Run twice in a row, the second run sends nothing."""
    now = now or utcnow()
    looked = sent = 0
    rows = db.session.scalars(select(Subscription).where(
        Subscription.confirmed_at.is_not(None), Subscription.unsubscribed_at.is_(None)).order_by(Subscription.id))
    site = current_app.config.get("SITE_URL", "").rstrip("/")
    for row in rows:
        looked += 1
        since = row.digested_until or row.confirmed_at
        happened = events(row.kind, row.value, since, now)
        if happened:
            lines = [f"· {e.summary}\n  {site}{e.path}" for e in happened]
            try:
                _digest_mail(row, since, happened, lines)
            except OSError as exc:  # this one waits for the next run, with its window unmoved
                current_app.logger.warning("digest for subscription %s not sent: %s", row.id, exc)
                continue
            sent += 1
        row.digested_until = now
    return looked, sent


def _digest_mail(row: Subscription, since: datetime, happened: list[Event], lines: list[str]) -> None:
    name = scope_name(row.kind, row.value)
    mail.send([row.email], f"【广西清洁生产信息平台】每周动态：{name}",
              f"您好：\n\n您订阅的“{row.kind_label}：{name}”自 {since.strftime('%Y-%m-%d')} 以来有 {len(happened)} 条动态：\n\n"
              + "\n".join(lines) + f"\n\n退订：{_link('subscriptions.unsubscribe', row, 'unsubscribe')}\n")
