"""The sectors' 2025 targets: departments report yearly city figures; the public dashboard shows them."""
import pytest
from sqlalchemy import func, select

from platform.accounts import services as accounts
from platform.core.access import SYSTEM, in_department
from platform.core.errors import InvalidFields, PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.sectors import services
from platform.sectors.importer import import_figures
from platform.sectors.models import SectorFigure

PASSWORD = "Passw0rd-test"


@pytest.fixture
def agri(app):
    def make(city="450000", name=None):
        user = accounts.create_user(SYSTEM, username=name or f"agri-{city}", password=PASSWORD, role="regulator",
                                    division_code=city, department="agriculture")
        db.session.commit()
        return user
    return make


def _count():
    return db.session.scalar(select(func.count(SectorFigure.id)))


def test_regulators_have_a_department(app, make_user, agri):
    ecology = make_user("regulator", city="450100")
    assert ecology.department == "ecology_environment"
    assert agri().department_label == "农业农村"
    assert make_user("admin").department is None
    assert in_department(SYSTEM, "agriculture") and not in_department(ecology, "agriculture")
    with pytest.raises(ValidationError) as refused:
        accounts.create_user(SYSTEM, username="bad-dept", password=PASSWORD, role="regulator", division_code="450000",
                             department="forestry")
    assert refused.value.field == "department" and "所属部门" in refused.value.message


def test_agriculture_figures_for_two_years_show_on_the_public_dashboard(app, agri, client):
    province = agri()
    for year, film, straw, manure in ((2024, "83.2", "85.1", "79"), (2025, "85.6", "86.4", "81.2")):
        for indicator, value in (("agri_film_recovery_rate", film), ("straw_utilization_rate", straw),
                                 ("livestock_manure_utilization_rate", manure)):
            services.report(province, {"indicator": indicator, "division_code": "450000", "year": year, "value": value})
    services.report(agri("450100"), {"indicator": "straw_utilization_rate", "division_code": "450100", "year": "2025",
                                     "value": "87"})
    db.session.commit()
    page = client.get("/targets")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for label, target in (("废旧农膜回收率", "≥ 85%"), ("秸秆综合利用率", "≥ 86%"), ("畜禽粪污综合利用率", "≥ 80%")):
        assert label in html and target in html
    assert "2024年" in html and "2025年" in html and "85.6" in html and "南宁市" in html
    assert "vendor/echarts/echarts.min.js" in html and "chart-agri_film_recovery_rate" in html
    by_key = {item.indicator.key: item for item in services.dashboard()}
    film = by_key["agri_film_recovery_rate"]
    assert film.latest_year == 2025 and film.met and sorted(film.province) == [2024, 2025]
    assert by_key["straw_utilization_rate"].by_city["450100"][2025] == 87
    csv = client.get("/targets/export/figures.csv")
    assert csv.status_code == 200 and "废旧农膜回收率" in csv.get_data(as_text=True)
    xlsx = client.get("/targets/export/progress.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")


def test_a_rate_over_100_is_refused_naming_the_field(app, agri):
    with pytest.raises(InvalidFields) as refused:
        services.report(agri(), {"indicator": "straw_utilization_rate", "division_code": "450000", "year": "2025",
                                 "value": "101"})
    assert "不能超过 100%" in refused.value.errors["value"]
    db.session.rollback()
    assert _count() == 0


def test_a_year_already_reported_is_refused_and_corrected_by_a_revision(app, agri):
    user = agri()
    first = services.report(user, {"indicator": "straw_utilization_rate", "division_code": "450000", "year": "2024",
                                   "value": "85"})
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        services.report(user, {"indicator": "straw_utilization_rate", "division_code": "450000", "year": "2024",
                               "value": "86"})
    assert refused.value.field == "year" and "已填报" in refused.value.message and "修订" in refused.value.message
    db.session.rollback()
    assert _count() == 1
    with pytest.raises(InvalidFields) as no_reason:
        services.revise(user, first, "86", "")
    assert "reason" in no_reason.value.errors
    db.session.rollback()
    revision = services.revise(user, first, "86", "统计口径更正")
    db.session.commit()
    assert revision.revises_id == first.id and first.superseded_by_id == revision.id and not first.is_current
    assert [f.value for f in services.history(revision)] == [85, 86]
    assert services.current("straw_utilization_rate", "450000", 2024).id == revision.id


