"""The 两高 project register (广西方案 §三): projects by stage with their energy use against the
national benchmark levels, capacity replacement, warnings, joint review, and the strict procedure."""
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from platform.audits import services as audits
from platform.core.access import SYSTEM
from platform.core.auditlog.models import AuditLog
from platform.core.errors import InvalidFields, NotFound, PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.enterprises import services as enterprises
from platform.projects import services
from platform.projects.models import ProjectStageChange, TwoHighProject
from platform.projects.rules import benchmarks, sectors


def steel_project(enterprise, **overrides) -> dict:
    return {"uscc": enterprise.uscc, "name": "年产120万吨转炉炼钢项目", "sector": "steel_bof", "capacity": "120",
            "capacity_unit": "万吨/年", "stage": "planned", "approval_no": "", **overrides}


def _count(model=TwoHighProject):
    return db.session.scalar(select(func.count(model.id)))


def _codes(project):
    return {w.code for w in services.warnings(project)}


def test_every_sector_has_its_units_and_levels_with_source_and_edition():
    assert {"steel_bof", "steel_eaf", "ironmaking", "cement_clinker", "flat_glass", "electrolytic_aluminium",
            "oil_refining", "caustic_soda", "ammonia"} <= set(sectors())
    for key, sector in sectors().items():
        level = benchmarks()[key]
        assert level.benchmark < level.baseline, key  # 标杆 is better (lower) than 基准
        assert "发改产业〔2021〕1609号" in level.document and level.edition.startswith("2021年版")
        assert level.verification in ("corroborated", "partial", "unverified")
        assert (level.verification == "unverified") == (level.checked_against == "未能在本平台可查的公开文本中核对")
        assert sector.source
    assert benchmarks()["cement_clinker"].baseline == Decimal("117")
    assert benchmarks()["steel_bof"].benchmark == Decimal("-30")
    # 离子膜法液碱（≥30%）: 315 / 350 (GB 21257-2024 grades 2 and 3); the file once said 340
    assert (benchmarks()["caustic_soda"].benchmark, benchmarks()["caustic_soda"].baseline) == (Decimal("315"), Decimal("350"))
    replacement = {k for k, s in sectors().items() if s.replacement_required}
    assert replacement == {"ironmaking", "steel_bof", "steel_eaf", "cement_clinker", "flat_glass", "electrolytic_aluminium"}


def test_a_planned_steel_project_without_replacement_proof_warns_and_its_owners_next_round_is_strict(
        world, make_enterprise, department_regulator, register, client_for, token_for):
    # Both registered as group headquarters (7212, not a 两高 industry): only the register makes one strict.
    owner = make_enterprise("450100", name="南宁钢铁集团有限公司", industry_code="7212")
    untouched = make_enterprise("450100", name="南宁另一家控股集团有限公司", industry_code="7212")
    assert not owner.two_high
    development = department_regulator("development_reform")
    project = register(development, steel_project(owner))

    assert _codes(project) == {"no_replacement", "controlled_planned"}
    assert owner.two_high
    changed = db.session.scalar(select(AuditLog).where(AuditLog.object_type == "enterprise",
                                                       AuditLog.object_id == str(owner.id),
                                                       AuditLog.action == "enterprise.update"))
    assert changed.after == {"two_high": True} and changed.actor_name == development.username

    batch = audits.publish_batch(world.regulator_a, title="2026 年名单", published_on=date(2026, 3, 2),
                                 usccs=[owner.uscc, untouched.uscc], today=date(2026, 3, 2))
    procedures = {r.enterprise_id: r.procedure for r in batch.rounds}
    assert procedures == {owner.id: "full", untouched.id: "simplified"}
    basis = next(r.procedure_basis for r in batch.rounds if r.enterprise_id == owner.id)
    assert "两高" in basis

    page = client_for(development).get("/two-high/?warning=no_replacement")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and project.name in html and "缺少产能置换方案" in html
    detail = client_for(development).get(f"/two-high/{project.id}").get_data(as_text=True)
    assert "未登记产能置换方案" in detail and "严控新增产能" in detail

    answer = client_for(development).get("/api/v1/two-high/projects?sector=steel_bof",
                                         headers=token_for(development))
    item = answer.get_json()["items"][0]
    assert answer.status_code == 200 and item["stage"] == "planned"
    assert {w["code"] for w in item["warnings"]} == {"no_replacement", "controlled_planned"}
    assert item["benchmark"] == {"benchmark": -30.0, "baseline": -10.0, "edition": "2021年版（2023年版沿用）",
                                 "document": item["benchmark"]["document"]}


