"""An enterprise asks for an account with its USCC; a regulator of its city approves (the account is
created, linked to the enterprise, its first password set by a single-use link) or rejects with a
reason; both are in the audit log. Wrong codes, unknown codes and duplicates are refused in Chinese."""
import io
import re

import pytest
from sqlalchemy import select

from platform.accounts import requests as account_requests
from platform.accounts.models import AccountRequest, User
from platform.core.auditlog.models import AuditLog
from platform.core.errors import InvalidFields, PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.enterprises.uscc import make

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NEW = "Brand-new-passw0rd"


def _form(enterprise, **fields):
    return {"uscc": enterprise.uscc, "enterprise_name": enterprise.name, "username": "nn-steel",
            "contact_person": "韦经理", "contact_phone": "0771-5551234", "contact_email": "wei@example.com",
            "proof": (io.BytesIO(PDF), "营业执照.pdf"), **fields}


@pytest.fixture
def firm(make_enterprise):
    return make_enterprise("450100", name="南宁新申请钢铁有限公司")


def _errors(response) -> str:
    return response.get_data(as_text=True)


def test_an_enterprise_files_a_request_and_its_citys_regulator_sees_it(world, client, client_for, firm):
    response = client.post("/account-request", data=_form(firm), content_type="multipart/form-data")
    assert response.status_code == 200 and "申请已提交" in _errors(response)
    row = db.session.scalar(select(AccountRequest))
    assert (row.enterprise_id, row.city_code, row.state) == (firm.id, "450100", "pending")
    assert firm.name in client_for(world.regulator_a).get("/account-requests").get_data(as_text=True)
    assert firm.name not in client_for(world.regulator_b).get("/account-requests").get_data(as_text=True)
    assert client_for(world.regulator_b).get(f"/account-requests/{row.id}").status_code == 404
    proof = client_for(world.regulator_a).get(f"/account-requests/{row.id}/proof")
    assert proof.data == PDF


@pytest.mark.parametrize("uscc, message", [
    ("91450100MA5L0000X", "应为 18 位，当前为 17 位"),
    (make("450100", 4242)[:17] + ("0" if make("450100", 4242)[17] != "0" else "1"), "校验位错误"),
    ("91450100MA5L0000IO", "不允许的字符"),
    (make("450100", 4242), "不在平台企业名录中"),
])
def test_a_wrong_or_unknown_code_is_refused_beside_the_field(client, uscc, message, firm):
    response = client.post("/account-request", data=_form(firm, uscc=uscc), content_type="multipart/form-data")
    assert response.status_code == 422 and message in _errors(response)
    assert db.session.scalar(select(AccountRequest)) is None


def test_every_wrong_field_is_named_at_once(client, firm):
    response = client.post("/account-request", data=_form(firm, contact_email="not-an-address", contact_phone="abc",
                                                            username="x", proof=(io.BytesIO(b"hello"), "a.txt")),
                           content_type="multipart/form-data")
    page = _errors(response)
    assert response.status_code == 422
    for message in ("电子邮箱格式不正确", "联系电话格式不正确", "用户名须为 3–40 个字符", "证明材料须为 PDF 文件"):
        assert message in page


def test_a_second_request_while_one_is_pending_is_refused(firm):
    fields = dict(uscc=firm.uscc, enterprise_name=firm.name, username="nn-steel", contact_person="韦经理",
                  contact_phone="0771-5551234", contact_email="wei@example.com", data=PDF, filename="p.pdf")
    account_requests.submit(**fields)
    with pytest.raises(InvalidFields, match="已有一份待审核的账号申请"):
        account_requests.submit(**{**fields, "username": "nn-steel-2"})


def test_an_enterprise_that_has_an_account_is_told_to_use_forgotten_password(world):
    with pytest.raises(InvalidFields, match="已开通平台账号"):
        account_requests.submit(uscc=world.ent_a.uscc, enterprise_name=world.ent_a.name, username="again",
                                contact_person="甲", contact_phone="0771-5551234", contact_email="a@example.com",
                                data=PDF, filename="p.pdf")


def test_a_username_in_use_is_refused(world, firm):
    with pytest.raises(ValidationError, match="已被使用"):
        account_requests.submit(uscc=firm.uscc, enterprise_name=firm.name, username=world.admin.username,
                                contact_person="甲", contact_phone="0771-5551234", contact_email="a@example.com",
                                data=PDF, filename="p.pdf")


@pytest.fixture
def pending(firm):
    row = account_requests.submit(uscc=firm.uscc, enterprise_name=firm.name, username="nn-steel",
                                  contact_person="韦经理", contact_phone="0771-5551234", contact_email="wei@example.com",
                                  data=PDF, filename="p.pdf")
    db.session.commit()
    return row


def test_approval_creates_the_linked_account_and_hands_over_a_first_password_link(world, client_for, client, pending, firm):
    page = client_for(world.regulator_a).post(f"/account-requests/{pending.id}", data={"decision": "approve"})
    assert page.status_code == 200
    path = re.search(r'value="http://localhost(/password/reset/[^"]+)"', page.get_data(as_text=True)).group(1)
    user = db.session.scalar(select(User).where(User.username == "nn-steel"))
    assert (user.role, user.enterprise_id, user.email) == ("enterprise", firm.id, "wei@example.com")
    assert db.session.get(AccountRequest, pending.id).state == "approved"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "account_request.approve"))
    assert (entry.actor_id, entry.division_code) == (world.regulator_a.id, "450100")

    assert client.post(path, data={"new_password": NEW, "confirm": NEW}).status_code == 302
    assert client.post("/login", data={"username": "nn-steel", "password": NEW}).headers["Location"] == "/audits/mine"


@pytest.mark.config(MAIL_SERVER="smtp.test:25", MAIL_CAPTURE=True)
def test_with_smtp_the_link_is_mailed_to_the_contact(world, pending, outbox):
    from flask import current_app

    with current_app.test_request_context():
        user, token = account_requests.approve(world.province, pending)
    assert token is None
    assert [m["To"] for m in outbox] == ["wei@example.com"] and "/password/reset/" in outbox[0].get_content()


def test_rejection_needs_a_reason_and_is_recorded(world, client_for, pending):
    regulator = client_for(world.regulator_a)
    response = regulator.post(f"/account-requests/{pending.id}", data={"decision": "reject", "reason": ""})
    assert response.status_code == 422 and "请填写驳回理由" in response.get_data(as_text=True)
    assert regulator.post(f"/account-requests/{pending.id}", data={"decision": "reject", "reason": "证明材料无公章"}).status_code == 302
    row = db.session.get(AccountRequest, pending.id)
    assert (row.state, row.reason, row.user_id) == ("rejected", "证明材料无公章", None)
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.object_type == "account_request")) == "account_request.reject"
    # decided once
    response = regulator.post(f"/account-requests/{pending.id}", data={"decision": "approve"})
    assert response.status_code == 422 and "已驳回，不能再次审核" in response.get_data(as_text=True)


def test_another_citys_regulator_cannot_decide(world, pending):
    with pytest.raises(PermissionDenied):
        account_requests.reject(world.regulator_b, pending, "不是本市的")
    assert db.session.get(AccountRequest, pending.id).state == "pending"


def test_the_workbench_counts_pending_requests(world, client_for, pending):
    page = client_for(world.regulator_a).get("/workbench").get_data(as_text=True)
    assert re.search(r'state=pending"><span class="count">1</span> 待审核的企业账号申请', page)
