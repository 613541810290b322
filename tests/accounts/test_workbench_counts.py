"""The workbench counts the lists that wait for a regulator in the features that keep them — list
proposals, certifications, 两高 warnings, knowledge documents — each in the viewer's city and
department, with a link to the list page that shows those very rows."""
import re
from datetime import date
from decimal import Decimal

import pytest

from platform.accounts import services as accounts
from platform.audits import certifications
from platform.core.access import SYSTEM
from platform.core.extensions import db
from platform.knowledge import services as knowledge
from platform.listing import services as listing
from platform.listing.models import MonitoringRecord
from platform.projects import services as projects

AS_OF = date(2026, 6, 30)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _counts(client) -> dict[str, tuple[int, str]]:
    """label -> (count, link) as the workbench shows them."""
    page = client.get("/workbench")
    assert page.status_code == 200
    found = re.findall(r'<a href="([^"]+)"><span class="count[^"]*">(\d+)</span> ([^<]+)</a>', page.get_data(as_text=True))
    return {label.strip(): (int(count), link.replace("&amp;", "&")) for link, count, label in found}


def _regulator(name: str, city: str, department: str = "ecology_environment"):
    user = accounts.create_user(SYSTEM, username=name, password="Passw0rd-test", role="regulator",
                                division_code=city, department=department)
    db.session.commit()
    return user


@pytest.fixture
def proposals(world, make_enterprise):
    """南宁's ecology proposal returned by the province; 柳州's submitted and waiting to be confirmed."""
    for city, name in (("450100", "南宁超标化工有限公司"), ("450200", "柳州超标冶炼有限公司")):
        firm = make_enterprise(city, name=name)
        db.session.add(MonitoringRecord(enterprise_id=firm.id, pollutant="氨氮", measured_on=date(2026, 3, 3),
                                        measured_value=Decimal("12"), limit_value=Decimal("8"), unit="mg/L"))
    db.session.commit()
    returned = listing.start(world.regulator_a, as_of=AS_OF)
    listing.submit(world.regulator_a, returned)
    listing.return_proposal(world.province, returned, "请补充企业名单的理由。")
    submitted = listing.start(world.regulator_b, as_of=AS_OF)
    listing.submit(world.regulator_b, submitted)
    db.session.commit()
    return returned, submitted


def test_list_proposals_waiting_for_the_city_to_revise_and_for_the_province_to_confirm(world, client_for, proposals):
    returned, submitted = proposals
    count, link = _counts(client_for(world.regulator_a))["被退回、待修改后重新提交的名单"]
    assert (count, link) == (1, "/listing/proposals?waiting=1")
    shown = client_for(world.regulator_a).get(link).get_data(as_text=True)
    assert f"第 {returned.id} 号" in shown and "待修改后重新提交" in shown
    assert _counts(client_for(world.regulator_b))["被退回、待修改后重新提交的名单"][0] == 0  # 柳州's is submitted

    count, link = _counts(client_for(world.province))["待核定的名单"]
    assert count == 1
    shown = client_for(world.province).get(link).get_data(as_text=True)
    assert f"第 {submitted.id} 号" in shown and f"第 {returned.id} 号" not in shown
    # The province's energy department confirms its own department's proposals only.
    energy = _regulator("province-energy", "450000", "development_reform")
    assert _counts(client_for(energy))["待核定的名单"][0] == 0
    # A department that proposes no lists sees no such count.
    agriculture = _counts(client_for(_regulator("nn-agriculture", "450100", "agriculture")))
    assert not {"待核定的名单", "被退回、待修改后重新提交的名单"} & set(agriculture)


def test_certifications_waiting_for_confirmation_in_the_regulators_city(world, client_for):
    certifications.record(world.enterprise_a, world.ent_a, certificate_no="CQC25CP0123", certifying_body="中国质量认证中心",
                          certified_on=date(2025, 1, 15), scope="冷轧钢板生产线的清洁生产", data=PDF,
                          filename="证书.pdf", today=date(2025, 3, 20))
    db.session.commit()
    count, link = _counts(client_for(world.regulator_a))["待核实的评价认证"]
    assert (count, link) == (1, "/audits/certifications")
    assert world.ent_a.name in client_for(world.regulator_a).get(link).get_data(as_text=True)
    assert _counts(client_for(world.regulator_b))["待核实的评价认证"][0] == 0
    assert _counts(client_for(world.province))["待核实的评价认证"][0] == 1


def test_two_high_projects_with_warnings_in_scope(world, client_for):
    development = _regulator("nn-development", "450100", "development_reform")
    project = projects.create(development, {"uscc": world.ent_a.uscc, "name": "年产120万吨转炉炼钢项目",
                                            "sector": "steel_bof", "capacity": "120", "capacity_unit": "万吨/年",
                                            "stage": "planned"})
    db.session.commit()
    counts = _counts(client_for(world.regulator_a))
    assert counts["有预警的项目：缺少产能置换方案"] == (1, "/two-high/?warning=no_replacement")
    assert counts["有预警的项目：严控行业拟建项目"][0] == 1 and counts["有预警的项目：能效劣于基准水平"][0] == 0
    assert project.name in client_for(world.regulator_a).get("/two-high/?warning=no_replacement").get_data(as_text=True)
    assert _counts(client_for(world.regulator_b))["有预警的项目：缺少产能置换方案"][0] == 0
    agriculture = _counts(client_for(_regulator("nn-agri", "450100", "agriculture")))
    assert not any(label.startswith("有预警的项目") for label in agriculture)


def test_knowledge_documents_waiting_for_a_second_province_regulator(world, client_for):
    author = _regulator("province-author", "450000")
    document = knowledge.create(author, {"kind": "audit_guide", "title": "清洁生产审核指南", "issuer": "生态环境部",
                                         "issued_on": date(2018, 4, 12), "summary": "摘要。", "body": "正文。"})
    knowledge.submit(author, document)
    db.session.commit()
    count, link = _counts(client_for(world.province))["待审批的知识库文件"]
    assert (count, link) == (1, "/admin/knowledge?status=pending")
    assert "清洁生产审核指南" in client_for(world.province).get(link).get_data(as_text=True)
    assert _counts(client_for(author))["待审批的知识库文件"][0] == 0  # not one's own
    assert "待审批的知识库文件" not in _counts(client_for(world.regulator_a))  # the province approves
