"""The expert pool: self-registration, the province regulator's decisions, the public directory on both backends."""
import pytest
from expert_helpers import EMAIL, PHONE
from sqlalchemy import select

from platform.accounts.models import User
from platform.core.auditlog.models import AuditLog
from platform.enterprises.uscc import make as make_uscc
from platform.core.errors import PermissionDenied, ValidationError
from platform.experts import services
from platform.experts.models import Expert
from platform.core.extensions import db

EMPLOYER = make_uscc("450100", 424242, "1", "2")


def registration(**overrides) -> dict:
    return {"username": "wang.expert", "password": "Qingjie2026x", "confirm": "Qingjie2026x", "name": "王清洁",
            "title": "教授级高级工程师", "employer": "广西壮族自治区环境保护科学研究院", "employer_uscc": EMPLOYER,
            "industry_codes": ["31", "32"], "fields": "冶金节能、烟气治理", "qualifications": "注册环保工程师",
            "years_of_practice": "18", "phone": PHONE, "email": EMAIL,
            "conflicts": f"{make_uscc('450200', 77)} 柳州某钢铁有限公司 曾任技术顾问", **overrides}


def test_an_expert_signs_up_with_an_account_and_a_pending_profile(client):
    response = client.post("/experts/register", data=registration())
    assert response.status_code == 302 and response.headers["Location"].endswith("/experts/me")
    expert = db.session.scalar(select(Expert).where(Expert.name == "王清洁"))
    assert expert.status == "pending" and expert.user.role == "expert" and expert.user.username == "wang.expert"
    assert expert.industry_codes == ["31", "32"] and expert.employer_uscc == EMPLOYER
    assert [c.uscc for c in expert.conflicts] == [make_uscc("450200", 77)]
    page = client.get("/experts/me").get_data(as_text=True)  # logged in at once
    assert "待审核" in page and PHONE in page
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "expert.register"))
    assert PHONE not in str(log.after) and EMAIL not in str(log.after)


def test_sign_up_errors_are_named_per_field_in_chinese_and_create_nothing(client):
    response = client.post("/experts/register", data=registration(
        employer_uscc="91450100MA5K00000X", industry_codes=[], years_of_practice="很多", phone="abc"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("校验位错误", "请至少选择一个专业行业", "从业年限应为", "联系电话格式不正确"):
        assert message in page
    assert "Not a valid" not in page
    weak = client.post("/experts/register", data=registration(password="short", confirm="short"))
    assert weak.status_code == 422 and "密码至少需要" in weak.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "wang.expert")) is None
    assert db.session.scalar(select(Expert)) is None


def test_the_province_regulator_approves_suspends_and_retires_with_reasons(world, make_expert, client_for):
    expert = make_expert("李明", status="pending")
    city = client_for(world.regulator_a).post(f"/experts/pool/{expert.id}/decide", data={"action": "approve"})
    assert city.status_code == 403 and expert.status == "pending"
    with pytest.raises(PermissionDenied, match="自治区监管部门"):
        services.decide(world.regulator_a, expert, "approve")

    province = client_for(world.province)
    assert province.post(f"/experts/pool/{expert.id}/decide", data={"action": "approve"}).status_code == 302
    assert db.session.get(Expert, expert.id).status == "approved"
    province.post(f"/experts/pool/{expert.id}/decide", data={"action": "suspend", "reason": ""})
    assert db.session.get(Expert, expert.id).status == "approved"  # a suspension needs a reason
    province.post(f"/experts/pool/{expert.id}/decide", data={"action": "suspend", "reason": "近一年两次无故缺席评审"})
    expert = db.session.get(Expert, expert.id)
    assert expert.status == "suspended" and expert.status_reason == "近一年两次无故缺席评审"
    with pytest.raises(ValidationError, match="不能暂停"):
        services.decide(world.province, expert, "suspend", "再次")
    services.decide(world.province, expert, "retire", "本人申请退出")
    assert expert.status == "retired"
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.object_type == "expert",
                                                               AuditLog.object_id == str(expert.id))).all()
    assert actions[-3:] == ["expert.approve", "expert.suspend", "expert.retire"]


def test_a_key_change_sends_an_approved_expert_back_for_approval_and_contact_changes_do_not(make_expert, client_for):
    expert = make_expert("赵工", industries="31")
    me = client_for(expert.user)
    form = {**services.clean(expert.snapshot()), "industry_codes": ["31"], "years_of_practice": "15"}
    assert me.post("/experts/me", data={**form, "phone": "13800001111"}).status_code == 302
    assert db.session.get(Expert, expert.id).status == "approved"
    assert me.post("/experts/me", data={**form, "phone": "13800001111", "industry_codes": ["31", "26"]}).status_code == 302
    expert = db.session.get(Expert, expert.id)
    assert expert.status == "pending" and "专业行业" in expert.status_reason
    assert expert.industry_codes == ["26", "31"]


