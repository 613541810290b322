"""Audit rounds through HTTP: the public status, the regulators' cases API and pages."""
from datetime import date

from platform.accounts import services as accounts
from platform.audits.jobs import compliance_scan
from platform.core.extensions import db
from platform.core.access import SYSTEM


def test_done_when_silent_enterprise_is_overdue_and_punctual_one_is_not_in_public_api_and_page(
        app, world, listed, advance, client):
    listed(world.ent_a, date(2025, 3, 1))
    advance(listed(world.ent_b, date(2025, 3, 1)), "report_submitted", reported=date(2026, 2, 20))
    result = app.test_cli_runner().invoke(args=["compliance", "scan", "--as-of", "2026-03-02"])
    assert result.exit_code == 0, result.output
    assert "新立案 3 件" in result.output

    silent = client.get(f"/api/v1/enterprises/{world.ent_a.uscc}/audit-status").get_json()
    report_deadline = silent["current_round"]["deadlines"][2]
    assert (report_deadline["key"], report_deadline["overdue"]) == ("report_due", True)
    punctual = client.get(f"/api/v1/enterprises/{world.ent_b.uscc.lower()}/audit-status").get_json()
    assert punctual["current_round"]["state"] == "report_submitted"
    assert not any(d["overdue"] for d in punctual["current_round"]["deadlines"])

    page = client.get(f"/audit-status/{world.ent_a.uscc}").get_data(as_text=True)
    assert "已逾期" in page and world.ent_a.name in page
    page = client.get(f"/audit-status/{world.ent_b.uscc}").get_data(as_text=True)
    assert "按期完成" in page and "已逾期" not in page


def test_the_public_status_shows_no_private_data(world, listed, client):
    world.ent_a.contact_phone = "0771-5551234"
    listed(world.ent_a)
    body = client.get(f"/api/v1/enterprises/{world.ent_a.uscc}/audit-status").get_data(as_text=True)
    page = client.get(f"/audit-status/{world.ent_a.uscc}").get_data(as_text=True)
    for text in (body, page):
        assert "0771-5551234" not in text and (world.ent_a.legal_representative or "无此人") not in text


def test_an_unknown_code_gets_a_404_in_the_api_error_shape(client):
    response = client.get("/api/v1/enterprises/91450100MA5L000000/audit-status")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_lookup_by_name_finds_the_enterprise_and_the_list_is_public(world, listed, client):
    batch_round = listed(world.ent_a)
    response = client.get("/audit-status?q=南宁甲")
    assert response.status_code == 302 and world.ent_a.uscc in response.location
    assert world.ent_a.name in client.get(f"/lists/{batch_round.batch_id}").get_data(as_text=True)
    assert "名单" in client.get("/lists").get_data(as_text=True)


