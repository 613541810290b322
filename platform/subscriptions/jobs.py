"""The weekly digest of the subscriptions (services.send_digests), on Monday morning, Beijing time.

Each subscription remembers the end of the window its last digest covered, so a run reports only what
happened after it, and a second run straight after the first sends nothing. Mails go out before the
job's single commit: a crash in between may send a digest twice, which is better than never. Without
SMTP nothing is sent and no window moves, so nothing is lost until mail is configured.
"""
from flask import current_app

from ..core import mail
from ..core.access import SYSTEM
from ..core.auditlog.services import record
from . import services


def digest_job(as_of=None) -> str:
    if not mail.enabled():
        return "未配置邮件服务，订阅周报未发送"
    # The links in the mails are absolute: the site's address stands in for a request.
    with current_app.test_request_context(base_url=current_app.config.get("SITE_URL") or "http://localhost"):
        looked, sent = services.send_digests()
    record(SYSTEM, "subscription.digest", "subscription", "weekly", after={"subscribers": looked, "mails": sent})
    return f"订阅 {looked} 项，发送周报 {sent} 封"
