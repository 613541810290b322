"""A city proposes, the province confirms (核定) or returns, and publishes the list with its 文号; the
publication date starts the legal clocks, and every step is in the audit log."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from platform.audits.models import AuditRound
from platform.core.auditlog.models import AuditLog
from platform.core.errors import InvalidFields, NotFound, PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.core.reference.services import priority_chemical
from platform.listing import services
from platform.listing.models import ChemicalDeclaration, EnergyRecord, MonitoringRecord

AS_OF = date(2026, 6, 30)
PUBLISHED = date(2026, 7, 15)
TODAY = date(2026, 7, 20)


@pytest.fixture
def firms(make_enterprise):
    class Firms:
        polluter = make_enterprise("450100", name="南宁超标化工有限公司")
        toxic = make_enterprise("450100", name="南宁电镀有限公司")
        energy = make_enterprise("450100", name="南宁水泥有限公司")
        clean = make_enterprise("450100", name="南宁达标食品有限公司")
        manual = make_enterprise("450100", name="南宁人工增补印染有限公司")
        liuzhou = make_enterprise("450200", name="柳州超标冶炼有限公司")

    db.session.add_all([
        MonitoringRecord(enterprise_id=Firms.polluter.id, pollutant="氨氮", measured_on=date(2026, 3, 3),
                         measured_value=Decimal("12"), limit_value=Decimal("8"), unit="mg/L"),
        MonitoringRecord(enterprise_id=Firms.liuzhou.id, pollutant="二氧化硫", measured_on=date(2026, 3, 3),
                         measured_value=Decimal("300"), limit_value=Decimal("200"), unit="mg/m³"),
        ChemicalDeclaration(enterprise_id=Firms.toxic.id, chemical_id=priority_chemical("六价铬化合物").id, kind="use",
                            amount_t=Decimal("2.1"), year=2026),
        EnergyRecord(enterprise_id=Firms.energy.id, year=2025, total_tce=Decimal("90000"), product="水泥熟料",
                     unit_consumption=Decimal("120"), unit_label="kgce/t", quota_value=Decimal("117"),
                     quota_standard="GB 16780-2021"),
    ])
    db.session.commit()
    return Firms


@pytest.fixture
def people(make_regulator, make_user, firms):
    class People:
        nanning = make_regulator("450100", "ecology_environment")
        nanning_energy = make_regulator("450100", "development_reform")
        liuzhou = make_regulator("450200", "ecology_environment")
        province = make_regulator("450000", "ecology_environment")
        province_energy = make_regulator("450000", "development_reform")
        nanning_agriculture = make_regulator("450100", "agriculture")
        enterprise = make_user("enterprise", enterprise=firms.polluter)
    return People


def confirmed_ecology_and_energy(people):
    """南宁's ecology and energy proposals, each submitted and confirmed by its province department."""
    ecology = services.start(people.nanning, as_of=AS_OF)
    energy = services.start(people.nanning_energy, as_of=AS_OF)
    for proposal, city, province in ((ecology, people.nanning, people.province),
                                     (energy, people.nanning_energy, people.province_energy)):
        services.submit(city, proposal)
        services.confirm(province, proposal)
    return ecology, energy


def by_name(proposal):
    return {e.enterprise.name: e for e in proposal.entries}


def test_a_city_proposes_its_departments_candidates_with_their_evidence(firms, people):
    proposal = services.start(people.nanning, as_of=AS_OF)
    entries = by_name(proposal)
    assert set(entries) == {"南宁超标化工有限公司", "南宁电镀有限公司"}  # no energy firm, no 柳州 firm
    assert entries["南宁超标化工有限公司"].evidence[0]["text"] == "2026-03-03 氨氮 监测值 12 mg/L，排放限值 8 mg/L（超标）"
    assert {e.department for e in proposal.entries} == {"ecology_environment"}
    energy = services.start(people.nanning_energy, as_of=AS_OF)
    assert [(e.enterprise.name, e.department, e.cause_keys) for e in energy.entries] == [
        ("南宁水泥有限公司", "development_reform", ["over_energy"])]
    with pytest.raises(ValidationError, match="已有办理中的名单"):
        services.start(people.nanning, as_of=AS_OF)