def _token(user):
    token = accounts.issue_token(SYSTEM, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_cases_api_is_scoped_to_the_regulators_city(world, listed, client):
    listed(world.ent_a, date(2025, 3, 1))
    listed(world.ent_b, date(2025, 3, 1))
    compliance_scan(date(2025, 4, 2))
    db.session.commit()
    a = client.get("/api/v1/cases?status=open", headers=_token(world.regulator_a)).get_json()
    assert a["total"] == 1 and a["items"][0]["enterprise"]["uscc"] == world.ent_a.uscc
    assert client.get("/api/v1/cases", headers=_token(world.province)).get_json()["total"] == 2
    other = client.get("/api/v1/cases", headers=_token(world.regulator_b)).get_json()["items"][0]["id"]
    refused = client.post(f"/api/v1/cases/{other}/rectification", headers=_token(world.regulator_a),
                          json={"deadline": "2030-01-01"})
    assert refused.status_code == 404
    assert client.get("/api/v1/cases", headers=_token(world.enterprise_a)).status_code == 403
    assert client.get("/api/v1/cases").status_code == 401


def test_rectification_through_the_api(world, listed, client):
    listed(world.ent_a, date(2025, 3, 1))
    compliance_scan(date(2025, 4, 2))
    db.session.commit()
    headers = _token(world.regulator_a)
    case_id = client.get("/api/v1/cases", headers=headers).get_json()["items"][0]["id"]
    bad = client.post(f"/api/v1/cases/{case_id}/rectification", headers=headers, json={"deadline": "2025-13-01"})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "deadline"
    past = client.post(f"/api/v1/cases/{case_id}/rectification", headers=headers, json={"deadline": "2020-01-01"})
    assert past.status_code == 422
    ok = client.post(f"/api/v1/cases/{case_id}/rectification", headers=headers,
                     json={"deadline": "2099-01-01", "note": "限期公开企业信息"})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["status"] == "rectifying"
    assert client.get("/api/v1/cases?status=rectifying", headers=headers).get_json()["total"] == 1
    assert client.get("/api/v1/cases?status=nonsense", headers=headers).status_code == 422


def test_regulator_pages_are_scoped_and_forms_report_errors(world, listed, client_for):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    assert client_for(world.regulator_b).get(f"/audits/rounds/{round_.id}").status_code == 404
    regulator = client_for(world.regulator_a)
    assert world.ent_a.name in regulator.get("/audits/rounds").get_data(as_text=True)
    assert world.ent_a.name not in client_for(world.regulator_b).get("/audits/rounds").get_data(as_text=True)
    response = regulator.post("/audits/batches/new", data={"title": "", "published_on": "2025-02-30",
                                                           "usccs": world.ent_b.uscc})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "请填写名单标题" in page and "YYYY-MM-DD" in page
    export = regulator.get("/audits/rounds/export.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_the_enterprise_follows_its_round_and_uploads_its_report(world, listed, advance, client_for, pdf):
    round_ = advance(listed(world.ent_a, date(2025, 3, 1)), "auditing")
    client = client_for(world.enterprise_a)
    page = client.get("/audits/mine").get_data(as_text=True)
    assert "提交审核报告" in page and "报告" in page
    import io

    response = client.post(f"/audits/rounds/{round_.id}/report",
                           data={"on": "2026-01-05", "file": (io.BytesIO(b"not a pdf"), "r.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(round_)
    assert round_.state == "auditing"
    client.post(f"/audits/rounds/{round_.id}/report", data={"on": "2026-01-05", "file": (io.BytesIO(pdf), "r.pdf")},
                content_type="multipart/form-data")
    db.session.refresh(round_)
    assert round_.state == "report_submitted"
    download = client.get(f"/audits/reports/{round_.reports[0].id}")
    assert download.status_code == 200 and download.data == pdf
    assert client_for(world.enterprise_b).get(f"/audits/reports/{round_.reports[0].id}").status_code == 403


def test_a_report_whose_commit_fails_leaves_no_file_behind(app, world, listed, advance, client_for, pdf,
                                                           failing_commit):
    import io
    from pathlib import Path

    round_ = advance(listed(world.ent_a, date(2025, 3, 1)), "auditing")
    client = client_for(world.enterprise_a)
    folder = Path(app.config["UPLOAD_DIR"]) / "reports"

    def post():
        return client.post(f"/audits/rounds/{round_.id}/report", content_type="multipart/form-data",
                           data={"on": "2026-01-05", "file": (io.BytesIO(pdf), "r.pdf")})

    with failing_commit():
        assert post().status_code == 503
    assert not folder.exists() or list(folder.iterdir()) == []
    assert post().status_code == 302
    db.session.refresh(round_)
    assert [path.name for path in folder.iterdir()] == [round_.reports[0].stored_name]


def test_an_oversized_upload_is_refused_before_it_is_read(app, world, listed, advance, client_for):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    round_ = advance(listed(world.ent_a, date(2025, 3, 1)), "auditing")
    import io

    response = client_for(world.enterprise_a).post(
        f"/audits/rounds/{round_.id}/report", data={"on": "2026-01-05", "file": (io.BytesIO(b"%PDF-" + b"0" * 4096), "r.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)


def test_the_overdue_filter_lists_rounds_past_a_deadline(world, listed, advance, client_for, make_enterprise):
    punctual = make_enterprise("450100", name="南宁按期企业有限公司")
    listed(world.ent_a, date(2025, 3, 1))
    advance(listed(punctual, date(2025, 3, 1)), "report_submitted", reported=date(2026, 2, 1))
    page = client_for(world.regulator_a).get("/audits/rounds?overdue=1").get_data(as_text=True)
    assert world.ent_a.name in page and punctual.name not in page
