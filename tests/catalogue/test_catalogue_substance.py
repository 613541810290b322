"""The catalogue with substance (issue 19, part 4): every entry the plan names carries a principle,
key indicators, a scope and a typical case; the plan's words find their technologies on both
backends; the export has no empty column."""
import csv
import io

import pytest
from openpyxl import load_workbook

from platform.catalogue.demo import SUBSTANCE_FILE, load_demo
from platform.catalogue.models import Technology
from platform.core.extensions import db
from platform.core.reference.services import DATA_DIR


@pytest.fixture
def plan_catalogue(search_app, drained):
    load_demo()
    db.session.commit()
    drained()


def names(client, q: str) -> list[str]:
    body = client.get("/api/v1/technologies", query_string={"q": q, "per_page": 100}).get_json()
    return [item["name"] for item in body["items"]]


@pytest.mark.parametrize("q, expected", [
    ("脱硫", {"石灰石—石膏湿法烟气脱硫技术", "活性炭（焦）一体化脱硫脱硝技术", "多污染物协同治理超低排放技术"}),
    ("VOCs", {"蓄热式热力焚烧（RTO）VOCs治理技术", "吸附浓缩—催化燃烧VOCs治理技术", "低VOCs含量原辅材料源头替代技术"}),
    ("vocs", {"蓄热式热力焚烧（RTO）VOCs治理技术", "泄漏检测与修复（LDAR）技术"}),
    ("脱硝", {"选择性催化还原（SCR）烟气脱硝技术", "选择性非催化还原（SNCR）脱硝技术", "活性炭（焦）一体化脱硫脱硝技术"}),
    ("节水", {"高效节水灌溉与水肥一体化技术", "工业循环冷却水节水技术", "制浆造纸节水与碱回收技术"}),
    ("余热", {"余热高效回收利用技术", "水泥窑筒体辐射热回收技术"}),
    ("秸秆", {"秸秆综合利用技术"}),
    ("农膜", {"废旧农膜回收利用与全生物降解地膜替代技术"}),
])
def test_the_plans_words_find_their_technologies(plan_catalogue, client, q, expected):
    found = names(client, q)
    assert expected <= set(found), found
    assert found[0] in expected  # a technology named for the word comes first


def test_the_search_is_case_blind_for_latin_words(plan_catalogue, client):
    assert names(client, "VOCs") == names(client, "vocs") == names(client, "VOCS")


def test_agriculture_buildings_and_transport_have_entries(plan_catalogue, client):
    for industry in ("01", "03", "47", "54", "55"):
        assert client.get(f"/api/v1/technologies?industry={industry}").get_json()["total"] >= 1, industry


def test_every_technology_the_plan_names_has_substance(plan_catalogue):
    with open(DATA_DIR / "seed_technologies.csv", encoding="utf-8") as f:
        named = {(row["name"], row["source"]) for row in csv.DictReader(f)}
    rows = db.session.query(Technology).filter_by(status="published").all()
    assert named <= {(t.name, t.source) for t in rows}
    for t in rows:
        missing = [field for field in ("scope", "principle", "indicators", "benefits", "case_study", "maturity")
                   if not (getattr(t, field) or "").strip()]
        assert not missing, (t.name, missing)


def test_loading_the_catalogue_again_changes_nothing(plan_catalogue):
    count = db.session.query(Technology).count()
    assert load_demo() == 0
    assert db.session.query(Technology).count() == count


def test_the_detail_page_shows_principle_indicators_scope_and_case(plan_catalogue, client):
    technology = db.session.query(Technology).filter_by(name="秸秆综合利用技术").one()
    page = client.get(f"/technologies/{technology.id}").get_data(as_text=True)
    for label in ("技术原理", "关键指标", "适用范围", "典型案例"):
        assert f"<dt>{label}</dt>" in page
    assert technology.principle in page and "86%" in page


def test_every_export_column_is_filled(plan_catalogue, client):
    export = client.get("/technologies/export.xlsx")
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row and row[0] == "技术名称")
    headers, body = rows[header_at], rows[header_at + 1:]
    with open(SUBSTANCE_FILE, encoding="utf-8") as f:
        assert len(body) == len(list(csv.DictReader(f)))
    for column, header in enumerate(headers):
        empty = [row[0] for row in body if row[column] in (None, "")]
        assert not empty, (header, empty[:5])
