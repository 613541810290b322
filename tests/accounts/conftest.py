import pytest

from platform.core import mail


@pytest.fixture
def outbox(app):
    """The mail the app would have sent (MAIL_CAPTURE), empty at the start of the test."""
    kept = mail.outbox()
    kept.clear()
    return kept
