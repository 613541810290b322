"""Certificates: a PDF the holder downloads, with Chinese embedded, and a code anyone checks."""
import warnings

from training_helpers import BEFORE

from platform.core.extensions import db
from platform.training import services


def test_a_certificate_verifies_on_the_public_page(certified, client):
    enrolment, expert = certified
    page = client.get(f"/training/verify?code={enrolment.certificate_code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "证书有效" in text
    assert expert.name in text and expert.employer in text and "8 学时" in text and "2026-05-12" in text
    assert expert.phone not in text and expert.email not in text
    typed = enrolment.certificate_code.replace("-", "").lower()  # as a person types it
    assert "证书有效" in client.get(f"/training/verify?code={typed}").get_data(as_text=True)


def test_an_unknown_code_says_so_plainly(certified, client):
    enrolment, _ = certified
    code = enrolment.certificate_code
    wrong = ("B" if code[0] == "A" else "A") + code[1:]
    for asked in (wrong, "GXCP-0000", "<script>"):
        text = client.get("/training/verify", query_string={"code": asked}).get_data(as_text=True)
        assert "未找到该证书" in text and "证书有效" not in text
    assert "<script>" not in client.get("/training/verify?code=<script>").get_data(as_text=True)
    assert "未找到该证书" not in client.get("/training/verify").get_data(as_text=True)  # nothing asked yet


def test_the_api_verifies_a_certificate_and_refuses_an_unknown_code(certified, client):
    enrolment, expert = certified
    answer = client.get(f"/api/v1/certificates/{enrolment.certificate_code}")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["holder"] == expert.name and body["hours"] == 8 and body["valid"] is True
    assert body["starts_on"] == "2026-05-12" and "phone" not in body
    missing = client.get("/api/v1/certificates/AAAA-BBBB-CCCC-DDDD")
    assert missing.status_code == 404 and "未找到该验证码" in missing.get_json()["error"]["message"]


def test_the_holder_downloads_a_pdf_with_the_chinese_font_embedded(certified, client_for, world):
    enrolment, expert = certified
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fpdf2 warns when the font lacks a glyph: every character must print
        response = client_for(expert.user).get(f"/training/enrolments/{enrolment.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF-") and b"/FontFile2" in data and b"DroidSansFallback" in data
    assert client_for(world.province).get(f"/training/enrolments/{enrolment.id}/certificate.pdf").status_code == 200
    for stranger in (world.expert, world.regulator_b, world.enterprise_a):
        assert client_for(stranger).get(f"/training/enrolments/{enrolment.id}/certificate.pdf").status_code == 404


def test_no_certificate_before_attendance(world, make_session, make_pool_expert, client_for):
    expert = make_pool_expert()
    enrolment = services.enrol_self(expert.user, make_session(), today=BEFORE)
    db.session.commit()
    assert client_for(expert.user).get(f"/training/enrolments/{enrolment.id}/certificate.pdf").status_code == 404


def test_the_organiser_records_attendance_over_http(world, make_session, make_pool_expert, client_for):
    session = make_session(organiser=world.regulator_a)
    enrolment = services.enrol_self(make_pool_expert().user, session, today=BEFORE)
    db.session.commit()
    refused = client_for(world.regulator_b).post(f"/training/enrolments/{enrolment.id}/attendance",
                                                 data={"value": "attended"})
    assert refused.status_code == 404
    done = client_for(world.regulator_a).post(f"/training/enrolments/{enrolment.id}/attendance",
                                              data={"value": "attended"}, follow_redirects=True)
    assert "并出具培训证书" in done.get_data(as_text=True)
    db.session.refresh(enrolment)
    assert enrolment.attended and enrolment.certificate_code
    roll = client_for(world.regulator_a).get(f"/training/sessions/{session.id}/roll.xlsx")
    assert roll.status_code == 200 and roll.get_data().startswith(b"PK")
    assert client_for(world.regulator_b).get(f"/training/sessions/{session.id}/roll").status_code == 404


def test_the_public_pages_list_plans_without_the_roll(certified, client):
    enrolment, expert = certified
    index = client.get("/training").get_data(as_text=True)
    assert "2026年度清洁生产培训" in index
    plan = client.get(f"/training/plans/{enrolment.session.plan_id}").get_data(as_text=True)
    assert "第一期" in plan and expert.name not in plan
