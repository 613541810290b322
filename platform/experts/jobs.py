"""Scheduled job of the expert pool: e-mail the experts' notices (experts.services.notify).

A notice is written in the transaction that caused it (a request filed, a panel withdrawn), so it
exists exactly when the change does; this job sends the ones not yet e-mailed, when SMTP is
configured, to the expert's address. A send that fails is retried at the next run; one that
succeeded is marked in the job's single transaction (a crash between the two may send it twice,
which is better than never).
"""
from sqlalchemy import select

from ..core import mail
from ..core.extensions import db
from ..core.models_base import utcnow
from .models import Expert, ExpertNotice

SUBJECT = "【广西清洁生产信息平台】评审专家通知"
BATCH = 500


def email_notices(as_of=None) -> str:
    if not mail.enabled():
        return "未配置邮件服务，通知仅在平台内显示"
    sent = failed = 0
    rows = db.session.execute(select(ExpertNotice, Expert.email).join(Expert, Expert.id == ExpertNotice.expert_id)
                              .where(ExpertNotice.emailed_at.is_(None)).order_by(ExpertNotice.id).limit(BATCH))
    for notice, email in rows:
        if email:
            try:
                mail.send([email], SUBJECT, notice.message)
            except OSError:
                failed += 1
                continue
            sent += 1
        notice.emailed_at = utcnow()  # no address: nothing to send, ever
    return f"已发送 {sent} 封，失败待重试 {failed} 封"
