"""Import files written by anyone: whatever their cells hold, an import answers with a report (row,
column, reason in Chinese) or a refusal of the file in Chinese — never a traceback — and what it
reports is exactly what it wrote: a refused row leaves nothing behind.

Covered: the enterprise register (service, regulators' upload page, `flask enterprises import`), the
schemes (service, enterprises' upload page, `flask schemes import`), the technology catalogue
(service, `flask catalogue import`) and the shared reader, platform/tabular.py.
"""
import io
import zipfile
from datetime import date, datetime
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from abuse_helpers import (FORMULAS, XSS, abuse, build_file, check_report, csv_file, delta, file_rows, headers_for,
                           is_chinese, nasty_text, row_counts, rows_for, xlsx_file, xlsx_safe)
from platform.core.auditlog.models import AuditLog
from platform.catalogue import services as catalogue
from platform.catalogue.models import CATEGORIES, Technology
from platform.enterprises import importer as enterprise_importer
from platform.audits.importer import import_register as import_enterprises  # with the listing step
from platform.enterprises.models import Enterprise
from platform.enterprises.uscc import make
from platform.core.errors import ValidationError
from platform.core.extensions import db
from platform.schemes import importer as scheme_importer
from platform.schemes.importer import import_schemes
from platform.schemes.models import Scheme
from platform.core.tabular import read_table
from tests.schemes.builders import drive, list_enterprise
from platform.core.access import SYSTEM

ENTERPRISE_REQUIRED = enterprise_importer.REQUIRED
ENTERPRISE_OPTIONAL = [h for h in enterprise_importer.COLUMNS if h not in ENTERPRISE_REQUIRED]
SCHEME_REQUIRED = scheme_importer.REQUIRED
SCHEME_OPTIONAL = [h for h in scheme_importer.COLUMNS if h not in SCHEME_REQUIRED]
TECH_REQUIRED = catalogue.REQUIRED
TECH_OPTIONAL = [h for h in catalogue.COLUMNS if h not in TECH_REQUIRED]

formats = st.sampled_from(["xlsx", "csv"])
some_date = st.sampled_from(["2025-03-01", "2025/3/1", "2025年3月1日", date(2025, 3, 1), datetime(2025, 6, 30, 8, 0),
                             date(2026, 12, 31), "9999-12-31", date(9999, 12, 31)])
ENTERPRISE_PLAUSIBLE = {
    "企业名称": nasty_text,
    "统一社会信用代码": st.integers(0, 30).map(lambda n: make("450100", 900_000 + n)),
    "行政区划代码": st.sampled_from(["450102", "450100", 450102, "450200"]),
    "行业代码": st.sampled_from(["3130", "31", 3130, "2614"]),
    "名单公布日期": some_date,
    "排污许可管理类别": st.sampled_from(["重点管理", "简化管理", "登记管理"]),
}
SCHEME_PLAUSIBLE = {
    "方案编号": st.sampled_from(["F-01", "F-02", "Z-01", 1, 2.5]),
    "方案名称": nasty_text,
    "方案类别": st.sampled_from(["无低费", "中高费", "无/低费"]),
    "状态": st.sampled_from(["计划实施", "实施中", "已完成", "已放弃"]),
    "完成日期": some_date,
    **{h: st.one_of(st.sampled_from(["0", "12.5", "1,000", "12.5 吨", "3 tce", "-1", "1e30", "0.00001"]),
                    st.decimals(allow_nan=True, allow_infinity=True).map(str),
                    st.floats(allow_nan=False, allow_infinity=False))
       for h in SCHEME_OPTIONAL if h not in ("完成日期",)},
}
TECH_PLAUSIBLE = {
    "技术名称": nasty_text,
    "行业代码": st.sampled_from(["31", "31;26", "31、26", 31, "3130"]),
    "类别": st.sampled_from(list(CATEGORIES)),
    "成熟度": st.sampled_from(["推广", "示范"]),
    "年份": st.sampled_from(["2020", 2021, "1989", "2101"]),
}


