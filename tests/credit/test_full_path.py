"""The whole path through HTTP, at today's date: an overdue case is penalized (API), approved (API),
published (CLI, HTTP channel), shown to the public, repaired (enterprise and regulator pages),
withdrawn at the channel and gone from the public pages."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from platform.core.dates import beijing_today
from platform.core.auditlog.models import AuditLog
from platform.core.extensions import db

from credit_world import PDF

TODAY = beijing_today()
LISTED_ON = TODAY - timedelta(days=300)
DECIDED_ON = TODAY - timedelta(days=150)  # general: repairable after 3 months, published for a year


@pytest.mark.config(CREDIT_CHANNEL="http", CREDIT_CHANNEL_TIMEOUT=0.8)
def test_case_overdue_to_penalty_to_publication_to_repair_to_withdrawal(
        app, world, overdue_case, sink, token, client, client_for):
    case = overdue_case(listed_on=LISTED_ON)
    enterprise = world.ent_a
    cli = app.test_cli_runner()

    created = client.post(f"/api/v1/cases/{case.id}/penalty", headers=token(world.regulator_a), json={
        "decision_no": "南环罚〔2026〕101号", "decided_on": DECIDED_ON.isoformat(), "fine_yuan": 95000,
        "facts": "列入强制性清洁生产审核名单后逾期未公开企业信息，经责令限期整改仍未改正。",
        "legal_basis": "《中华人民共和国清洁生产促进法》第十七条第二款、第三十六条"})
    assert created.status_code == 201, created.get_json()
    record_id, key = created.get_json()["id"], created.get_json()["key"]
    assert client.get("/api/v1/cases?status=penalized", headers=token(world.regulator_a)).get_json()["total"] == 1

    assert cli.invoke(args=["credit", "publish"]).exit_code == 0
    assert sink.received == [], "nothing goes out before approval"
    approved = client.post(f"/api/v1/credit-records/{record_id}/approve", headers=token(world.province))
    assert approved.status_code == 200 and approved.get_json()["state"] == "approved"

    published = cli.invoke(args=["credit", "publish"])
    assert "送达 1 条（公示 1、撤下 0）" in published.output, published.output
    assert list(sink.accepted) == [key] and sink.accepted[key]["decision_no"] == "南环罚〔2026〕101号"
    assert sink.accepted[key]["fine_wan_yuan"] == "9.5"

    listing = client.get(f"/api/v1/credit-records?q={enterprise.uscc}").get_json()
    assert listing["total"] == 1 and listing["items"][0]["key"] == key
    assert "南环罚〔2026〕101号" in client.get(f"/credit?q={enterprise.name}").get_data(as_text=True)
    assert "南环罚〔2026〕101号" in client.get(f"/audit-status/{enterprise.uscc}").get_data(as_text=True)

    company = client_for(world.enterprise_a)
    assert "申请信用修复" in company.get("/credit/mine").get_data(as_text=True)
    applied = company.post(f"/credit/records/{record_id}/repair", content_type="multipart/form-data", data={
        "correction": "已缴纳罚款，公开了企业信息并开展清洁生产审核。", "proof": (io.BytesIO(PDF), "整改证明.pdf"),
        "paid_yuan": "95000", "paid_on": DECIDED_ON.isoformat(), "voucher": (io.BytesIO(PDF), "缴款凭证.pdf"),
        "commitment": "本企业承诺所提交材料真实有效，愿意承担违反承诺的相应责任。", "commitment_public": "y"})
    assert applied.status_code == 302, applied.get_data(as_text=True)

    regulator = client_for(world.regulator_a)
    dashboard = regulator.get("/credit/dashboard").get_data(as_text=True)
    assert "待审核的信用修复申请" in dashboard and enterprise.name in dashboard
    repair_id = int(dashboard.split("/credit/repairs/")[1].split('"')[0])
    assert client_for(world.regulator_b).post(f"/credit/repairs/{repair_id}", data={"decision": "approve"}).status_code == 404
    decided = regulator.post(f"/credit/repairs/{repair_id}", data={"decision": "approve", "reason": ""})
    assert decided.status_code == 302

    assert client.get(f"/api/v1/credit-records?q={enterprise.uscc}").get_json()["total"] == 0
    assert "南环罚〔2026〕101号" not in client.get("/credit").get_data(as_text=True)
    assert "南环罚〔2026〕101号" not in client.get(f"/audit-status/{enterprise.uscc}").get_data(as_text=True)
    assert client.get(f"/credit/r/{key}").status_code == 404

    withdrawn = cli.invoke(args=["credit", "publish"])
    assert "撤下 1" in withdrawn.output, withdrawn.output
    assert list(sink.withdrawn) == [f"{key}-withdraw"]
    assert sink.withdrawn[f"{key}-withdraw"]["withdrawal_reason"] == "信用修复"
    assert sink.resent_after_ack == 0 and len(sink.received) == 2

    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"penalty.create", "credit_record.approve", "credit_repair.apply", "credit_repair.approved",
            "credit_record.withdraw", "credit.publish"} <= actions
