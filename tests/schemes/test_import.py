"""Importing schemes from .xlsx and .csv (DESIGN §4 import columns): each row goes to its enterprise's
current round; bad rows are reported with row, column and reason; re-importing changes nothing."""
import csv
import io
from decimal import Decimal as D

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from platform.core.auditlog.models import AuditLog
from platform.core.extensions import db
from platform.schemes import services
from platform.schemes.importer import COLUMNS, import_schemes
from platform.schemes.models import Scheme
from tests.schemes.builders import drive
from platform.core.access import SYSTEM

HEADERS = ["统一社会信用代码", "方案编号", "方案名称", "方案类别", "投资（万元）", "状态", "完成日期", "节能量（tce）",
           "节水量（t）", "COD削减量（t）", "氨氮削减量（t）", "氮氧化物削减量（t）", "VOCs削减量（t）", "二氧化硫削减量（t）",
           "二氧化碳减排量（t）", "经济效益（万元/年）"]


def xlsx(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(rows, headers=HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def rows_for(world):
    a, b = world.ent_a.uscc, world.ent_b.uscc
    return [
        [a, "W01", "照明LED改造", "无低费", 3.5, "已完成", "2025-06-30", 12.5, 0, 0.25, 0, 0, 0, 0, 30, 2.4],  # 2
        [a, "Z01", "余热回收", "中高费", 380, "实施中", "2026-12-31", 900, 0, 0, 0, 0, 0, 0, 2400, 150],  # 3
        [a, "W02", "冷却水回用", "无低费", -2, "已完成", "2025-07-01", 0, 8000, 1.5, 0, 0, 0, 0, 0, 3],  # 4: negative
        [a, "W03", "管道保温", "低费", 1, "已完成", "2025/13/01", 0, 0, 0, 0, 0, 0, 0, 0, 0],  # 5: bad date, category
        [b, "W01", "空压机改造", "无/低费", "20000元", "已完成", "2025-08-01", "5 kg", 0, 0, 0, 0, 0, 0, 0, 0],  # 6
        ["91450100MA5XXXXXX0", "W01", "无此企业", "无低费", 1, "计划", "", 0, 0, 0, 0, 0, 0, 0, 0, 0],  # 7
        [a, "W01", "重复编号", "无低费", 1, "计划", "", 0, 0, 0, 0, 0, 0, 0, 0, 0],  # 8: W01 again
    ]


def test_valid_rows_are_imported_and_each_bad_row_is_reported(world, started):
    round_a = started(world.ent_a)
    started(world.ent_b)
    report = import_schemes(SYSTEM, xlsx(rows_for(world)), "方案.xlsx")
    db.session.commit()
    assert (report.total, report.created, report.rejected_rows) == (7, 2, 5)
    errors = {(row, column): reason for row, column, reason in report.errors}
    assert errors[(4, "投资（万元）")] == "投资（万元）不能为负数。"
    assert "不是有效日期" in errors[(5, "完成日期")]
    assert "单位应为 万元" in errors[(6, "投资（万元）")] and "单位应为 tce" in errors[(6, "节能量（tce）")]
    assert "未登记" in errors[(7, "统一社会信用代码")]
    assert "与第 2 行重复" in errors[(8, "方案编号")]
    w01, z01 = (db.session.scalar(select(Scheme).where(Scheme.round_id == round_a.id, Scheme.code == c))
                for c in ("W01", "Z01"))
    assert (w01.status, w01.completed_on.isoformat(), w01.cod_t) == ("completed", "2025-06-30", D("0.25"))
    # 完成日期 of an unfinished scheme is its planned completion date.
    assert (z01.status, z01.completed_on, z01.planned_completion_on.isoformat()) == ("implementing", None, "2026-12-31")


def test_reimporting_the_same_file_changes_nothing(world, started):
    started(world.ent_a)
    started(world.ent_b)
    data = csv_file(rows_for(world)[:2])
    first = import_schemes(SYSTEM, data, "方案.csv")
    db.session.commit()
    logged = db.session.scalar(select(func.count(AuditLog.id)))
    again = import_schemes(SYSTEM, data, "方案.csv")
    db.session.commit()
    assert (first.created, again.created, again.updated, again.unchanged) == (2, 0, 0, 2)
    assert db.session.scalar(select(func.count(AuditLog.id))) == logged
    changed = rows_for(world)[:2]
    changed[1][5], changed[1][6] = "已完成", "2026-10-01"
    third = import_schemes(SYSTEM, csv_file(changed), "方案.csv")
    assert (third.updated, third.unchanged) == (1, 1)
    assert services.totals_mismatches() == []


def test_a_row_needs_a_running_round(world, started, make_enterprise):
    started(world.ent_a)
    idle = make_enterprise("450100")
    report = import_schemes(SYSTEM, csv_file([[idle.uscc, "W01", "方案", "无低费", 1, "计划", "", *[0] * 9]]), "f.csv")
    assert report.errors == [(2, "统一社会信用代码", f"{idle.name}没有进行中的审核轮次；方案登记在企业当前的审核轮次下。")]


def test_a_round_under_review_refuses_the_enterprises_changes(world, started):
    round_ = started(world.ent_a)
    drive(round_, "evaluation")
    report = import_schemes(world.enterprise_a, csv_file(rows_for(world)[:1]), "f.csv")
    assert report.errors[0][:2] == (2, "统一社会信用代码") and "评估中" in report.errors[0][2]


def test_a_missing_column_or_a_wrong_file_is_refused_whole(app):
    import pytest

    from platform.core.errors import ValidationError

    with pytest.raises(ValidationError) as exc:
        import_schemes(SYSTEM, csv_file([], headers=["统一社会信用代码", "方案编号"]), "f.csv")
    assert "缺少必需的列：方案名称、方案类别、状态" in exc.value.message
    with pytest.raises(ValidationError):
        import_schemes(SYSTEM, b"not a workbook", "f.xlsx")


def test_the_cli_imports_and_exits_non_zero_when_a_row_is_rejected(app, world, started, tmp_path):
    started(world.ent_a)
    started(world.ent_b)
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx(rows_for(world)[:2]))
    bad.write_bytes(xlsx(rows_for(world)))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["schemes", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "新增 2" in result.output
    result = runner.invoke(args=["schemes", "import", str(bad)])
    assert result.exit_code == 1
    assert "第 4 行 [投资（万元）]：投资（万元）不能为负数。" in result.output
    assert "未变化 2" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Scheme.id))) == 2
    result = runner.invoke(args=["schemes", "rebuild-totals"])
    assert result.exit_code == 0 and "此前与明细不一致的轮次 0 个" in result.output