def _run(importer, data: bytes, filename: str):
    """The import as its callers run it: one unit of work, committed; a refused file writes nothing."""
    before = row_counts()
    try:
        report = importer(data, filename)
    except ValidationError as refused:
        db.session.rollback()
        assert is_chinese(refused.message), refused.message
        assert row_counts() == before
        return None, {}
    db.session.commit()
    return report, delta(before, row_counts())


# --- the shared reader -------------------------------------------------------------------------------

def _damaged_xlsx() -> bytes:
    """A real workbook whose sheet XML is cut off half-way (a download interrupted, a disk error)."""
    data = xlsx_file(["企业名称"], [["南宁甲有限公司"]])
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for item in source.infolist():
            content = source.read(item.filename)
            damaged.writestr(item, content[: len(content) // 2] if item.filename.endswith("sheet1.xml") else content)
    return out.getvalue()


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


NOT_A_SPREADSHEET = {
    "random bytes": bytes(range(256)) * 4,
    "a PDF": b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n",
    "a Windows program": b"MZ\x90\x00" + b"\x00" * 200,
    "zip magic then junk": b"PK\x03\x04" + b"\xff" * 300,
    "a zip that is no workbook (a .docx renamed)": _zip_without_workbook(),
    "a workbook with its sheet cut off": _damaged_xlsx(),
    "nothing": b"",
}


@pytest.mark.parametrize("name", NOT_A_SPREADSHEET)
def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(app, name):
    with pytest.raises(ValidationError) as refused:
        read_table(NOT_A_SPREADSHEET[name], "名录.xlsx", ENTERPRISE_REQUIRED)
    assert refused.value.field == "file" and is_chinese(refused.value.message)


@pytest.mark.parametrize("data", [
    b"\xff\xfe\x00\x00garbage",  # UTF-32 / not UTF-8
    "企业名称,统一社会信用代码\n".encode("gbk"),
    b"\x00\x00\x00",
    ("企业名称,统一社会信用代码,行政区划代码,行业代码\n" + "x" * 200_000 + ",a,b,c\n").encode(),  # one huge cell
    "企业名称,统一社会信用代码,行政区划代码,行业代码\n\"unterminated,a,b,c\n".encode(),
], ids=["utf32", "gbk", "nul", "huge-cell", "unbalanced-quote"])
def test_a_csv_the_reader_cannot_take_is_refused_or_read_never_crashes(app, data):
    try:
        table = read_table(data, "名录.csv", ENTERPRISE_REQUIRED)
    except ValidationError as refused:
        assert refused.field == "file" and is_chinese(refused.message)
    else:
        assert all(isinstance(number, int) for number, _ in table.rows)


@pytest.mark.parametrize("filename", ["名录.exe", "名录", "名录.xlsx.exe", "../../名录.csv.txt", "名录.xls"])
def test_only_xlsx_and_csv_names_are_read(app, filename):
    with pytest.raises(ValidationError, match="文件类型不支持"):
        read_table(csv_file(ENTERPRISE_REQUIRED, []), filename, ENTERPRISE_REQUIRED)


# --- enterprises ---------------------------------------------------------------------------------------

@abuse
@given(fmt=formats, headers=headers_for(ENTERPRISE_REQUIRED, ENTERPRISE_OPTIONAL), data=st.data())
def test_enterprise_import_of_any_cells_reports_or_refuses_and_counts_what_it_wrote(app, fmt, headers, data):
    rows = data.draw(rows_for(list(headers), plausible=ENTERPRISE_PLAUSIBLE))
    report, written = _run(lambda d, f: import_enterprises(SYSTEM, d, f), build_file(fmt, headers, rows), f"名录.{fmt}")
    if report is None:
        return
    check_report(report, file_rows(fmt, headers, rows), set(headers))
    assert written.get("enterprises", 0) == report.created
    if report.created + report.updated == 0:
        assert written == {}, "refused rows left rows behind"


def _valid_row(serial: int, name: str, **optional) -> dict:
    return {"企业名称": name, "统一社会信用代码": make("450100", 800_000 + serial), "行政区划代码": "450102",
            "行业代码": "3130", **optional}


@abuse
@given(fmt=formats, names=st.lists(nasty_text, min_size=1, max_size=4), others=st.lists(nasty_text, max_size=4),
       serial=st.integers(min_value=0, max_value=10**6))
def test_valid_enterprise_rows_keep_their_text_as_written_and_garbage_rows_leave_nothing(app, fmt, names, others,
                                                                                         serial):
    """Rows whose codes are right are imported with their name and address exactly as written (markup,
    formulas and all: text is data); rows whose codes are garbage are refused and leave nothing."""
    headers = ["企业名称", "统一社会信用代码", "行政区划代码", "行业代码", "地址"]
    good = [_valid_row(serial * 10 + i, name, 地址=(others[i] if i < len(others) else "")[:300])
            for i, name in enumerate(names)]
    bad = [{"企业名称": "乱码企业", "统一社会信用代码": text[:30], "行政区划代码": text[:10], "行业代码": text[:6],
            "地址": text[:300]} for text in others]
    rows = [[r[h] for h in headers] for r in good + bad]
    existed = set(db.session.scalars(select(Enterprise.uscc)))
    report, written = _run(lambda d, f: import_enterprises(SYSTEM, d, f), build_file(fmt, headers, rows), f"名录.{fmt}")
    check_report(report, set(range(2, 2 + len(rows))), set(headers))
    assert report.rejected_rows >= len(bad)  # garbage codes are never valid
    assert written.get("enterprises", 0) == report.created
    refused = {row for row, _, _ in report.errors}
    for number, row in enumerate(good, start=2):
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == row["统一社会信用代码"]))
        if number in refused:
            assert enterprise is None or row["统一社会信用代码"] in existed
            continue
        name = xlsx_safe(row["企业名称"]) if fmt == "xlsx" else row["企业名称"]
        if fmt == "xlsx" and name.startswith("="):
            continue  # a formula cell: openpyxl reads its (absent) cached value
        assert enterprise.name == name.strip()


