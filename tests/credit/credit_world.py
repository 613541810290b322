"""Fixed dates and files of the credit tests (imported by conftest.py and the test modules)."""
from datetime import date, datetime

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LISTED_ON = date(2026, 1, 5)  # disclosure due 2026-02-05; rectification ordered 2026-02-09, due 2026-03-02
T0 = datetime(2026, 4, 1, 9, 0)  # the publisher's clock in these tests (UTC)
