"""Column helpers shared by every feature's models."""
from datetime import datetime, timezone

from sqlalchemy import DateTime, Numeric
from sqlalchemy.orm import Mapped, mapped_column

# Money in 万元 and quantities in tonnes: exact decimals, never floats (STYLE 4).
Amount = Numeric(18, 4)


def small_int(text) -> int | None:
    """The whole number `text` writes in ASCII digits, if it fits an INTEGER column (ids, years, pages,
    counts); None for anything else. str.isdigit() alone is not enough: it accepts '²', which int()
    refuses, and a number past 2**31 overflows the database."""
    text = str(text if text is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > 2**31 - 1:
        return None
    return int(text)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)