def test_a_row_refused_after_its_enterprise_was_changed_leaves_the_enterprise_as_it_was(app, world):
    """The row changes the enterprise, then its list date is refused (the enterprise already has an open
    round from another date): the row's savepoint rolls the change and its audit entries back."""
    code = make("450100", 424242)
    first = csv_file(["企业名称", "统一社会信用代码", "行政区划代码", "行业代码", "法定代表人", "名单公布日期"],
                     [["南宁回滚测试有限公司", code, "450102", "3130", "王伟", "2025-03-01"]])
    report = import_enterprises(world.regulator_a, first, "a.csv")
    db.session.commit()
    assert report.created == 1 and not report.errors
    before = row_counts()
    second = csv_file(["企业名称", "统一社会信用代码", "行政区划代码", "行业代码", "法定代表人", "名单公布日期"],
                      [["<script>alert(1)</script>", code, "450102", "3130", "李芳", "2025-09-01"]])
    report = import_enterprises(world.regulator_a, second, "b.csv")
    db.session.commit()
    assert (report.updated, report.rejected_rows) == (0, 1)
    assert report.errors[0][:2] == (2, "名单公布日期")
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code))
    assert (enterprise.name, enterprise.legal_representative) == ("南宁回滚测试有限公司", "王伟")
    assert row_counts() == before


