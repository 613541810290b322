"""Importing the enterprise register from .xlsx and .csv (DESIGN §4, import files).

Valid rows are imported; each invalid row is reported with its row number, column and reason in
Chinese; importing the same file again changes nothing; nothing is ever half-written.
(名单公布日期 with a valid date lists the enterprise for a mandatory round: that is the audits
feature's business and is tested there; here the column is present but empty, or malformed.)
"""
import csv
import io

import pytest
from openpyxl import Workbook

from foundation_helpers import audit_count, audit_entries, count, field_errors, text
from platform.enterprises import importer, services
from platform.enterprises.importer import import_enterprises
from platform.enterprises.models import Enterprise
from platform.enterprises.uscc import make
from platform.core.errors import ValidationError
from platform.core.extensions import db
from platform.core.access import SYSTEM

HEADERS = ["企业名称", "统一社会信用代码", "行政区划代码", "行业代码", "名单公布日期", "法定代表人"]
GOOD_1 = make("450100", 501)
GOOD_2 = make("450200", 502)
BAD_CHECK = make("450300", 503)[:17] + ("0" if make("450300", 503)[17] != "0" else "1")
UNKNOWN_DIVISION = make("450400", 504)
MALFORMED_DATE = make("450500", 505)
NO_NAME = make("450600", 506)

ROWS = [  # as a regulator's spreadsheet has them; the file's row numbers start at 2
    ["南宁甲糖业有限公司", GOOD_1, "450102", "1340", "", "王伟"],                  # row 2: valid
    ["桂林乙水泥有限公司", BAD_CHECK, "450300", "3011", "", "李芳"],               # row 3: wrong check character
    ["梧州丙造纸有限公司", UNKNOWN_DIVISION, "110101", "2211", "", "张强"],         # row 4: not a Guangxi division
    ["北海丁化工有限公司", MALFORMED_DATE, "450500", "2614", "2025-13-45", "刘敏"],  # row 5: malformed date
    ["", NO_NAME, "450600", "3130", "", "陈军"],                                    # row 6: no name
    ["柳州戊钢铁有限公司", GOOD_2, "450202", "3120", "", "杨丽"],                  # row 7: valid
]


