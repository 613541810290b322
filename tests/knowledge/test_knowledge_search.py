"""The public search of the knowledge base, on both backends: current documents first, highlights,
facets, drafts never indexed."""
from platform.core.extensions import db
from platform.knowledge import services
from platform.knowledge.demo import load_demo
from platform.knowledge.models import Document


def titles(client, **params):
    body = client.get("/api/v1/documents", query_string=params).get_json()
    return [(item["title"], item["currency"]) for item in body["items"]]


def test_the_search_finds_the_current_guide_first(search_app, drained, people, draft, publish, client):
    old = publish(draft(people.drafter, "清洁生产审核评估与验收指南", edition="2008 年试行",
                        summary="评估与验收的程序、评分与否决项；清洁生产审核评估与验收指南。"), people.province)
    new = publish(draft(people.drafter, "审核评估与验收指南", edition="2018 年", supersedes_id=old.id,
                        summary="清洁生产审核的现行指南。"), people.province)
    drained()
    # The old title holds every word (清洁生产 too, which the new one has only in its summary), so it
    # scores higher; yet the one in force comes first.
    scores = {hit.source["title"]: hit.score for hit in services.search("清洁生产评估验收指南").hits}
    assert scores["清洁生产审核评估与验收指南"] > scores["审核评估与验收指南"]
    found = titles(client, q="清洁生产评估验收指南")
    assert found == [("审核评估与验收指南", "current"), ("清洁生产审核评估与验收指南", "superseded")]
    page = client.get("/knowledge", query_string={"q": "评估验收指南"}).get_data(as_text=True)
    assert page.index(f'href="/knowledge/{new.id}"') < page.index(f'href="/knowledge/{old.id}"')
    assert "已被替代" in page and "<mark>" in page
    assert titles(client, q="评估验收指南", currency="superseded") == [("清洁生产审核评估与验收指南", "superseded")]
    assert titles(client) == [("审核评估与验收指南", "current"), ("清洁生产审核评估与验收指南", "superseded")]


def test_highlights_facets_and_filters(search_app, drained, people, draft, publish, client):
    publish(draft(people.drafter, "钢铁行业清洁生产评价指标体系", kind="indicator_system", industry_codes="31"),
            people.province)
    publish(draft(people.drafter, "水泥行业清洁生产评价指标体系", kind="indicator_system", industry_codes="30"),
            people.province)
    publish(draft(people.drafter, "清洁生产审核办法", kind="policy", issuer="国家发展改革委、环境保护部"), people.province)
    draft(people.drafter, "未发布的钢铁指标体系草稿", kind="indicator_system", industry_codes="31")
    drained()
    body = client.get("/api/v1/documents", query_string={"q": "评价指标体系"}).get_json()
    assert body["total"] == 2
    assert all("<mark>" in item["highlights"]["title"] for item in body["items"])
    assert {f["value"]: f["count"] for f in body["facets"]["kind"]} == {"indicator_system": 2}
    assert titles(client, q="指标体系", industry="31") == [("钢铁行业清洁生产评价指标体系", "current")]
    assert titles(client, kind="policy") == [("清洁生产审核办法", "current")]
    assert client.get("/api/v1/documents", query_string={"q": "草稿"}).get_json()["total"] == 0
    assert client.get("/api/v1/documents?kind=novel").status_code == 422
    page = client.get("/knowledge", query_string={"q": "指标体系"}).get_data(as_text=True)
    assert "评价指标体系" in page and "发布机关" in page and "共找到 2 份文件" in page


def test_the_demo_library_is_searchable(search_app, drained, client):
    assert load_demo() == len(__import__("platform.knowledge.demo", fromlist=["DOCUMENTS"]).DOCUMENTS)
    db.session.commit()
    assert load_demo() == 0  # loading again adds nothing
    drained()
    found = titles(client, q="评估与验收指南")
    assert found[0] == ("清洁生产审核评估与验收指南", "current")
    assert ("重点企业清洁生产审核评估、验收实施指南（试行）", "superseded") in found
    assert titles(client, q="简易程序")[0][0] == "广西清洁生产审核简易程序指南"
    assert titles(client, kind="product_catalogue")[0][0] == "清洁生产产品导向目录（广西）"
    kinds = {f["value"] for f in client.get("/api/v1/documents").get_json()["facets"]["kind"]}
    assert kinds == {"indicator_system", "audit_guide", "case_compilation", "product_catalogue", "policy"}
    old = db.session.query(Document).filter_by(title="清洁生产审核暂行办法").one()
    assert old.currency == "superseded" and old.successor.title == "清洁生产审核办法"


def test_a_published_document_leaves_nothing_private_in_the_index(search_app, drained, people, draft, publish):
    document = publish(draft(people.drafter, "政策文件"), people.province)
    source = services.search("政策文件").hits[0].source if drained() is not None else None
    assert source is not None and str(document.id) == str(source["id"])
    assert not {"created_by_id", "approved_by_id", "review_note", "pdf_stored_name"} & set(source)


def test_reindex_rebuilds_the_library_and_status_agrees(search_app, drained, people, draft, publish, app, client):
    old = publish(draft(people.drafter, "制浆造纸行业清洁生产评价指标体系", edition="2015 年"), people.province)
    publish(draft(people.drafter, "制浆造纸行业清洁生产评价指标体系", edition="2025 年", supersedes_id=old.id),
            people.province)
    draft(people.drafter, "草稿不进索引")
    drained()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "一致" in runner.invoke(args=["search", "status"]).output
    assert titles(client, q="造纸") == [("制浆造纸行业清洁生产评价指标体系", "current"),
                                       ("制浆造纸行业清洁生产评价指标体系", "superseded")]


def test_the_excel_export_lists_the_current_version_first_and_names_it(search_app, drained, people, draft, publish,
                                                                       client):
    import io

    from openpyxl import load_workbook

    old = publish(draft(people.drafter, "钢铁行业清洁生产审核指南", edition="试行", industry_codes="31"), people.province)
    publish(draft(people.drafter, "钢铁行业清洁生产审核指南", edition="2025 年", supersedes_id=old.id,
                  industry_codes="31"), people.province)
    draft(people.drafter, "钢铁行业草稿指南")
    drained()
    export = client.get("/knowledge/export.xlsx", query_string={"q": "钢铁"})
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row and row[0] == "标题")
    body = rows[header_at + 1:]
    assert [(r[5], r[6], r[7]) for r in body] == [("2025 年", "现行有效", None), ("试行", "已被替代", "钢铁行业清洁生产审核指南")]
    assert all(r[8] == "黑色金属冶炼和压延加工业" for r in body)