@pytest.mark.parametrize("written", ["9999-12-31", "2999-01-01", "2100-06-30"])
def test_a_list_date_in_the_future_is_refused_not_turned_into_deadlines_past_the_calendar(app, written):
    code = make("450100", 515151)
    data = csv_file(["企业名称", "统一社会信用代码", "行政区划代码", "行业代码", "名单公布日期"],
                    [["南宁未来有限公司", code, "450102", "3130", written]])
    report, written_rows = _run(lambda d, f: import_enterprises(SYSTEM, d, f), data, "a.csv")
    assert report.rejected_rows == 1 and written_rows == {}
    (row, column, reason), = report.errors
    assert (row, column) == (2, "名单公布日期") and "不能晚于今天" in reason


def test_the_regulators_upload_page_answers_any_file_with_a_report_or_a_chinese_refusal(app, world, client_for):
    client = client_for(world.regulator_a)
    files = {name: (data, "名录.xlsx") for name, data in NOT_A_SPREADSHEET.items()}
    # The reason for a bad date repeats the cell: the report must show it as text.
    files["markup and formulas"] = (csv_file(ENTERPRISE_REQUIRED + ["名单公布日期"],
                                             [[XSS[0], FORMULAS[0], "<b>", "{{7*7}}", XSS[0]]]), "名录.csv")
    for name, (data, filename) in files.items():
        before = row_counts()
        response = client.post("/enterprises/import", data={"file": (io.BytesIO(data), filename)},
                               content_type="multipart/form-data")
        assert response.status_code == (200 if name == "markup and formulas" else 422), name
        page = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert is_chinese(page)
        assert row_counts() == before, name
    assert "“&lt;script&gt;alert(1)&lt;/script&gt;”不是有效日期" in page and "拒绝 1" in page


@abuse
@given(fmt=formats, headers=headers_for(ENTERPRISE_REQUIRED, ENTERPRISE_OPTIONAL), data=st.data())
def test_flask_enterprises_import_reports_each_refused_row_and_exits_non_zero_never_a_traceback(
        app, tmp_path_factory, fmt, headers, data):
    rows = data.draw(rows_for(list(headers), max_rows=4, plausible=ENTERPRISE_PLAUSIBLE))
    path = tmp_path_factory.mktemp("import") / f"名录.{fmt}"
    path.write_bytes(build_file(fmt, headers, rows))
    before = row_counts()
    result = app.test_cli_runner().invoke(args=["enterprises", "import", str(path)])
    db.session.rollback()  # see what the command's own session committed
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    written = delta(before, row_counts())
    if result.exit_code == 0:
        assert "共 " in result.stdout and "拒绝 0" in result.stdout
    else:
        assert is_chinese(result.stderr)
        for line in result.stderr.splitlines():
            if line.startswith("第 "):
                assert "行 [" in line and "]：" in line
    if "新增 0，更新 0" in result.stdout or not result.stdout:
        assert written == {}


# --- schemes -----------------------------------------------------------------------------------------

@pytest.fixture
def auditing(world):
    """world.ent_a listed on 2025-03-01 with its audit under way, so its schemes can be imported."""
    return drive(list_enterprise(world.ent_a), "auditing")


@abuse
@given(fmt=formats, headers=headers_for(SCHEME_REQUIRED, SCHEME_OPTIONAL), data=st.data())
def test_scheme_import_of_any_cells_reports_or_refuses_and_counts_what_it_wrote(app, world, auditing, fmt, headers,
                                                                               data):
    plausible = {**SCHEME_PLAUSIBLE, "统一社会信用代码": st.sampled_from([world.ent_a.uscc, world.ent_b.uscc,
                                                                     world.ent_a.uscc.lower()])}
    rows = data.draw(rows_for(list(headers), max_rows=5, plausible=plausible))
    report, written = _run(lambda d, f: import_schemes(SYSTEM, d, f), build_file(fmt, headers, rows), f"方案.{fmt}")
    if report is None:
        return
    check_report(report, file_rows(fmt, headers, rows), set(headers))
    assert written.get("schemes", 0) == report.created
    if report.created + report.updated == 0:
        assert written == {}, "refused rows left rows behind"