def xlsx(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(rows, headers=HEADERS, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _usccs() -> set[str]:
    return set(db.session.scalars(db.select(Enterprise.uscc)))


# --- rows ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("build, filename", [(xlsx, "名录.xlsx"), (csv_file, "名录.csv")])
def test_each_bad_row_is_reported_with_row_column_and_reason_and_the_rest_imported(app, build, filename):
    report = import_enterprises(SYSTEM, build(ROWS), filename)
    db.session.commit()
    assert (report.total, report.created, report.rejected_rows) == (6, 2, 4)
    errors = {row: (column, reason) for row, column, reason in report.errors}
    assert errors[3][0] == "统一社会信用代码" and "第 18 位应为" in errors[3][1]
    assert errors[4][0] == "行政区划代码" and "110101 不属于广西" in errors[4][1]
    assert errors[5][0] == "名单公布日期" and "“2025-13-45”不是有效日期" in errors[5][1]
    assert errors[6] == ("企业名称", "请填写企业名称。")
    assert _usccs() == {GOOD_1, GOOD_2}
    nanning = db.session.scalar(db.select(Enterprise).where(Enterprise.uscc == GOOD_1))
    assert (nanning.name, nanning.city_code, nanning.county_code, nanning.industry_class, nanning.legal_representative) == (
        "南宁甲糖业有限公司", "450100", "450102", "1340", "王伟")


def test_every_problem_of_one_row_is_reported(app):
    report = import_enterprises(SYSTEM, csv_file([["", BAD_CHECK, "999999", "3130", "2025/02/30", ""]]), "a.csv")
    assert {(row, column) for row, column, _ in report.errors} == {
        (2, "企业名称"), (2, "统一社会信用代码"), (2, "行政区划代码"), (2, "名单公布日期")}
    assert report.rejected_rows == 1


def test_importing_the_same_file_again_changes_nothing(app):
    data = xlsx(ROWS)
    import_enterprises(SYSTEM, data, "名录.xlsx")
    db.session.commit()
    enterprises, log = count(), audit_count()
    again = import_enterprises(SYSTEM, data, "名录.xlsx")
    db.session.commit()
    assert (again.created, again.updated, again.unchanged, again.rejected_rows) == (0, 0, 2, 4)
    assert "未变化 2" in again.summary()
    assert (count(), audit_count()) == (enterprises, log)


def test_a_changed_row_updates_the_enterprise_and_logs_only_what_changed(app):
    import_enterprises(SYSTEM, csv_file(ROWS[:1]), "a.csv")
    db.session.commit()
    changed = [["南宁甲糖业集团有限公司", GOOD_1.lower(), "450102", "1340", "", "王伟"]]
    report = import_enterprises(SYSTEM, csv_file(changed), "a.csv")
    db.session.commit()
    assert (report.created, report.updated) == (0, 1)
    [entry] = audit_entries("enterprise.update")
    assert (entry.before, entry.after) == ({"name": "南宁甲糖业有限公司"}, {"name": "南宁甲糖业集团有限公司"})
    assert entry.actor_name == "系统"


def test_an_absent_optional_column_leaves_existing_data_alone(app):
    import_enterprises(SYSTEM, csv_file(ROWS[:1]), "a.csv")
    db.session.commit()
    report = import_enterprises(SYSTEM, csv_file([ROWS[0][:4]], headers=HEADERS[:4]), "a.csv")
    assert report.unchanged == 1
    assert db.session.scalar(db.select(Enterprise.legal_representative).where(Enterprise.uscc == GOOD_1)) == "王伟"


def test_one_enterprise_twice_in_a_file_is_refused_at_its_second_row(app):
    rows = [ROWS[0], ["南宁甲糖业另一名称有限公司", GOOD_1, "450102", "1340", "", "王伟"]]
    report = import_enterprises(SYSTEM, csv_file(rows), "a.csv")
    db.session.commit()
    assert report.created == 1
    [(row, column, reason)] = report.errors
    assert (row, column) == (3, "统一社会信用代码") and "第 2 行" in reason
    again = import_enterprises(SYSTEM, csv_file(rows), "a.csv")
    assert (again.updated, again.unchanged) == (0, 1)


def test_excel_number_cells_for_the_codes_are_read_as_codes(app):
    report = import_enterprises(SYSTEM, xlsx([["南宁甲糖业有限公司", GOOD_1, 450102, 1340, None, None]]), "a.xlsx")
    assert report.created == 1 and not report.errors


def test_a_csv_saved_by_excel_with_a_byte_order_mark_is_read(app):
    report = import_enterprises(SYSTEM, csv_file(ROWS[:1], encoding="utf-8-sig"), "a.csv")
    assert report.created == 1 and not report.errors


def test_blank_lines_are_skipped_and_row_numbers_stay_those_of_the_file(app):
    report = import_enterprises(SYSTEM, xlsx([ROWS[0], [None] * 6, ROWS[4]]), "a.xlsx")
    assert report.total == 2
    assert [(row, column) for row, column, _ in report.errors] == [(4, "企业名称")]


def test_progress_is_reported_row_by_row(app):
    seen = []
    import_enterprises(SYSTEM, csv_file(ROWS), "a.csv", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 6) for n in range(1, 7)]


# --- nothing half-written ------------------------------------------------------------------------

def _fail_when_logging(monkeypatch, name, exc):
    """Make writing the audit log fail for one enterprise: after its row was inserted, before it was done."""
    original = services.record

    def record(actor, action, obj_type, obj_id, **kw):
        if (kw.get("after") or {}).get("name") == name:
            raise exc
        return original(actor, action, obj_type, obj_id, **kw)

    monkeypatch.setattr(services, "record", record)


def test_a_row_refused_after_its_insert_leaves_no_trace(app, monkeypatch):
    _fail_when_logging(monkeypatch, "柳州戊钢铁有限公司", ValidationError("写入审计日志失败。"))
    report = import_enterprises(SYSTEM, csv_file([ROWS[0], ROWS[5]]), "a.csv")
    db.session.commit()
    assert report.created == 1
    assert report.errors == [(3, "统一社会信用代码", "写入审计日志失败。")]
    assert _usccs() == {GOOD_1}
    assert audit_count() == 1


def test_an_unexpected_failure_mid_file_writes_nothing_at_all(app, monkeypatch, tmp_path):
    _fail_when_logging(monkeypatch, "柳州戊钢铁有限公司", RuntimeError("disk full"))
    result = _cli(app, tmp_path, csv_file([ROWS[0], ROWS[5]]), "名录.csv")
    assert isinstance(result.exception, RuntimeError)
    db.session.rollback()
    assert (count(), audit_count()) == (0, 0)  # not even row 2, which had gone through


# --- bad files -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, filename, message", [
    (b"name,code\n", "名录.xls", "文件类型不支持"),
    (b"\x00\x01", "名录.txt", "文件类型不支持"),
    (b"not a zip at all", "名录.xlsx", "不是有效的 Excel"),
    (b"PK\x03\x04broken", "名录.xlsx", "无法读取 Excel 文件"),
    (csv_file(ROWS, encoding="gbk"), "名录.csv", "不是 UTF-8 编码"),
    (csv_file(ROWS, headers=["企业名称", "统一社会信用代码", "行政区划代码"]), "名录.csv", "缺少必需的列：行业代码"),
    (b"", "名录.csv", "文件是空的"),
])
def test_a_bad_file_is_refused_with_a_clear_reason_and_nothing_written(app, data, filename, message):
    with pytest.raises(ValidationError) as caught:
        import_enterprises(SYSTEM, data, filename)
    assert message in caught.value.message
    assert caught.value.field == "file"
    assert (count(), audit_count()) == (0, 0)