def test_a_replacement_proof_clears_its_warning_and_energy_use_worse_than_the_baseline_warns(
        make_enterprise, department_regulator, register):
    industry = department_regulator("industry_it")
    project = register(industry, steel_project(make_enterprise("450100"), stage="building",
                                               replacement_plan_no="桂工信原材料〔2026〕12号", retired_capacity="150"))
    assert _codes(project) == set()  # building, with its proof: nothing to flag
    services.update(industry, project, {"designed_energy": "-8", "actual_energy": "-31"})
    assert [w.message for w in services.warnings(project)] == [
        "设计单位产品能耗 -8 kgce/t，劣于基准水平 -10 kgce/t（2021年版（2023年版沿用））"]
    assert services.level_of(project, "actual_energy") == "达到标杆水平"
    assert services.level_of(project, "designed_energy") == "劣于基准水平"
    with pytest.raises(InvalidFields) as refused:
        services.update(industry, project, {"replacement_plan_no": "", "retired_capacity": "150"})
    assert refused.value.errors == {"replacement_plan_no": "产能置换方案须同时填写方案文号和退出产能。"}
    cement = register(industry, {"uscc": project.enterprise.uscc, "name": "4500t/d 熟料线", "sector": "cement_clinker",
                                 "capacity": "4500", "capacity_unit": "吨/日", "stage": "existing",
                                 "actual_energy": "118"})
    assert _codes(cement) == {"below_baseline"}  # existing: no replacement needed; 118 > 117


def test_a_capacity_in_the_wrong_unit_is_refused_naming_the_field_and_writes_nothing(
        make_enterprise, department_regulator, client_for):
    owner = make_enterprise("450100")
    ecology = department_regulator("ecology_environment")
    with pytest.raises(InvalidFields) as refused:
        services.create(ecology, steel_project(owner, sector="cement_clinker", capacity_unit="万吨/年"))
    assert refused.value.errors == {
        "capacity_unit": "产能单位不正确：水泥熟料项目的产能以“吨/日”计，填写的是“万吨/年”。"}
    db.session.rollback()
    with pytest.raises(InvalidFields) as refused:
        services.create(ecology, steel_project(owner, sector="electrolytic_aluminium", designed_energy="13400",
                                               designed_energy_unit="kgce/t"))
    assert "单位应为“kWh/t”" in refused.value.errors["designed_energy"]
    db.session.rollback()
    with pytest.raises(InvalidFields) as refused:
        services.create(ecology, steel_project(owner, sector="coal_power", capacity="abc", stage="规划"))
    assert set(refused.value.errors) == {"sector", "capacity", "stage"}
    assert "行业目录" in refused.value.errors["sector"] and "应为数字" in refused.value.errors["capacity"]
    db.session.rollback()

    client = client_for(ecology)
    page = client.post("/two-high/new", data={"uscc": owner.uscc, "name": "熟料线", "sector": "cement_clinker",
                                              "capacity": "4500", "capacity_unit": "万吨/年", "stage": "planned"})
    assert page.status_code == 422 and "产能单位不正确" in page.get_data(as_text=True)
    assert _count() == 0 and not enterprises.by_uscc(owner.uscc).two_high