def test_an_enterprise_uploading_schemes_of_another_enterprise_writes_nothing(app, world, auditing, client_for):
    drive(list_enterprise(world.ent_b), "auditing")
    rows = [[world.ent_b.uscc, "F-01", XSS[1], "无低费", "计划实施"],
            [world.ent_a.uscc, "F-02", "=HYPERLINK(\"http://evil.example\",\"x\")", "无低费", "计划实施"]]
    client = client_for(world.enterprise_a)
    before = row_counts()
    response = client.post("/schemes/import", data={"file": (io.BytesIO(csv_file(SCHEME_REQUIRED, rows)), "方案.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "只能导入本企业的清洁生产方案" in page
    assert '"><img src=x onerror=alert(1)>' not in page
    written = delta(before, row_counts())
    assert written.get("schemes") == 1
    scheme = db.session.scalar(select(Scheme).where(Scheme.code == "F-02"))
    assert scheme.enterprise_id == world.ent_a.id and scheme.name.startswith("=HYPERLINK")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_flask_schemes_import_of_a_damaged_file_exits_with_a_chinese_message(app, tmp_path, fmt):
    path = tmp_path / f"方案.{fmt}"
    path.write_bytes(_damaged_xlsx() if fmt == "xlsx" else b"\xff\xfe\xfa")
    result = app.test_cli_runner().invoke(args=["schemes", "import", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert is_chinese(result.stderr) and "Traceback" not in result.stderr


# --- the technology catalogue ----------------------------------------------------------------------------

@abuse
@given(fmt=formats, headers=headers_for(TECH_REQUIRED, TECH_OPTIONAL), data=st.data())
def test_catalogue_import_of_any_cells_reports_or_refuses_and_counts_what_it_wrote(app, fmt, headers, data):
    rows = data.draw(rows_for(list(headers), plausible=TECH_PLAUSIBLE))
    report, written = _run(lambda d, f: catalogue.import_technologies(SYSTEM, d, f), build_file(fmt, headers, rows),
                           f"目录.{fmt}")
    if report is None:
        return
    check_report(report, file_rows(fmt, headers, rows), set(headers))
    assert written.get("technologies", 0) == report.created
    if report.created + report.updated == 0:
        assert written == {}, "refused rows left rows behind"


def test_a_catalogue_year_in_superscript_digits_is_reported_not_a_crash(app):
    data = csv_file(["技术名称", "行业代码", "类别", "年份"], [["某技术", "31", "过程控制", "²"]])
    report, _ = _run(lambda d, f: catalogue.import_technologies(SYSTEM, d, f), data, "目录.csv")
    assert report.rejected_rows == 1 and report.errors[0][1] == "年份"


def test_flask_catalogue_import_reports_rows_and_counts_match_the_database(app, tmp_path):
    rows = [["<script>alert(1)</script>技术", "31", "过程控制", "=HYPERLINK(\"http://evil.example\")"],
            ["", "31", "过程控制", ""],
            ["某节能技术", "99", "过程控制", ""],
            ["某节水技术", "31", "不存在的类别", ""]]
    path = tmp_path / "目录.csv"
    path.write_bytes(csv_file(["技术名称", "行业代码", "类别", "适用范围"], rows))
    before = row_counts()
    result = app.test_cli_runner().invoke(args=["catalogue", "import", str(path)])
    db.session.rollback()
    assert result.exit_code == 1
    assert "新增 1" in result.stdout and "拒绝 3" in result.stdout
    assert {line.split(" [")[0] for line in result.stderr.splitlines() if line.startswith("第 ")} == {
        "第 3 行", "第 4 行", "第 5 行"}
    assert delta(before, row_counts()).get("technologies") == 1
    technology = db.session.scalar(select(Technology))
    assert technology.name == "<script>alert(1)</script>技术" and technology.scope.startswith("=HYPERLINK")
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "technology.create")) is not None
