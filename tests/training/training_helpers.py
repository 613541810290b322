"""Dates shared by the training tests (imported by name: pytest puts this folder on sys.path)."""
from datetime import date

YEAR = 2026
START = date(2026, 5, 12)  # the sessions' first day
BEFORE = date(2026, 5, 1)  # "today" while enrolment is open
AFTER = date(2026, 5, 14)  # "today" once the session has run