def test_who_may_propose(firms, people):
    with pytest.raises(PermissionDenied, match="自治区主管部门负责核定"):
        services.start(people.province, as_of=AS_OF)
    with pytest.raises(PermissionDenied, match="您所在部门无此职责"):
        services.start(people.nanning_agriculture, as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        services.start(people.enterprise, as_of=AS_OF)
    proposal = services.start(people.nanning, as_of=AS_OF)
    with pytest.raises(NotFound):
        services.get_proposal(people.liuzhou, proposal.id)
    entry = proposal.entries[0]
    with pytest.raises(PermissionDenied, match="本市本部门"):
        services.decide_entry(people.nanning_energy, proposal, entry, included=False, reason="x")
    with pytest.raises(PermissionDenied):
        services.confirm(people.nanning, proposal)


def test_drop_and_add_need_reasons_and_the_province_returns_then_confirms(firms, people):
    proposal = services.start(people.nanning, as_of=AS_OF)
    toxic = by_name(proposal)["南宁电镀有限公司"]
    with pytest.raises(ValidationError, match="请填写删除理由"):
        services.decide_entry(people.nanning, proposal, toxic, included=False, reason=" ")
    services.decide_entry(people.nanning, proposal, toxic, included=False, reason="已于 2026 年 5 月停产并注销排污许可证")
    with pytest.raises(InvalidFields) as refused:
        services.add_entry(people.nanning, proposal, uscc=firms.liuzhou.uscc, cause="over_energy", reason="",
                           evidence_note="")
    assert set(refused.value.errors) == {"uscc", "cause", "reason", "evidence_note"}
    services.add_entry(people.nanning, proposal, uscc=firms.manual.uscc, cause="toxic",
                       reason="群众举报使用含铬染料", evidence_note="2026-06-12 执法检查笔录（南环执〔2026〕18号）")
    services.submit(people.nanning, proposal)
    with pytest.raises(PermissionDenied, match="应由自治区同一部门核定"):
        services.confirm(people.province_energy, proposal)
    with pytest.raises(ValidationError, match="请填写退回理由"):
        services.return_proposal(people.province, proposal, "")
    services.return_proposal(people.province, proposal, "请补充南宁人工增补印染有限公司的监测报告")
    assert proposal.state == "returned"
    with pytest.raises(ValidationError, match="不能核定"):
        services.confirm(people.province, proposal)
    services.submit(people.nanning, proposal)
    services.confirm(people.province, proposal)
    assert proposal.state == "confirmed"
    assert [e.enterprise.name for e in proposal.included] == ["南宁超标化工有限公司", "南宁人工增补印染有限公司"]


def test_publication_creates_the_rounds_with_cause_department_and_clocks(firms, people):
    ecology, energy = confirmed_ecology_and_energy(people)
    with pytest.raises(InvalidFields) as refused:
        services.publish(people.province, [ecology.id], document_no="", published_on=PUBLISHED, today=TODAY)
    assert "document_no" in refused.value.errors
    with pytest.raises(PermissionDenied):
        services.publish(people.nanning, [ecology.id], document_no="桂环函〔2026〕88号", published_on=PUBLISHED,
                         today=TODAY)
    batch = services.publish(people.province, [ecology.id, energy.id], document_no="桂环函〔2026〕88号",
                             published_on=PUBLISHED, today=TODAY)
    db.session.commit()
    assert (batch.document_no, batch.published_on, batch.division_code) == ("桂环函〔2026〕88号", PUBLISHED, "450000")
    rounds = {r.enterprise.name: r for r in batch.rounds}
    assert set(rounds) == {"南宁超标化工有限公司", "南宁电镀有限公司", "南宁水泥有限公司"}
    toxic = rounds["南宁电镀有限公司"]
    assert toxic.toxic_listed and "第八条第（三）项" in toxic.reason and "责任部门：生态环境" in toxic.reason
    assert not rounds["南宁水泥有限公司"].toxic_listed
    assert (firms.energy.over_energy_quota, firms.toxic.toxic_substances, firms.polluter.over_discharge) == (True,) * 3
    assert "责任部门：发展改革" in rounds["南宁水泥有限公司"].reason
    # Each firm owes the §11 disclosure form of the cause it was listed for, and only that one.
    assert {name: r.required_disclosures for name, r in rounds.items()} == {
        "南宁超标化工有限公司": ["over_discharge"], "南宁电镀有限公司": ["toxic"], "南宁水泥有限公司": ["over_energy"]}
    for r in rounds.values():
        assert (r.kind, r.state, r.listed_on) == ("mandatory", "listed", PUBLISHED)
        assert r.procedure == "full"  # the confirmed cause is the register's: the strict procedure
        assert (r.disclosure_due, r.start_due, r.report_due) == (date(2026, 8, 15), date(2026, 9, 15), date(2027, 7, 15))
    assert {e.round_id for e in ecology.entries} == {rounds["南宁超标化工有限公司"].id, rounds["南宁电镀有限公司"].id}
    assert ecology.state == energy.state == "published"
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.object_type == "list_proposal")))
    assert {"list_proposal.create", "list_proposal.submit", "list_proposal.confirm", "list_proposal.publish"} <= actions
    with pytest.raises(InvalidFields, match="已核定"):
        services.publish(people.province, [ecology.id], document_no="桂环函〔2026〕89号", published_on=PUBLISHED,
                         today=TODAY)


