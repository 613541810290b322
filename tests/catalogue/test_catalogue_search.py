"""The public technology catalogue, on both backends: the same query finds the same entries."""
import io

import pytest
from openpyxl import load_workbook

from platform.catalogue import services
from platform.catalogue.models import Technology
from platform.core.extensions import db
from platform.core.indexing.models import IndexQueue


@pytest.fixture
def catalogue(search_app, make_technology, drained):
    make_technology("余热高效回收利用技术", industry="", category="过程控制", scope="钢铁、建材、化工行业的中低温余热")
    make_technology("全废钢电弧炉短流程炼钢技术", industry="31", category="源头减量")
    make_technology("水泥窑筒体辐射热回收技术", industry="30")
    make_technology("工业废水深度治理回用技术", industry="26;31", category="末端治理")
    make_technology("高效膜分离技术（草稿）", status="draft")
    drained()


def names(response) -> list[str]:
    return [item["name"] for item in response.get_json()["items"]]


def test_the_plans_two_queries_find_their_technologies(catalogue, client):
    assert names(client.get("/api/v1/technologies?q=余热回收")) == ["余热高效回收利用技术"]
    assert "全废钢电弧炉短流程炼钢技术" in names(client.get("/api/v1/technologies?q=电炉炼钢"))


def test_results_carry_highlights_and_facets(catalogue, client):
    body = client.get("/api/v1/technologies?q=回收").get_json()
    assert body["total"] == 2
    assert all("<mark>回收</mark>" in item["highlights"]["name"] for item in body["items"])
    categories = {f["value"]: f["count"] for f in body["facets"]["category"]}
    assert categories == {"过程控制": 2}


def test_filters_and_pagination(catalogue, client):
    assert names(client.get("/api/v1/technologies?industry=26")) == ["工业废水深度治理回用技术"]
    assert client.get("/api/v1/technologies?category=末端治理").get_json()["total"] == 1
    first = client.get("/api/v1/technologies?per_page=2&page=1").get_json()
    second = client.get("/api/v1/technologies?per_page=2&page=2").get_json()
    assert first["total"] == 4 and len(first["items"]) == 2 and len(second["items"]) == 2
    assert not set(names_ := [i["id"] for i in first["items"]]) & {i["id"] for i in second["items"]}, names_
    assert client.get("/api/v1/technologies?category=无此类别").status_code == 422


def test_drafts_and_withdrawn_entries_are_not_public(catalogue, client, drained, world):
    assert client.get("/api/v1/technologies?q=膜分离").get_json()["total"] == 0
    technology = db.session.query(Technology).filter_by(name="余热高效回收利用技术").one()
    services.change_status(world.admin, technology, "withdraw")
    db.session.commit()
    drained()
    assert client.get("/api/v1/technologies?q=余热回收").get_json()["total"] == 0
    assert client.get(f"/technologies/{technology.id}").status_code == 404


def test_an_edit_reaches_the_index_through_the_queue_with_a_newer_version(catalogue, client, drained, world):
    technology = db.session.query(Technology).filter_by(name="水泥窑筒体辐射热回收技术").one()
    version = technology.version
    services.update(world.admin, technology, {"scope": "新型干法水泥熟料生产线"})
    db.session.commit()
    assert technology.version == version + 1
    assert db.session.query(IndexQueue).filter_by(doc_id=str(technology.id)).one().version == version + 1
    drained()
    assert names(client.get("/api/v1/technologies?q=熟料生产线")) == ["水泥窑筒体辐射热回收技术"]
    assert db.session.query(IndexQueue).count() == 0


def test_markup_in_a_name_comes_back_escaped(search_app, make_technology, drained, client):
    make_technology("<script>alert(1)</script>余热锅炉技术")
    drained()
    page = client.get("/technologies?q=余热锅炉").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_search_page_and_excel_export(catalogue, client):
    page = client.get("/technologies?q=余热回收").get_data(as_text=True)
    assert "<mark>余热</mark>" in page and "共找到 1 项技术" in page
    export = client.get("/technologies/export.xlsx?category=过程控制")
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))[1:]
    assert rows[0][0] == "技术名称" and {r[0] for r in rows[1:]} == {"余热高效回收利用技术", "水泥窑筒体辐射热回收技术"}


def test_reindex_rebuilds_from_the_database_and_status_agrees(catalogue, app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "一致" in runner.invoke(args=["search", "status"]).output
    assert names(client.get("/api/v1/technologies?q=余热回收")) == ["余热高效回收利用技术"]


def test_the_search_page_pages_through_many_results(search_app, make_technology, drained, client):
    for i in range(23):
        make_technology(f"余热锅炉改造技术{i:02d}")
    drained()
    first = client.get("/technologies?q=余热锅炉").get_data(as_text=True)
    assert "第 1 / 2 页" in first and "下一页" in first and "上一页" not in first
    second = client.get("/technologies?q=余热锅炉&page=2").get_data(as_text=True)
    assert "第 2 / 2 页" in second and "上一页" in second


def test_every_filter_in_force_shows_as_a_chip_that_removes_it_and_all_can_be_cleared(catalogue, client):
    page = client.get("/technologies?q=回收&source=工信部目录&category=过程控制").get_data(as_text=True)
    assert "来源：工信部目录" in page and "类别：过程控制" in page
    assert 'href="/technologies?q=%E5%9B%9E%E6%94%B6&amp;industry=&amp;category=%E8%BF%87%E7%A8%8B%E6%8E%A7%E5%88%B6&amp;source="' in page
    assert "清除筛选" in page
    assert "清除筛选" not in client.get("/technologies?q=回收").get_data(as_text=True)
