"""Helpers the foundation tests share: reading pages as a person would, and counting rows.

(A module with a name of its own, not a conftest, so test files can import its functions.)
"""
import re
from html.parser import HTMLParser

from sqlalchemy import func, select

from platform.core.auditlog.models import AuditLog
from platform.enterprises.models import Enterprise
from platform.core.extensions import db

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class _FieldErrors(HTMLParser):
    """Collects, for each form field wrapper (`div.field`), the input's name and the error lines in it."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._name = None
        self._in_field = False
        self._in_error = False
        self._errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div" and "field" in classes:
            self._in_field, self._name, self._errors = True, None, []
        elif self._in_field and tag in ("input", "select", "textarea") and self._name is None:
            self._name = attrs.get("name")
        elif self._in_field and tag == "p" and "error" in classes:
            self._in_error = True
            self._errors.append("")

    def handle_data(self, data):
        if self._in_error:
            self._errors[-1] += data

    def handle_endtag(self, tag):
        if tag == "p" and self._in_error:
            self._in_error = False
        elif tag == "div" and self._in_field:
            self._in_field = False
            if self._name:
                self.fields[self._name] = self._errors


def field_errors(html: str) -> dict[str, list[str]]:
    """{field name: [error messages shown beside it]} for every field of the page's forms."""
    parser = _FieldErrors()
    parser.feed(html)
    return {name: errors for name, errors in parser.fields.items() if errors}


def csrf_token(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the page carries no CSRF token"
    return match.group(1) or match.group(2)


def count(model=Enterprise, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_count(*where) -> int:
    return count(AuditLog, *where)


def audit_entries(action: str | None = None) -> list[AuditLog]:
    query = select(AuditLog).order_by(AuditLog.id)
    if action:
        query = query.where(AuditLog.action == action)
    return list(db.session.scalars(query))


def text(response) -> str:
    return response.get_data(as_text=True)
