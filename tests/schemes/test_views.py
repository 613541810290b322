"""The scheme pages: the enterprise's form and list, the regulators' region list and its exports."""
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from platform.core.extensions import db
from platform.schemes import services
from platform.schemes.models import Scheme
from tests.schemes.builders import TODAY

FORM = {"code": "W01", "name": "照明LED改造", "category": "low_cost", "status": "completed",
        "completed_on": "2025-06-30", "planned_completion_on": "", "investment_wan_yuan": "3.5",
        "energy_tce": "12", "cod_t": "0.25"}


def test_an_enterprise_enters_a_scheme_through_the_form(world, started, client_for):
    started(world.ent_a)
    client = client_for(world.enterprise_a)
    assert client.get("/schemes/new").status_code == 200
    response = client.post("/schemes/new", data=FORM)
    assert response.status_code == 302
    scheme = db.session.scalar(select(Scheme))
    assert (scheme.code, str(scheme.energy_tce)) == ("W01", "12.0000")
    page = client.get("/schemes/mine").get_data(as_text=True)
    assert "照明LED改造" in page and "待验收核实" in page


def test_the_form_names_each_wrong_field_in_chinese(world, started, client_for):
    started(world.ent_a)
    client = client_for(world.enterprise_a)
    response = client.post("/schemes/new", data={**FORM, "cod_t": "-3", "completed_on": "2025-02-30",
                                                 "water_t": "5 立方米"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请按 YYYY-MM-DD 填写有效日期。" in page
    assert db.session.scalar(select(func.count(Scheme.id))) == 0
    response = client.post("/schemes/new", data={**FORM, "cod_t": "-3", "water_t": "5 立方米"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "COD削减量（t）不能为负数。" in page and "节水量（t）的单位应为 t" in page


def test_an_enterprise_edits_and_deletes_its_own_schemes_only(world, started, client_for):
    own = services.create(world.enterprise_a, started(world.ent_a), {**FORM, "category": "无/低费"}, today=TODAY)
    other = services.create(world.enterprise_b, started(world.ent_b), {**FORM, "category": "无/低费"}, today=TODAY)
    db.session.commit()
    client = client_for(world.enterprise_a)
    assert client.post(f"/schemes/{own.id}/edit", data={**FORM, "cod_t": "0.5"}).status_code == 302
    db.session.refresh(own)
    assert str(own.cod_t) == "0.5000"
    assert client.get(f"/schemes/{other.id}/edit").status_code == 404
    assert client.post(f"/schemes/{other.id}/delete").status_code == 404
    assert client.post(f"/schemes/{own.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count(Scheme.id))) == 1


def test_regulators_see_their_regions_schemes_and_export_them(world, started, client_for):
    services.create(world.enterprise_a, started(world.ent_a), {**FORM, "name": "南宁方案"}, today=TODAY)
    services.create(world.enterprise_b, started(world.ent_b), {**FORM, "name": "柳州方案"}, today=TODAY)
    db.session.commit()
    page = client_for(world.regulator_a).get("/schemes/").get_data(as_text=True)
    assert "南宁方案" in page and "柳州方案" not in page
    page = client_for(world.province).get("/schemes/").get_data(as_text=True)
    assert "南宁方案" in page and "柳州方案" in page
    workbook = load_workbook(io.BytesIO(client_for(world.regulator_b).get("/schemes/export.xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0].startswith("清洁生产方案（柳州市；数据截至 ")
    rows = rows[1:]
    assert [r[5] for r in rows[1:]] == ["柳州方案"] and rows[1][rows[0].index("节能量（tce）")] == 12
    csv_text = client_for(world.regulator_b).get("/schemes/export.csv").data.decode("utf-8-sig")
    assert "柳州方案" in csv_text and "南宁方案" not in csv_text


def test_a_regulator_cannot_enter_or_open_another_citys_scheme(world, started, client_for):
    scheme = services.create(world.enterprise_a, started(world.ent_a), FORM, today=TODAY)
    db.session.commit()
    assert client_for(world.regulator_a).post("/schemes/new", data=FORM).status_code == 403
    assert client_for(world.regulator_b).get(f"/schemes/{scheme.id}").status_code == 404
    assert client_for(world.regulator_a).get(f"/schemes/{scheme.id}").status_code == 200
    assert client_for(world.regulator_a).get("/schemes/mine").status_code == 403
    assert world.enterprise_a and client_for(world.enterprise_b).get(f"/schemes/{scheme.id}").status_code == 404


def test_deleting_a_scheme_asks_first(world, started, client_for):
    started(world.ent_a)
    client = client_for(world.enterprise_a)
    client.post("/schemes/new", data=FORM)
    page = client.get("/schemes/mine").get_data(as_text=True)
    assert 'data-confirm="删除方案“W01 照明LED改造”后不能恢复。确定删除？"' in page
