"""Files the listing tests upload (a module of its own: test modules import it by name, and every
test directory has a conftest.py, so `from conftest import …` would find whichever was loaded first)."""
import csv
import io


def csv_file(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")
