"""A city regulator sees and acts only on its own city's enterprises; an enterprise only on itself."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from foundation_helpers import audit_count, text
from platform.accounts.services import issue_token
from platform.enterprises import services
from platform.enterprises.models import Enterprise
from platform.enterprises.uscc import make
from platform.core.errors import NotFound, PermissionDenied
from platform.core.extensions import db
from platform.core.access import ANONYMOUS, SYSTEM


def _visible_names(user) -> set[str]:
    return set(db.session.scalars(select(Enterprise.name).where(services.scope_clause(user))))


# --- services ----------------------------------------------------------------------------------

def test_a_city_regulator_sees_only_its_own_citys_enterprises(world):
    assert _visible_names(world.regulator_a) == {world.ent_a.name}
    assert _visible_names(world.regulator_b) == {world.ent_b.name}


def test_the_province_regulator_and_the_admin_see_every_city(world):
    assert _visible_names(world.province) == {world.ent_a.name, world.ent_b.name}
    assert _visible_names(world.admin) == {world.ent_a.name, world.ent_b.name}


def test_an_enterprise_user_sees_only_its_own_enterprise(world):
    assert _visible_names(world.enterprise_a) == {world.ent_a.name}
    assert services.get_visible(world.enterprise_a, world.ent_a.id) is world.ent_a
    with pytest.raises(NotFound):
        services.get_visible(world.enterprise_a, world.ent_b.id)


@pytest.mark.parametrize("role", ["expert", "service_org"])
def test_experts_and_service_organisations_see_no_enterprise_in_the_registry(world, role):
    assert _visible_names(getattr(world, role)) == set()
    with pytest.raises(PermissionDenied):
        services.search(getattr(world, role))


def test_nobody_logged_out_sees_any_enterprise(world):
    assert _visible_names(ANONYMOUS) == set()


def test_a_city_regulator_cannot_open_another_citys_enterprise(world):
    with pytest.raises(NotFound):
        services.get_visible(world.regulator_a, world.ent_b.id)


def test_an_unknown_enterprise_is_not_found(world):
    with pytest.raises(NotFound):
        services.get_visible(world.admin, 999_999)


def test_a_city_regulator_cannot_change_another_citys_enterprise(world):
    log_before = audit_count()
    with pytest.raises(PermissionDenied):
        services.update(world.regulator_a, world.ent_b, {"name": "被改名的企业"})
    db.session.rollback()
    assert db.session.get(Enterprise, world.ent_b.id).name == "柳州乙化工有限公司"
    assert audit_count() == log_before


def test_a_city_regulator_cannot_move_its_enterprise_into_another_city(world):
    with pytest.raises(PermissionDenied) as caught:
        services.update(world.regulator_a, world.ent_a, {"division_code": "450202"})
    assert caught.value.field == "division_code"
    assert world.ent_a.city_code == "450100"


def test_a_city_regulator_cannot_register_an_enterprise_in_another_city(world):
    raw = {"name": "越权登记企业", "uscc": make("450200", 123), "division_code": "450200", "industry_code": "3130"}
    with pytest.raises(PermissionDenied):
        services.create(world.regulator_a, raw)


def test_the_province_regulator_may_change_any_citys_enterprise(world):
    assert services.update(world.province, world.ent_b, {"name": "柳州乙化工集团有限公司"})
    assert world.ent_b.name == "柳州乙化工集团有限公司"


def test_an_enterprise_cannot_use_the_regulators_edit(world):
    with pytest.raises(PermissionDenied):
        services.update(world.enterprise_a, world.ent_a, {"name": "自己改名"})


def test_an_enterprise_keeps_its_own_contact_data_but_not_another_enterprises(world):
    assert services.update_own_profile(world.enterprise_a, world.ent_a, {"contact_phone": "0771-5551234"})
    with pytest.raises(PermissionDenied):
        services.update_own_profile(world.enterprise_a, world.ent_b, {"contact_phone": "0771-5551234"})


def test_an_enterprise_cannot_change_its_name_or_flags_through_its_profile(world):
    services.update_own_profile(world.enterprise_a, world.ent_a,
                                {"name": "自己改名", "two_high": True, "address": "南宁市西乡塘区 1 号"})
    assert world.ent_a.name == "南宁甲钢铁有限公司"
    assert world.ent_a.two_high is False
    assert world.ent_a.address == "南宁市西乡塘区 1 号"


# --- HTTP: the registry pages --------------------------------------------------------------------

def test_the_city_regulators_list_shows_only_its_city(world, client_for):
    html = text(client_for(world.regulator_a).get("/enterprises/"))
    assert world.ent_a.name in html and world.ent_b.name not in html


def test_asking_the_list_for_another_city_shows_nothing_of_it(world, client_for):
    html = text(client_for(world.regulator_a).get("/enterprises/?city=450200"))
    assert world.ent_b.name not in html
    assert "没有符合条件的企业" in html


def test_the_list_search_finds_a_name_whatever_the_case_of_its_latin_letters(world, client_for, make_enterprise):
    make_enterprise("450100", name="ABB（南宁）电气有限公司")
    html = text(client_for(world.regulator_a).get("/enterprises/?q=abb"))
    assert "ABB（南宁）电气有限公司" in html


def test_the_list_search_takes_percent_and_underscore_literally(world, client_for):
    assert world.ent_a.name not in text(client_for(world.regulator_a).get("/enterprises/?q=%25_"))
    assert world.ent_a.name in text(client_for(world.regulator_a).get("/enterprises/?q=钢铁"))


def test_searching_for_another_citys_code_finds_nothing(world, client_for):
    html = text(client_for(world.regulator_a).get(f"/enterprises/?q={world.ent_b.uscc}"))
    assert world.ent_b.name not in html


@pytest.mark.parametrize("path", ["/enterprises/{id}", "/enterprises/{id}/edit"])
def test_a_city_regulator_gets_404_on_another_citys_pages_as_for_a_missing_one(world, client_for, path):
    response = client_for(world.regulator_a).get(path.format(id=world.ent_b.id))
    assert response.status_code == 404
    missing = client_for(world.regulator_a).get(path.format(id=999999))
    assert text(missing) == text(response)  # the same words: the id tells nothing
    assert world.ent_b.uscc not in text(response)


def test_a_city_regulator_cannot_post_an_edit_to_another_citys_enterprise(world, client_for):
    log_before = audit_count()
    response = client_for(world.regulator_a).post(f"/enterprises/{world.ent_b.id}/edit", data={
        "name": "被改名的企业", "uscc": world.ent_b.uscc, "division_code": "450200", "industry_code": "3130"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Enterprise, world.ent_b.id).name == "柳州乙化工有限公司"
    assert audit_count() == log_before


def test_the_excel_export_holds_only_the_regulators_city(world, client_for, make_enterprise):
    make_enterprise("450100", name="南宁丙糖业有限公司")
    response = client_for(world.regulator_a).get("/enterprises/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("企业名录（南宁市；数据截至 ") and sheet.freeze_panes == "A3"
    rows = rows[1:]
    assert rows[0][:2] == ("企业名称", "统一社会信用代码")
    assert sorted(r[0] for r in rows[1:]) == sorted(["南宁甲钢铁有限公司", "南宁丙糖业有限公司"])
    assert world.ent_b.uscc not in {r[1] for r in rows[1:]}


def test_the_export_never_carries_contact_data(world, client_for):
    services.update_own_profile(world.enterprise_a, world.ent_a, {"contact_phone": "0771-5551234"})
    db.session.commit()
    response = client_for(world.admin).get("/enterprises/export.xlsx")
    cells = {c for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True) for c in row}
    assert "0771-5551234" not in cells


def test_a_name_that_looks_like_a_formula_is_exported_as_text(world, client_for):
    services.update(world.admin, world.ent_a, {"name": "=HYPERLINK(\"http://evil.example\")有限公司"})
    db.session.commit()
    sheet = load_workbook(io.BytesIO(client_for(world.admin).get("/enterprises/export.xlsx").data)).active
    cell = next(c for c in sheet["A"] if "HYPERLINK" in str(c.value))
    assert cell.data_type == "s" and cell.value.startswith("'=")


@pytest.mark.parametrize("role", ["province", "admin"])
def test_the_province_regulator_and_the_admin_list_every_city(world, client_for, role):
    html = text(client_for(getattr(world, role)).get("/enterprises/"))
    assert world.ent_a.name in html and world.ent_b.name in html
    assert client_for(getattr(world, role)).get(f"/enterprises/{world.ent_b.id}/edit").status_code == 200


def test_an_enterprise_user_sees_its_own_profile_and_not_the_registry(world, client_for):
    client = client_for(world.enterprise_a)
    mine = client.get("/enterprises/mine")
    assert mine.status_code == 200
    assert world.ent_a.name in text(mine) and world.ent_b.name not in text(mine)
    for path in ("/enterprises/", f"/enterprises/{world.ent_a.id}", "/enterprises/export.xlsx", "/enterprises/new"):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("role", ["expert", "service_org", "public"])
@pytest.mark.parametrize("path", ["/enterprises/", "/enterprises/{id}", "/enterprises/{id}/edit",
                                  "/enterprises/export.xlsx", "/enterprises/new", "/enterprises/import",
                                  "/enterprises/mine"])
def test_other_roles_get_403_on_registry_pages(world, client_for, make_user, role, path):
    user = make_user("public") if role == "public" else getattr(world, role)
    response = client_for(user).get(path.format(id=world.ent_a.id))
    assert response.status_code == 403
    assert "无权访问" in text(response)


@pytest.mark.parametrize("path", ["/enterprises/", "/enterprises/1", "/enterprises/mine", "/enterprises/export.xlsx",
                                  "/admin/users", "/admin/audit-log/", "/account/password"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_an_enterprise_user_edits_only_its_contact_data_over_http(world, client_for):
    response = client_for(world.enterprise_a).post("/enterprises/mine", data={
        "legal_representative": "张三", "address": "南宁市良庆区 8 号", "contact_person": "李四",
        "contact_phone": "0771-5551234", "name": "自己改名"})
    assert response.status_code == 302
    db.session.expire_all()
    enterprise = db.session.get(Enterprise, world.ent_a.id)
    assert (enterprise.legal_representative, enterprise.contact_phone, enterprise.name) == (
        "张三", "0771-5551234", "南宁甲钢铁有限公司")


# --- HTTP: the JSON API ------------------------------------------------------------------------

def _api_names(client, user) -> set[str]:
    token = issue_token(SYSTEM, user, "test")
    db.session.commit()
    response = client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return {item["name"] for item in response.json["items"]}


def test_the_api_lists_only_the_city_regulators_enterprises(world, client):
    assert _api_names(client, world.regulator_a) == {world.ent_a.name}


def test_asking_the_api_for_another_city_gives_nothing(world, client):
    token = issue_token(SYSTEM, world.regulator_a, "test")
    db.session.commit()
    response = client.get("/api/v1/enterprises?city=450200", headers={"Authorization": f"Bearer {token}"})
    assert (response.json["items"], response.json["total"]) == ([], 0)


def test_the_api_lists_every_city_for_the_province(world, client):
    assert _api_names(client, world.province) == {world.ent_a.name, world.ent_b.name}


def test_the_api_refuses_another_citys_enterprise_by_code(world, client):
    token = issue_token(SYSTEM, world.regulator_a, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/enterprises/{world.ent_a.uscc}", headers=headers).status_code == 200
    response = client.get(f"/api/v1/enterprises/{world.ent_b.uscc}", headers=headers)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert world.ent_b.name not in response.get_data(as_text=True)