# --- the command line ----------------------------------------------------------------------------

def _cli(app, tmp_path, data: bytes, filename: str):
    path = tmp_path / filename
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=["enterprises", "import", str(path)])


def test_the_command_reports_each_rejected_row_and_exits_non_zero(app, tmp_path):
    result = _cli(app, tmp_path, xlsx(ROWS), "名录.xlsx")
    assert result.exit_code == 1
    assert "第 3 行 [统一社会信用代码]" in result.stderr
    assert "第 6 行 [企业名称]：请填写企业名称。" in result.stderr
    assert "共 6 行：新增 2，更新 0，未变化 0，拒绝 4。" in result.stdout
    assert _usccs() == {GOOD_1, GOOD_2}


def test_the_command_exits_zero_when_every_row_is_accepted_and_again_on_re_import(app, tmp_path):
    first = _cli(app, tmp_path, csv_file([ROWS[0], ROWS[5]]), "名录.csv")
    assert first.exit_code == 0, first.output
    log = audit_count()
    second = _cli(app, tmp_path, csv_file([ROWS[0], ROWS[5]]), "名录.csv")
    assert second.exit_code == 0
    assert "未变化 2" in second.stdout
    assert (count(), audit_count()) == (2, log)


@pytest.mark.parametrize("data, filename, message", [
    (b"a,b\n", "名录.txt", "文件类型不支持"),
    (csv_file(ROWS, encoding="gbk"), "名录.csv", "UTF-8"),
    (csv_file(ROWS, headers=["企业名称"]), "名录.csv", "缺少必需的列"),
])
def test_the_command_refuses_a_bad_file_with_a_clear_error(app, tmp_path, data, filename, message):
    result = _cli(app, tmp_path, data, filename)
    assert result.exit_code != 0
    assert message in result.output
    assert count() == 0


def test_the_command_refuses_a_file_that_does_not_exist(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["enterprises", "import", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2


# --- the regulators' upload page -----------------------------------------------------------------

def _upload(client, data: bytes, filename: str):
    return client.post("/enterprises/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_a_regulators_upload_imports_its_city_and_refuses_other_cities_rows(world, client_for):
    response = _upload(client_for(world.regulator_a), csv_file([ROWS[0], ROWS[5]]), "名录.csv")
    assert response.status_code == 200
    html = text(response)
    assert "新增 1" in html and "拒绝 1" in html
    assert "<td>3</td><td>行政区划代码</td><td>您只能登记本辖区的企业。</td>" in html
    assert GOOD_1 in _usccs() and GOOD_2 not in _usccs()
    entry = audit_entries("enterprise.create")[-1]
    assert entry.actor_id == world.regulator_a.id


def test_a_regulators_upload_cannot_change_another_citys_enterprise(world, client_for):
    row = ["柳州乙化工改名有限公司", world.ent_b.uscc, "450200", "3130", "", ""]
    response = _upload(client_for(world.regulator_a), csv_file([row]), "名录.csv")
    assert "<td>2</td><td>统一社会信用代码</td><td>该企业不在您的管辖范围内。</td>" in text(response)
    db.session.expire_all()
    assert db.session.get(Enterprise, world.ent_b.id).name == "柳州乙化工有限公司"


def test_an_upload_of_the_wrong_type_is_refused_beside_the_file_field(world, client_for):
    enterprises = count()
    response = _upload(client_for(world.regulator_a), b"x", "名录.pdf")
    assert response.status_code == 422
    assert "文件类型不支持" in field_errors(text(response))["file"][0]
    assert count() == enterprises


def test_an_upload_without_a_file_asks_for_one(world, client_for):
    response = client_for(world.regulator_a).post("/enterprises/import", data={})
    assert response.status_code == 422
    assert field_errors(text(response))["file"] == ["请选择要导入的文件。"]


def test_importer_columns_cover_the_contract():
    assert importer.REQUIRED == ["企业名称", "统一社会信用代码", "行政区划代码", "行业代码"]
    assert {"强制审核原因", "名单公布日期"} <= set(importer.COLUMNS)