def test_an_expert_declares_and_withdraws_conflicts(make_expert, client_for):
    expert = make_expert("钱工")
    me = client_for(expert.user)
    code = make_uscc("450300", 31)
    me.post("/experts/me/conflicts", data={"conflict_uscc": code, "organisation": "桂林某化工", "note": "亲属任职"})
    assert [c.uscc for c in db.session.get(Expert, expert.id).conflicts] == [code]
    again = me.post("/experts/me/conflicts", data={"conflict_uscc": code}, follow_redirects=True)
    assert "已申报过" in again.get_data(as_text=True)
    conflict_id = db.session.get(Expert, expert.id).conflicts[0].id
    me.post(f"/experts/me/conflicts/{conflict_id}/withdraw")
    assert db.session.get(Expert, expert.id).conflicts == []


# --- the directory, on both backends -------------------------------------------------------------------

@pytest.fixture
def pool(search_app, make_expert, drained):
    make_expert("张节能", industries="31;32", employer="广西大学", fields="冶金节能、余热回收")
    make_expert("陈化工", industries="26", employer="桂林理工大学", fields="化工安全、VOCs 治理")
    make_expert("黄待审", industries="31", status="pending")
    make_expert("周暂停", industries="31", status="suspended")
    drained()


def names(response) -> list[str]:
    return [item["name"] for item in response.get_json()["items"]]


def test_the_public_directory_finds_approved_experts_only(pool, client):
    assert names(client.get("/api/v1/experts?q=余热回收")) == ["张节能"]
    assert names(client.get("/api/v1/experts?q=广西大学")) == ["张节能"]
    assert sorted(names(client.get("/api/v1/experts?specialty=31"))) == ["张节能"]
    assert sorted(names(client.get("/api/v1/experts"))) == ["张节能", "陈化工"]
    body = client.get("/api/v1/experts?q=化工").get_json()
    assert body["total"] == 1 and body["page"] == 1
    item = body["items"][0]
    assert item["specialties"] == [{"code": "26", "name": "化学原料和化学制品制造业"}]
    assert item["title"] == "教授级高级工程师" and item["employer"] == "桂林理工大学"
    assert client.get("/api/v1/experts?specialty=abc").status_code == 422
    page = client.get("/experts?specialty=31").get_data(as_text=True)
    assert "张节能" in page and "黄待审" not in page and "周暂停" not in page


def test_contact_data_never_reaches_the_public(pool, client):
    for url in ("/api/v1/experts", "/api/v1/experts?q=张节能", "/experts", "/experts?q=节能", "/experts?specialty=31"):
        body = client.get(url).get_data(as_text=True)
        assert PHONE not in body and EMAIL not in body, url


def test_the_regulators_pool_search_filters_by_status_and_shows_contact(pool, world, client_for):
    regulator = client_for(world.regulator_a)
    pending = regulator.get("/experts/pool?status=pending").get_data(as_text=True)
    assert "黄待审" in pending and "张节能" not in pending and PHONE in pending
    everyone = regulator.get("/experts/pool?specialty=31").get_data(as_text=True)
    assert all(name in everyone for name in ("张节能", "黄待审", "周暂停")) and "陈化工" not in everyone
    assert client_for(world.enterprise_a).get("/experts/pool").status_code == 403


def test_an_approval_and_a_profile_change_reach_the_directory_through_the_queue(pool, world, client, drained):
    expert = db.session.scalar(select(Expert).where(Expert.name == "黄待审"))
    services.decide(world.province, expert, "approve")
    db.session.commit()
    drained()
    assert names(client.get("/api/v1/experts?q=黄待审")) == ["黄待审"]
    raw = {**expert.snapshot(), "industry_codes": ["31", "44"]}
    services.update_profile(expert.user, expert, raw)
    db.session.commit()
    drained()
    assert client.get("/api/v1/experts?q=黄待审").get_json()["total"] == 0  # back for approval


@pytest.mark.config(SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL="http://127.0.0.1:9")
def test_the_directory_says_so_when_search_is_down(app, client):
    response = client.get("/api/v1/experts?q=节能")
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "search_unavailable"
    assert client.get("/experts").status_code == 503
    assert client.get("/service-orgs").status_code == 200  # the rest of the pool's pages work