def test_an_enterprise_uploads_its_own_rows_only(world, started, client_for):
    started(world.ent_a)
    started(world.ent_b)
    client = client_for(world.enterprise_a)
    upload = xlsx(rows_for(world)[:2] + rows_for(world)[4:5])  # two of 南宁's rows and one of 柳州's
    response = client.post("/schemes/import", data={"file": (io.BytesIO(upload), "方案.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "只能导入本企业的清洁生产方案。" in page and "新增 2" in page
    assert db.session.scalar(select(func.count(Scheme.id)).where(Scheme.enterprise_id == world.ent_b.id)) == 0


def test_the_template_carries_the_current_schemes_and_uploads_back_unchanged(world, started, client_for):
    started(world.ent_a)
    import_schemes(SYSTEM, xlsx(rows_for(world)[:2]), "f.xlsx")
    db.session.commit()
    client = client_for(world.enterprise_a)
    template = client.get("/schemes/template.xlsx")
    sheet = load_workbook(io.BytesIO(template.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS) and list(rows[0][:16]) == HEADERS
    assert [r[1] for r in rows[1:]] == ["W01", "Z01"]
    response = client.post("/schemes/import", data={"file": (io.BytesIO(template.data), "模板.xlsx")},
                           content_type="multipart/form-data")
    assert "未变化 2" in response.get_data(as_text=True)