def test_a_stage_going_backwards_needs_a_reason_and_the_history_keeps_every_step(
        make_enterprise, department_regulator, register, client_for):
    development = department_regulator("development_reform")
    project = register(development, steel_project(make_enterprise("450100"), stage="building",
                                                  replacement_plan_no="桂工信〔2026〕1号", retired_capacity="150"))
    with pytest.raises(InvalidFields) as refused:
        services.change_stage(development, project, {"stage": "planned", "changed_on": "2026-04-01"},
                              today=date(2026, 6, 1))
    assert refused.value.errors == {"reason": "项目阶段从“在建”退回“拟建”，须写明理由（如停建、缓建或批复撤销）。"}
    db.session.rollback()
    page = client_for(development).post(f"/two-high/{project.id}/stage", data={"stage": "planned",
                                                                               "changed_on": "2026-04-01"})
    assert page.status_code == 422 and "须写明理由" in page.get_data(as_text=True)
    assert db.session.get(TwoHighProject, project.id).stage == "building"
    assert _count(ProjectStageChange) == 1

    services.change_stage(development, project, {"stage": "planned", "changed_on": "2026-04-01",
                                                 "reason": "用地手续未完成，停建"}, today=date(2026, 6, 1))
    services.change_stage(development, project, {"stage": "building", "changed_on": "2026-05-01"},
                          today=date(2026, 6, 1))
    with pytest.raises(InvalidFields) as refused:
        services.change_stage(development, project, {"stage": "existing", "changed_on": "2026-04-15"},
                              today=date(2026, 6, 1))
    assert "不能早于上次阶段变更" in refused.value.errors["changed_on"]
    db.session.commit()
    history = [(c.from_stage, c.to_stage, c.reason) for c in project.stage_changes]
    assert history == [(None, "building", None), ("building", "planned", "用地手续未完成，停建"),
                       ("planned", "building", None)]
    assert _codes(project) == set()


def test_rate_like_values_out_of_range_are_refused(make_enterprise, department_regulator, register):
    industry = department_regulator("industry_it")
    project = register(industry, steel_project(make_enterprise("450100"), stage="existing"))
    for raw, field, words in (
            ({"utilization_percent": "120"}, "utilization_percent", "应在 0–100% 之间"),
            ({"utilization_percent": "-5%"}, "utilization_percent", "应在 0–100% 之间"),
            ({"actual_energy": "5000000"}, "actual_energy", "超出合理范围"),
            ({"capacity": "0"}, "capacity", "产能应大于 0"),
            ({"capacity": "12.345"}, "capacity", "最多保留 2 位小数")):
        with pytest.raises(InvalidFields) as refused:
            services.update(industry, project, raw)
        assert words in refused.value.errors[field], raw
        db.session.rollback()
    assert services.update(industry, project, {"utilization_percent": "85.5%"})
    db.session.commit()
    assert db.session.get(TwoHighProject, project.id).utilization_percent == Decimal("85.5")


def test_other_cities_and_other_departments_do_not_see_a_project(
        world, make_enterprise, department_regulator, register, client_for, token_for):
    project = register(department_regulator("development_reform"), steel_project(make_enterprise("450100")))
    other_city = department_regulator("development_reform", "450200")
    agriculture = department_regulator("agriculture", "450100")
    province = department_regulator("industry_it", "450000")

    for user in (other_city, agriculture):
        with pytest.raises(NotFound):
            services.get(user, project.id)
        assert client_for(user).get(f"/two-high/{project.id}").status_code == 404
        assert client_for(user).post(f"/two-high/{project.id}/notes", data={"note": "同意"}).status_code == 404
    assert client_for(agriculture).get("/two-high/").status_code == 403
    listing = client_for(other_city).get("/two-high/").get_data(as_text=True)
    assert project.name not in listing
    assert client_for(other_city).get("/api/v1/two-high/projects", headers=token_for(other_city)).get_json()["total"] == 0
    assert client_for(agriculture).get("/api/v1/two-high/projects", headers=token_for(agriculture)).status_code == 403
    assert client_for(world.enterprise_a).get("/two-high/").status_code == 403
    assert client_for(province).get(f"/two-high/{project.id}").status_code == 200
    assert client_for(world.admin).get(f"/two-high/{project.id}").status_code == 200
    with pytest.raises(PermissionDenied):
        services.add_note(world.admin, project, "管理员不参加会商")
    with pytest.raises(InvalidFields):
        services.create(other_city, steel_project(project.enterprise, name="越权登记"))  # another city's firm: not found
    db.session.rollback()
    assert _count() == 1