def test_each_refusal_names_its_field(app, agri, make_user):
    city = agri("450100")
    cases = [
        ({"indicator": "agri_film_recovery_rate", "division_code": "450200", "year": "2025", "value": "80"}, "division_code"),
        ({"indicator": "agri_film_recovery_rate", "division_code": "450100", "year": "2020", "value": "80"}, "year"),
        ({"indicator": "agri_film_recovery_rate", "division_code": "450100", "year": "2099", "value": "80"}, "year"),
        ({"indicator": "agri_film_recovery_rate", "division_code": "450100", "year": "2025", "value": "-1"}, "value"),
        ({"indicator": "efficient_irrigation_added", "division_code": "450100", "year": "2025", "value": "abc"}, "value"),
        ({"indicator": "green_building_new_urban_share", "division_code": "450100", "year": "2025", "value": "90"},
         "indicator"),
        ({"indicator": "agri_film_recovery_rate", "division_code": "999999", "year": "2025", "value": "80"}, "division_code"),
    ]
    for raw, field in cases:
        with pytest.raises(InvalidFields) as refused:
            services.report(city, raw)
        assert field in refused.value.errors, raw
    with pytest.raises(PermissionDenied):
        services.report(make_user("regulator", city="450100"), cases[0][0])
    with pytest.raises(PermissionDenied):
        services.report(make_user("admin"), cases[0][0])
    db.session.rollback()
    assert _count() == 0


CSV = ("指标,地区,年度,数值\n"
       "废旧农膜回收率,南宁市,2024,84.5\n"
       "秸秆综合利用率,450100,2025,87\n"
       "畜禽粪污综合利用率,南宁市,2025,120\n"
       "新增高效节水灌溉面积,全区,2025,\n").encode("utf-8")


def test_import_reports_rows_and_twice_changes_nothing(app, agri):
    user = agri()
    report = import_figures(user, CSV, "figures.csv")
    db.session.commit()
    assert (report.created, report.unchanged) == (2, 0)
    assert {(row, column) for row, column, _ in report.errors} == {(4, "数值"), (5, "数值")}
    assert any("不能超过 100%" in reason for _, _, reason in report.errors)
    again = import_figures(user, CSV, "figures.csv")
    db.session.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2) and _count() == 2
    changed = "指标,地区,年度,数值\n废旧农膜回收率,南宁市,2024,85\n".encode()
    refused = import_figures(user, changed, "figures.csv")
    assert refused.errors and refused.errors[0][1] == "年度" and "修订理由" in refused.errors[0][2]
    revised = import_figures(user, "指标,地区,年度,数值,修订理由\n废旧农膜回收率,南宁市,2024,85,复核更正\n".encode(),
                             "figures.csv")
    db.session.commit()
    assert revised.updated == 1 and _count() == 3


def test_the_form_and_the_revision_page(app, agri, client_for, make_user):
    browser = client_for(agri("450100"))
    assert "行业领域目标年度数值填报" in browser.get("/targets/report").get_data(as_text=True)
    answer = browser.post("/targets/report", data={"indicator": "agri_film_recovery_rate", "division_code": "450100",
                                                   "year": "2025", "value": "101"})
    assert answer.status_code == 422 and "不能超过 100%" in answer.get_data(as_text=True) and _count() == 0
    answer = browser.post("/targets/report", data={"indicator": "agri_film_recovery_rate", "division_code": "450100",
                                                   "year": "2025", "value": "85.5"})
    assert answer.status_code == 302 and _count() == 1
    figure = db.session.scalar(select(SectorFigure))
    answer = browser.post(f"/targets/figures/{figure.id}/revise", data={"value": "86", "reason": "复核"})
    assert answer.status_code == 302 and _count() == 2
    assert client_for(make_user("regulator", city="450100")).get("/targets/report").status_code == 403


def test_demo_has_two_years_of_agriculture_figures(app):
    from platform.sectors.demo import load_demo

    assert load_demo() > 0 and load_demo() == 0
    years = set(db.session.scalars(select(SectorFigure.year).where(SectorFigure.indicator == "straw_utilization_rate")))
    assert years == {2024, 2025}
