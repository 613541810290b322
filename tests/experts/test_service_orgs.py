"""Service organisations: the registry, the rounds they serve, and their public track record."""
from datetime import date

import pytest
from expert_helpers import FAR
from sqlalchemy import select

from platform.audits import services as audits
from platform.enterprises.uscc import make as make_uscc
from platform.core.errors import PermissionDenied
from platform.experts import engagements, services
from platform.experts.models import ServiceEngagement, ServiceOrg
from platform.core.extensions import db

ORG_PHONE = "0771-5550199"


def test_the_province_regulator_registers_organisations(world, client_for):
    data = {"name": "广西碧水清洁生产技术咨询有限公司", "uscc": make_uscc("450100", 6001), "division_code": "450100",
            "contact_person": "韦经理", "contact_phone": ORG_PHONE, "username": world.service_org.username}
    assert client_for(world.regulator_a).post("/service-orgs/new", data=data).status_code == 403
    response = client_for(world.province).post("/service-orgs/new", data=data)
    assert response.status_code == 302
    org = db.session.scalar(select(ServiceOrg))
    assert org.user_id == world.service_org.id
    again = client_for(world.province).post("/service-orgs/new", data=data)
    assert again.status_code == 422 and "已登记" in again.get_data(as_text=True)
    mine = client_for(world.service_org).get("/service-orgs/mine").get_data(as_text=True)
    assert "广西碧水清洁生产技术咨询有限公司" in mine


def test_the_track_record_counts_every_review_of_the_rounds_served(world, listed, advance, make_org, client,
                                                                 client_for, pdf):
    org = make_org("南宁绿源咨询有限公司", username=world.service_org.username)
    idle = make_org("柳州无业绩咨询有限公司", city="450200")
    first = advance(listed(world.ent_a), "auditing")
    chosen = client_for(world.enterprise_a).post("/reviews/mine", data={"service_org_id": str(org.id)})
    engagement = db.session.scalar(select(ServiceEngagement))
    assert chosen.status_code == 302 and db.session.get(type(first), first.id).service_org_id is None
    client_for(world.service_org).post(f"/service-orgs/mine/engagements/{engagement.id}/confirm", data={})
    assert db.session.get(type(first), first.id).service_org_id == org.id
    audits.submit_report(world.enterprise_a, first, on=date(2026, 2, 1), data=pdf, filename="审核报告.pdf",
                         today=date(2026, 2, 1))
    audits.begin_evaluation(world.regulator_a, first, on=date(2026, 3, 1), today=FAR)
    # failed once, passed on a revised report, then accepted
    audits.conclude_evaluation(world.regulator_a, first, on=date(2026, 3, 5), passed=False, opinion="方案论证不足",
                               today=FAR)
    audits.submit_report(world.enterprise_a, first, on=date(2026, 3, 10), data=pdf, filename="修改稿.pdf", today=date(2026, 3, 10))
    audits.begin_evaluation(world.regulator_a, first, on=date(2026, 3, 12), today=FAR)
    audits.conclude_evaluation(world.regulator_a, first, on=date(2026, 3, 20), passed=True, today=FAR)
    audits.request_acceptance(world.enterprise_a, first, on=date(2026, 10, 1), today=date(2026, 10, 1))
    audits.conclude_acceptance(world.regulator_a, first, on=date(2026, 11, 1), passed=True, today=FAR)
    second = advance(listed(world.ent_b), "acceptance")
    engagements.set_directly(world.regulator_b, second, org.id, "核查委托合同")
    audits.conclude_acceptance(world.regulator_b, second, on=date(2026, 11, 1), passed=False, opinion="绩效不实",
                               today=FAR)
    db.session.commit()

    records = services.track_records([org.id, idle.id])
    assert records[org.id] == {"rounds": 2, "evaluations": 3, "evaluations_passed": 2, "acceptances": 2, "accepted": 1,
                               "evaluation_pass_rate": 0.6667, "acceptance_pass_rate": 0.5}
    assert records[idle.id]["rounds"] == 0 and records[idle.id]["evaluation_pass_rate"] is None

    page = client.get("/service-orgs").get_data(as_text=True)
    assert "66.7%" in page and "50.0%" in page and ORG_PHONE not in page
    detail = client.get(f"/service-orgs/{org.id}").get_data(as_text=True)
    assert world.ent_a.name in detail and world.ent_b.name in detail and ORG_PHONE not in detail
    api = client.get("/api/v1/service-orgs?q=绿源").get_json()
    assert api["total"] == 1 and api["items"][0]["acceptance_pass_rate"] == 0.5
    assert ORG_PHONE not in str(api)


def test_an_enterprise_proposes_only_for_its_own_rounds_and_only_its_regulators_set_one(world, listed, make_org):
    round_ = listed(world.ent_a)
    org = make_org(username=world.service_org.username)
    engagements.confirm(world.service_org, engagements.propose(world.enterprise_a, round_, org.id))
    assert round_.service_org_id == org.id
    engagements.set_directly(world.regulator_a, round_, None, "企业自行审核，经核实")
    assert round_.service_org_id is None
    with pytest.raises(PermissionDenied):
        engagements.propose(world.enterprise_b, round_, org.id)
    with pytest.raises(PermissionDenied):
        engagements.set_directly(world.regulator_b, round_, org.id, "核查")
