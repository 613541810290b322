"""Outgoing e-mail, only when SMTP is configured (MAIL_SERVER); otherwise notices stay in the platform.

With MAIL_CAPTURE set (the tests), a message is kept in `outbox()` instead of being sent.
"""
import smtplib
from email.message import EmailMessage

from flask import current_app


def enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def outbox() -> list[EmailMessage]:
    """The messages kept instead of sent (MAIL_CAPTURE), oldest first."""
    return current_app.extensions.setdefault("mail_outbox", [])


def send(to: list[str], subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    if current_app.config.get("MAIL_CAPTURE"):
        outbox().append(message)
        return
    host, _, port = current_app.config["MAIL_SERVER"].partition(":")
    with smtplib.SMTP(host, int(port or 25), timeout=10) as smtp:
        smtp.send_message(message)
