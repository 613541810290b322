"""Importing the evidence: good rows, bad rows reported in Chinese with nothing written, and the same
file twice changing nothing while a changed row updates."""
from decimal import Decimal

from sqlalchemy import delete, func, select

from listing_helpers import csv_file
from platform.core.access import SYSTEM
from platform.core.extensions import db
from platform.listing.importer import import_file
from platform.listing.models import ChemicalDeclaration, DischargePermit, EnergyRecord, MonitoringRecord

PERMIT_HEADER = ["许可证编号", "单位名称", "统一社会信用代码", "行业代码", "管理类别", "有效期起", "有效期止", "发证机关"]
MONITORING_HEADER = ["统一社会信用代码", "污染物", "监测日期", "监测值", "排放限值", "单位", "年排放量", "许可排放量"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_permits_import_and_the_register_follows_the_permit(make_enterprise):
    firm = make_enterprise("450100", name="南宁某化工有限公司")
    data = csv_file([PERMIT_HEADER, ["914501007XXX001P", "南宁某化工有限公司", firm.uscc, "2614", "重点管理",
                                     "2023-06-01", "2028-05-31", "南宁市生态环境局"]])
    report = import_file(SYSTEM, "permits", data, "permits.csv")
    assert (report.created, report.errors) == (1, [])
    permit = db.session.scalar(select(DischargePermit))
    assert (permit.management_class, permit.industry_code) == ("key", "2614")
    assert (firm.permit_no, firm.permit_class) == ("914501007XXX001P", "key")

    again = import_file(SYSTEM, "permits", data, "permits.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

    changed = csv_file([PERMIT_HEADER, ["914501007XXX001P", "南宁某化工有限公司", firm.uscc, "2614", "简化管理",
                                        "2023-06-01", "2028-05-31", "南宁市生态环境局"]])
    assert import_file(SYSTEM, "permits", changed, "permits.csv").updated == 1
    assert (permit.management_class, firm.permit_class) == ("simplified", "simplified")
    assert count(DischargePermit) == 1


def test_a_file_with_bad_rows_writes_nothing_and_names_each_row_column_and_reason(make_enterprise):
    firm = make_enterprise("450100")
    bad_check = firm.uscc[:17] + ("0" if firm.uscc[17] != "0" else "1")
    data = csv_file([MONITORING_HEADER,
                     [firm.uscc, "化学需氧量", "2026-01-10", "86.5", "60", "mg/L", "", ""],  # good
                     [bad_check, "化学需氧量", "2026-01-11", "86.5", "60", "mg/L", "", ""],
                     [firm.uscc, "氨氮", "2026-13-01", "abc", "0", "mg/L", "", ""],
                     [firm.uscc, "氮氧化物", "2026-02-01", "90", "100", "mg/m³", "130", ""]])
    report = import_file(SYSTEM, "monitoring", data, "monitoring.csv")
    assert report.kept_nothing and count(MonitoringRecord) == 0
    assert report.created == 0 and "整个文件未导入" in report.summary()
    by_row = {}
    for row, column, reason in report.errors:
        by_row.setdefault(row, {})[column] = reason
    assert set(by_row) == {3, 4, 5}
    assert "校验位错误" in by_row[3]["统一社会信用代码"]
    assert "不是有效日期" in by_row[4]["监测日期"]
    assert "不是数字" in by_row[4]["监测值"]
    assert "应大于 0" in by_row[4]["排放限值"]
    assert "须同时填写" in by_row[5]["许可排放量"]


def test_an_unregistered_enterprise_or_another_citys_is_refused(make_enterprise, make_regulator):
    from platform.enterprises.uscc import make

    mine, theirs = make_enterprise("450100"), make_enterprise("450200")
    regulator = make_regulator("450100")
    data = csv_file([MONITORING_HEADER,
                     [make("450100", 777), "化学需氧量", "2026-01-10", "86.5", "60", "mg/L", "", ""],
                     [theirs.uscc, "化学需氧量", "2026-01-10", "86.5", "60", "mg/L", "", ""],
                     [mine.uscc, "化学需氧量", "2026-01-10", "86.5", "60", "mg/L", "", ""],
                     [mine.uscc, "化学需氧量", "2026-01-10", "80", "60", "mg/L", "", ""]])
    report = import_file(regulator, "monitoring", data, "m.csv")
    reasons = {row: reason for row, _, reason in report.errors}
    assert "未在企业名录中登记" in reasons[2]
    assert "不在您的管辖范围内" in reasons[3]
    assert "与第 4 行重复" in reasons[5]
    assert count(MonitoringRecord) == 0


def test_energy_and_chemical_declarations_import_idempotently(make_enterprise, make_regulator):
    firm = make_enterprise("450100")
    energy = csv_file([["统一社会信用代码", "年份", "综合能耗（tce）", "产品", "单位产品能耗", "限额值", "限额标准"],
                       [firm.uscc, "2025", "86000", "水泥熟料", "118", "117", "GB 16780-2021"]])
    assert import_file(SYSTEM, "energy", energy, "e.csv").created == 1
    assert import_file(SYSTEM, "energy", energy, "e.csv").unchanged == 1
    record = db.session.scalar(select(EnergyRecord))
    assert (record.unit_consumption, record.unit_label) == (Decimal("118"), "kgce/t")

    declared = csv_file([["统一社会信用代码", "化学品", "使用或排放", "数量（t）", "年份"],
                         [firm.uscc, "二氯甲烷", "使用", "12.5", "2025"],
                         [firm.uscc, "PC008", "排放", "0.02", "2025"],
                         [firm.uscc, "50-00-0", "使用", "3", "2025"],
                         [firm.uscc, "可乐", "使用", "3", "2025"]])
    report = import_file(SYSTEM, "chemicals", declared, "c.xlsx.csv")
    assert report.kept_nothing
    assert report.errors == [(5, "化学品", "“可乐”不在优先控制化学品名录中（填写名录编号、名称或 CAS 号）。")]
    fixed = csv_file([["统一社会信用代码", "化学品", "使用或排放", "数量（t）", "年份"],
                      [firm.uscc, "二氯甲烷", "使用", "12.5", "2025"], [firm.uscc, "PC008", "排放", "0.02", "2025"],
                      [firm.uscc, "50-00-0", "使用", "3", "2025"]])
    assert import_file(SYSTEM, "chemicals", fixed, "c.csv").created == 3
    names = {d.chemical.name for d in db.session.scalars(select(ChemicalDeclaration))}
    assert names == {"二氯甲烷", "汞及汞化合物", "甲醛"}
    assert import_file(SYSTEM, "chemicals", fixed, "c.csv").unchanged == 3


def test_energy_data_is_imported_by_the_energy_department_only(make_enterprise, make_regulator):
    import pytest

    from platform.core.errors import PermissionDenied

    firm = make_enterprise("450100")
    energy = csv_file([["统一社会信用代码", "年份", "综合能耗（tce）", "产品", "单位产品能耗", "限额值", "限额标准"],
                       [firm.uscc, "2025", "86000", "水泥熟料", "118", "117", "GB 16780-2021"]])
    with pytest.raises(PermissionDenied, match="发展改革部门导入"):
        import_file(make_regulator("450100", "ecology_environment"), "energy", energy, "e.csv")
    assert import_file(make_regulator("450100", "development_reform"), "energy", energy, "e.csv").created == 1


def test_the_priority_chemicals_are_reference_data_with_their_sources(app):
    from platform.core.reference.models import PriorityChemical

    chemicals = {c.code: c for c in db.session.scalars(select(PriorityChemical)) if c.code}
    assert chemicals["PC006"].name == "二氯甲烷" and chemicals["PC006"].cas_numbers == ["75-09-2"]
    assert chemicals["PC010"].cas is None  # 六价铬化合物: a group, no CAS in the list
    assert "2017年第83号" in chemicals["PC001"].source
    batch2 = db.session.scalars(select(PriorityChemical).where(PriorityChemical.batch == 2)).all()
    assert batch2 and all("2020年第47号" in c.source for c in batch2)


def test_the_list_holds_both_batches_entry_by_entry(app):
    from platform.core.reference.models import PriorityChemical
    from platform.core.reference.services import priority_chemical

    chemicals = {c.code: c for c in db.session.scalars(select(PriorityChemical))}
    assert sorted(chemicals) == [f"PC{n:03d}" for n in range(1, 41)]  # 22 of 2017, 18 of 2020, all numbered
    assert {c.batch for code, c in chemicals.items() if code <= "PC022"} == {1}
    assert {c.batch for code, c in chemicals.items() if code >= "PC023"} == {2}
    assert (chemicals["PC021"].name, chemicals["PC022"].name) == ("四氯乙烯", "乙醛")
    # a group: each of its members' CAS numbers finds it
    assert priority_chemical("50-32-8").code == priority_chemical("53-70-3").code == "PC028"
    assert priority_chemical("118-74-1").code == "PC034" and priority_chemical("7440-28-0").code == "PC037"
    assert chemicals["PC036"].name == "氰化物" and chemicals["PC036"].cas is None


def test_reloading_the_list_updates_an_older_database_in_place(app, make_enterprise):
    """A database loaded from the earlier file (batch 2 without codes, two names since corrected) is
    brought up to date by `flask reference-load`; a declaration keeps its entry; a second load changes nothing."""
    from platform.core.reference.models import PriorityChemical
    from platform.core.reference.services import load_reference_data, priority_chemical
    from platform.listing.models import ChemicalDeclaration

    pah, dioxins, toluene = priority_chemical("PC028"), priority_chemical("PC029"), priority_chemical("PC030")
    try:
        pah.code, pah.name, pah.cas = None, "苯并[a]芘", "50-32-8"
        dioxins.code, dioxins.name = None, "多氯二苯并对二噁英和多氯二苯并呋喃（二噁英）"
        db.session.delete(toluene)
        db.session.flush()
        firm = make_enterprise("450100")
        db.session.add(ChemicalDeclaration(enterprise_id=firm.id, chemical_id=pah.id, kind="use",
                                           amount_t=Decimal("0.5"), year=2025))
        db.session.commit()

        assert load_reference_data() == 3
        db.session.commit()
        declared = db.session.scalar(select(ChemicalDeclaration))
        assert declared.chemical_id == pah.id and declared.chemical.code == "PC028"
        assert declared.chemical.name.startswith("多环芳烃类物质，包括：") and "50-32-8" in declared.chemical.cas_numbers
        assert priority_chemical("PC029").id == dioxins.id and dioxins.name == "多氯二苯并对二噁英和多氯二苯并呋喃"
        assert priority_chemical("甲苯").code == "PC030"
        assert db.session.scalar(select(func.count(PriorityChemical.id))) == 40
        assert load_reference_data() == 0
    finally:
        db.session.rollback()
        db.session.execute(delete(ChemicalDeclaration))
        load_reference_data()
        db.session.commit()
