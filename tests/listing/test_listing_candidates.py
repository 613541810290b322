"""Candidates by rule (《清洁生产审核办法》第八条), each with the records that made it one, on fixed dates."""
from datetime import date
from decimal import Decimal

from platform.audits import services as audits
from platform.core.access import SYSTEM
from platform.core.extensions import db
from platform.core.reference.services import priority_chemical
from platform.listing import rules
from platform.listing.candidates import evidence, generate
from platform.listing.models import ChemicalDeclaration, DischargePermit, EnergyRecord, MonitoringRecord

AS_OF = date(2026, 6, 30)


def monitoring(firm, on, value, limit="60", **totals):
    db.session.add(MonitoringRecord(enterprise_id=firm.id, pollutant="化学需氧量", measured_on=on,
                                    measured_value=Decimal(value), limit_value=Decimal(limit), unit="mg/L", **totals))
    db.session.commit()


def causes(as_of=AS_OF, **kw):
    return {c.uscc: c.causes for c in generate(as_of, **kw)}


def test_an_exceedance_within_twelve_months_makes_a_candidate_with_its_record(make_enterprise):
    over, within_limit, too_old = make_enterprise(), make_enterprise(), make_enterprise()
    monitoring(over, date(2026, 5, 12), "86.5")
    monitoring(within_limit, date(2026, 5, 12), "59.9")
    monitoring(too_old, date(2025, 6, 30), "90")  # the window is after 2025-06-30, up to 2026-06-30
    assert causes() == {over.uscc: ["over_discharge"]}
    proof = evidence([over.id], AS_OF)[over.id]["over_discharge"]
    assert proof == [{"kind": "monitoring", "id": proof[0]["id"],
                      "text": "2026-05-12 化学需氧量 监测值 86.5 mg/L，排放限值 60 mg/L（超标）"}]
    assert causes(date(2026, 5, 11)) == {too_old.uscc: ["over_discharge"]}  # before the exceedance was measured


def test_a_total_over_the_permitted_total_is_a_cause_even_within_the_concentration_limit(make_enterprise):
    firm = make_enterprise()
    monitoring(firm, date(2026, 1, 15), "40", annual_total=Decimal("132.6"), permitted_total=Decimal("120"))
    assert causes() == {firm.uscc: ["over_discharge"]}
    assert "排放量 132.6 t，许可排放量 120 t（超总量）" in evidence([firm.id], AS_OF)[firm.id]["over_discharge"][0]["text"]


def test_the_look_back_window_is_local_practice_and_configurable(app, make_enterprise):
    firm = make_enterprise()
    monitoring(firm, date(2025, 3, 1), "90")
    assert causes() == {}
    app.config["RULE_OVERRIDES"] = {"listing.monitoring_months": 24}
    assert causes() == {firm.uscc: ["over_discharge"]}
    assert rules.MONITORING_MONTHS.kind == "local_practice"


def test_energy_over_the_quota_is_a_candidate_for_the_energy_department(make_enterprise):
    over, under = make_enterprise(), make_enterprise()
    for firm, value in ((over, "118"), (under, "110")):
        db.session.add(EnergyRecord(enterprise_id=firm.id, year=2025, total_tce=Decimal("86000"), product="水泥熟料",
                                    unit_consumption=Decimal(value), unit_label="kgce/t", quota_value=Decimal("117"),
                                    quota_standard="GB 16780-2021"))
    db.session.commit()
    found = generate(AS_OF)
    assert [(c.uscc, c.causes, c.department) for c in found] == [(over.uscc, ["over_energy"], "development_reform")]
    assert evidence([over.id], AS_OF)[over.id]["over_energy"][0]["text"] == (
        "2025 年 水泥熟料 单位产品能耗 118 kgce/t，GB 16780-2021 限额值 117 kgce/t（综合能耗 86000 tce）")
    assert causes(date(2029, 1, 1)) == {}  # 2025 is outside 2027–2029


def test_the_energy_department_is_configurable(app, make_enterprise):
    app.config["RULE_OVERRIDES"] = {"listing.energy_department": "工业和信息化"}
    firm = make_enterprise()
    db.session.add(EnergyRecord(enterprise_id=firm.id, year=2025, total_tce=Decimal("5000"), product="电解铝",
                                unit_consumption=Decimal("13500"), unit_label="kWh/t", quota_value=Decimal("13350"),
                                quota_standard="GB 21346-2022"))
    db.session.commit()
    assert [c.department for c in generate(AS_OF)] == ["industry_it"]
    assert rules.causes_of("industry_it") == ["over_energy"]


def test_declared_priority_chemicals_and_key_permits_in_toxic_industries_are_toxic_candidates(make_enterprise):
    declared, plater, paper_mill, expired, simplified = (make_enterprise() for _ in range(5))
    db.session.add(ChemicalDeclaration(enterprise_id=declared.id, chemical_id=priority_chemical("二氯甲烷").id,
                                       kind="use", amount_t=Decimal("12.5"), year=2025))

    def permit(firm, number, industry, klass="key", valid_to=date(2028, 5, 31)):
        db.session.add(DischargePermit(permit_no=number, enterprise_id=firm.id, unit_name=firm.name, industry_code=industry,
                                       management_class=klass, valid_from=date(2023, 6, 1), valid_to=valid_to,
                                       issuing_authority="南宁市生态环境局"))

    permit(plater, "P-1", "3360")  # 电镀, 重点管理
    permit(paper_mill, "P-2", "2221")  # 造纸 is not on the toxic list (2211 化学木浆 is)
    permit(expired, "P-3", "2614", valid_to=date(2026, 6, 29))
    permit(simplified, "P-4", "2614", klass="simplified")
    db.session.commit()
    found = {c.uscc: c for c in generate(AS_OF)}
    assert set(found) == {declared.uscc, plater.uscc}
    assert found[plater.uscc].department == "ecology_environment"
    proof = evidence([declared.id, plater.id], AS_OF)
    assert proof[declared.id]["toxic"][0]["text"] == "2025 年申报使用二氯甲烷（PC006） 12.5 t（优先控制化学品名录第一批）"
    assert proof[plater.id]["toxic"][0]["text"].startswith("排污许可证 P-1（重点管理，行业 3360")


def test_an_enterprise_with_an_open_round_is_not_a_candidate_and_causes_combine(make_enterprise):
    busy, both = make_enterprise(), make_enterprise()
    monitoring(busy, date(2026, 5, 12), "86.5")
    monitoring(both, date(2026, 5, 12), "86.5")
    db.session.add(ChemicalDeclaration(enterprise_id=both.id, chemical_id=priority_chemical("PC009").id, kind="discharge",
                                       amount_t=Decimal("0.5"), year=2026))
    audits.list_from_import(SYSTEM, busy, date(2026, 1, 5), "往年名单", today=AS_OF)
    db.session.commit()
    found = {c.uscc: c for c in generate(AS_OF)}
    assert found[both.uscc].causes == ["over_discharge", "toxic"]
    assert found[both.uscc].department == "ecology_environment"
    assert busy.uscc not in found


def test_candidates_of_one_city(make_enterprise):
    nanning, liuzhou = make_enterprise("450100"), make_enterprise("450200")
    monitoring(nanning, date(2026, 5, 12), "86.5")
    monitoring(liuzhou, date(2026, 5, 12), "86.5")
    assert set(causes(city="450200")) == {liuzhou.uscc}
