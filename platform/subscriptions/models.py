"""Subscriptions by e-mail (like ECHO Notify): a city, an industry or an enterprise, confirmed by the
subscriber (double opt-in), ended by the link in every mail."""
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.models_base import utcnow

SCOPES = {"city": "设区市", "industry": "行业", "enterprise": "企业"}


class Subscription(db.Model):
    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("kind IN ('city','industry','enterprise')", name="kind"),
        # One live subscription per address and scope (an ended one may be taken up again).
        Index("ux_subscriptions_live", "email", "kind", "value", unique=True,
              sqlite_where=text("unsubscribed_at IS NULL"), postgresql_where=text("unsubscribed_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), nullable=False, index=True)  # never shown publicly
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    value: Mapped[str] = mapped_column(String(18), nullable=False)  # city code, industry code or USCC
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    confirm_sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The end of the last digest's window: the next digest reports what happened after it.
    digested_until: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def kind_label(self) -> str:
        return SCOPES[self.kind]
