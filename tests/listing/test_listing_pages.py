"""The pages: a template to download, an import with its row errors, and the whole flow through the
browser's forms, ending on the public list with its 文号."""
import io
from datetime import timedelta
from decimal import Decimal

from openpyxl import load_workbook

from listing_helpers import csv_file
from platform.core.dates import add_months, beijing_today
from platform.core.extensions import db
from platform.listing.models import ListProposal, MonitoringRecord


def test_each_import_page_offers_its_template(client_for, make_regulator):
    client = client_for(make_regulator("450100"))
    page = client.get("/listing/import/permits")
    assert page.status_code == 200 and "/listing/template/permits.xlsx" in page.text
    sheet = load_workbook(io.BytesIO(client.get("/listing/template/permits.xlsx").data)).active
    assert [c.value for c in sheet[1]] == ["许可证编号", "单位名称", "统一社会信用代码", "行业代码", "管理类别",
                                           "有效期起", "有效期止", "发证机关"]
    assert client.get("/listing/template/energy.csv").data.decode("utf-8-sig").startswith("统一社会信用代码,年份")


def test_an_import_page_lists_each_bad_row_and_keeps_nothing(client_for, make_regulator, make_enterprise):
    firm = make_enterprise("450100")
    client = client_for(make_regulator("450100"))
    data = csv_file([["统一社会信用代码", "污染物", "监测日期", "监测值", "排放限值", "单位"],
                     [firm.uscc, "氨氮", "2026-01-05", "12", "8", "mg/L"],
                     [firm.uscc, "氨氮", "2026-01-06", "-1", "8", "mg/L"]])
    page = client.post("/listing/import/monitoring", data={"file": (io.BytesIO(data), "m.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    assert "整个文件未导入" in page.text and "监测值应不小于 0。" in page.text
    assert db.session.query(MonitoringRecord).count() == 0


def test_the_flow_through_the_pages_ends_on_the_public_list_with_its_document_number(
        client, client_for, make_regulator, make_enterprise):
    firm = make_enterprise("450100", name="南宁超标页面测试有限公司")
    today = beijing_today()
    db.session.add(MonitoringRecord(enterprise_id=firm.id, pollutant="氨氮", measured_on=today - timedelta(days=3),
                                    measured_value=Decimal("12"), limit_value=Decimal("8"), unit="mg/L"))
    db.session.commit()
    city, province = client_for(make_regulator("450100")), client_for(make_regulator("450000"))
    candidates = city.get("/listing/candidates")
    assert "南宁超标页面测试有限公司" in candidates.text and "监测值 12 mg/L，排放限值 8 mg/L（超标）" in candidates.text
    exported = load_workbook(io.BytesIO(city.get(f"/listing/candidates/export.xlsx?as_of={today.isoformat()}").data)).active
    assert [c.value for c in exported[2]] == ["企业名称", "统一社会信用代码", "设区市", "列入情形", "责任部门", "证据"]
    assert exported["A3"].value == "南宁超标页面测试有限公司" and exported["E3"].value == "生态环境"
    assert city.post("/listing/proposals/new", data={"as_of": today.isoformat()}).status_code == 302
    proposal = db.session.query(ListProposal).one()
    assert city.post(f"/listing/proposals/{proposal.id}/submit").status_code == 302
    assert province.post(f"/listing/proposals/{proposal.id}/confirm").status_code == 302
    published = province.post("/listing/publish", data={"proposal_ids": [str(proposal.id)], "document_no": "桂环函〔2026〕66号",
                                                         "published_on": today.isoformat()})
    assert published.status_code == 302
    db.session.expire_all()
    batch = db.session.get(ListProposal, proposal.id).batch
    public = client.get("/lists")
    assert "桂环函〔2026〕66号" in public.text
    detail = client.get(f"/lists/{batch.id}")
    assert "南宁超标页面测试有限公司" in detail.text and "责任部门：生态环境" in detail.text
    assert batch.rounds[0].listed_on == today
    assert batch.rounds[0].disclosure_due == add_months(today, 1)  # the publication date starts the clocks


def test_a_department_without_lists_is_refused(client_for, make_regulator, make_user, make_enterprise):
    assert client_for(make_regulator("450100", "agriculture")).get("/listing").status_code == 403
    assert client_for(make_user("enterprise", enterprise=make_enterprise())).get("/listing/candidates").status_code == 403