def test_the_three_departments_record_joint_review_notes(make_enterprise, department_regulator, register, client_for):
    project = register(department_regulator("development_reform"), steel_project(make_enterprise("450100")))
    for department in ("development_reform", "industry_it", "ecology_environment"):
        user = department_regulator(department)
        answer = client_for(user).post(f"/two-high/{project.id}/notes", data={"note": f"{department} 会商意见：须补充产能置换方案。"})
        assert answer.status_code == 302
    assert [n.department for n in db.session.get(TwoHighProject, project.id).notes] == [
        "development_reform", "industry_it", "ecology_environment"]
    empty = client_for(department_regulator("industry_it")).post(f"/two-high/{project.id}/notes", data={"note": " "})
    assert empty.status_code == 422
    page = client_for(department_regulator("ecology_environment")).get(f"/two-high/{project.id}").get_data(as_text=True)
    assert "工业和信息化" in page and "须补充产能置换方案" in page


def test_the_two_high_flag_stays_while_a_project_is_registered(world, make_enterprise, department_regulator, register):
    owner = make_enterprise("450100")
    register(department_regulator("industry_it"), steel_project(owner, stage="existing"))
    with pytest.raises(ValidationError) as refused:
        enterprises.update(world.regulator_a, owner, {"two_high": False})
    assert refused.value.field == "two_high" and "两高" in refused.value.message
    other = make_enterprise("450100", two_high=True)
    assert enterprises.update(world.regulator_a, other, {"two_high": False})  # no project: may be cleared


def test_the_list_by_city_and_sector_pages_and_exports(make_enterprise, department_regulator, register, client_for):
    province = department_regulator("development_reform", "450000")
    nanning, liuzhou = make_enterprise("450100"), make_enterprise("450200")
    for i in range(22):
        register(province, steel_project(nanning, name=f"南宁项目{i:02d}", stage="existing"))
    register(province, {"uscc": liuzhou.uscc, "name": "柳州电解铝项目", "sector": "electrolytic_aluminium",
                        "capacity": "50", "capacity_unit": "万吨/年", "stage": "planned"})
    client = client_for(province)
    first = client.get("/two-high/").get_data(as_text=True)
    assert "第 1 / 2 页" in first and "共 23 条" in first and "柳州市" in first and "南宁市" in first
    only = client.get("/two-high/?city=450200&sector=electrolytic_aluminium").get_data(as_text=True)
    assert "柳州电解铝项目" in only and "南宁项目" not in only
    assert client.get("/two-high/?city=999999").status_code == 422
    mine = client.get(f"/two-high/?uscc={liuzhou.uscc}").get_data(as_text=True)
    assert "柳州电解铝项目" in mine and "南宁项目" not in mine
    assert f"/two-high/?uscc={liuzhou.uscc}" in client.get(f"/enterprises/{liuzhou.id}").get_data(as_text=True)

    book = client.get("/two-high/export.xlsx?city=450200")
    assert book.status_code == 200 and "%E6%9F%B3%E5%B7%9E" in book.headers["Content-Disposition"]  # 柳州
    sheet = load_workbook(BytesIO(book.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("“两高”项目清单（柳州市") and rows[1][0] == "项目名称"
    assert rows[2][0] == "柳州电解铝项目" and "未登记产能置换方案" in rows[2][-1] and len(rows) == 3
    text = client.get("/two-high/export.csv").data.decode("utf-8-sig")
    assert text.count("\n") == 24 and text.startswith("项目名称,")


def test_the_demo_builds_projects_with_warnings_notes_and_rated_firms(app):
    from platform import demo
    from platform.results import services as results

    created = demo.load_demo()
    db.session.commit()
    assert created["two_high_projects"] >= 10
    projects = db.session.scalars(select(TwoHighProject)).all()
    assert {p.stage for p in projects} == {"planned", "building", "existing"}
    assert all(p.enterprise.two_high for p in projects)
    assert any("no_replacement" in _codes(p) for p in projects) and any("below_baseline" in _codes(p) for p in projects)
    assert any(len(p.notes) == 3 for p in projects)
    assert any(len(p.stage_changes) == 3 for p in projects)
    assert results.rounds(results.use("leading"), date(2026, 12, 1))
    assert demo.load_demo()["two_high_projects"] == 0