def test_an_enterprise_listed_since_the_proposal_stops_the_whole_publication(firms, people):
    from platform.audits import services as audits
    from platform.core.access import SYSTEM

    proposal = services.start(people.nanning, as_of=AS_OF)
    services.submit(people.nanning, proposal)
    services.confirm(people.province, proposal)
    audits.list_from_import(SYSTEM, firms.toxic, date(2026, 7, 1), "另案列入", today=TODAY)
    with pytest.raises(ValidationError, match="已有未完成的审核轮次"):
        services.publish(people.province, [proposal.id], document_no="桂环函〔2026〕90号", published_on=PUBLISHED,
                         today=TODAY)


def test_the_public_api_shows_the_list_with_its_document_number_causes_and_departments(client, firms, people):
    ecology, energy = confirmed_ecology_and_energy(people)
    batch = services.publish(people.province, [ecology.id, energy.id], document_no="桂环函〔2026〕88号",
                             published_on=PUBLISHED, today=TODAY)
    db.session.commit()
    listed = client.get("/api/v1/lists").get_json()
    assert listed["total"] == 1 and listed["items"][0]["document_no"] == "桂环函〔2026〕88号"
    assert listed["items"][0]["published_on"] == "2026-07-15"
    detail = client.get(f"/api/v1/lists/{batch.id}").get_json()
    firms_by_name = {f["name"]: f for f in detail["firms"]}
    assert firms_by_name["南宁水泥有限公司"]["cause"] == ["over_energy"]
    assert firms_by_name["南宁水泥有限公司"]["department"] == "development_reform"
    assert firms_by_name["南宁电镀有限公司"]["department"] == "ecology_environment"
    assert firms_by_name["南宁电镀有限公司"]["toxic_listed"] is True
    assert firms_by_name["南宁超标化工有限公司"]["disclosure_due"] == "2026-08-15"
    assert {"procedure", "uscc"} <= set(firms_by_name["南宁超标化工有限公司"])
    assert "contact_phone" not in str(detail)
    assert client.get("/api/v1/lists/999999").status_code == 404
