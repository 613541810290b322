"""Certification as an audit (评价认证视同开展清洁生产审核): recorded with its certificate, confirmed by a
regulator of the firm's city against it, it closes the listing obligation; nothing else does."""
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from platform.audits import certifications, services
from platform.audits.jobs import compliance_scan
from platform.audits.models import AuditRound, Case, Certification
from platform.core.auditlog.labels import action_label
from platform.core.auditlog.models import AuditLog
from platform.core.errors import InvalidFields, PermissionDenied, ValidationError
from platform.core.extensions import db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RECORDED = date(2025, 3, 20)
CERT = {"certificate_no": "CQC25CP0123", "certifying_body": "中国质量认证中心", "certified_on": date(2025, 1, 15),
        "scope": "冷轧钢板生产线的清洁生产"}


def _record(actor, enterprise, today=RECORDED, **changes):
    fields = {**CERT, **changes}
    data = fields.pop("data", PDF)
    filename = fields.pop("filename", "证书.pdf")
    cert = certifications.record(actor, enterprise, data=data, filename=filename, today=today, **fields)
    db.session.commit()
    return cert


def _uploads(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "certificates"
    return list(folder.glob("*.pdf")) if folder.is_dir() else []


def test_a_confirmed_certification_closes_the_listing_and_no_case_is_opened_afterwards(world, listed, client):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    cert = _record(world.enterprise_a, world.ent_a)
    assert cert.status == "pending" and cert.round_id == round_.id and round_.state == "listed"
    closed = certifications.confirm(world.regulator_a, cert, note="与证书原件一致。", today=date(2025, 3, 25))
    db.session.commit()
    assert closed is round_ and round_.state == "certified" and not round_.is_open
    assert services.current_round(world.ent_a.id) is None
    assert round_.events[-1].note.startswith("评价认证视同开展清洁生产审核：中国质量认证中心证书 CQC25CP0123")

    # Every deadline of the listing passes: the scan opens nothing for this round.
    report = compliance_scan(date(2026, 6, 1))
    assert report.opened_total == 0
    assert db.session.scalar(select(func.count(Case.id)).where(Case.round_id == round_.id)) == 0
    assert round_ not in db.session.scalars(services.rounds_for(world.regulator_a, overdue="1",
                                                                today=date(2026, 6, 1))).all()

    page = client.get(f"/audit-status/{world.ent_a.uscc}").get_data(as_text=True)
    assert "评价认证视同完成审核" in page and "以清洁生产评价认证视同开展清洁生产审核" in page and "CQC25CP0123" in page
    api = client.get(f"/api/v1/enterprises/{world.ent_a.uscc}/audit-status").get_json()
    assert api["current_round"] is None
    assert api["rounds"][0]["state"] == "certified"
    assert api["rounds"][0]["certification"] == {"certificate_no": "CQC25CP0123", "certifying_body": "中国质量认证中心",
                                                 "certified_on": "2025-01-15", "scope": CERT["scope"],
                                                 "confirmed_on": "2025-03-25"}
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert {"certification.record", "certification.confirm", "round.certified"} <= set(actions)
    assert action_label("certification.confirm") == "核实评价认证（视同开展清洁生产审核）"


def test_a_certification_of_a_firm_with_no_open_round_stands_as_a_round_of_its_own(world):
    cert = _record(world.enterprise_a, world.ent_a)
    round_ = certifications.confirm(world.regulator_a, cert, today=date(2025, 3, 25))
    db.session.commit()
    assert (round_.kind, round_.state, round_.started_on) == ("certification", "certified", date(2025, 1, 15))
    assert cert.round_id == round_.id


def test_a_toxic_firm_certified_has_its_five_year_repeat_from_the_certificate(world, make_enterprise, make_user,
                                                                               listed):
    toxic = make_enterprise("450100", toxic_substances=True)
    round_ = listed(toxic, date(2025, 3, 1))
    cert = _record(make_user("enterprise", enterprise=toxic), toxic)
    certifications.confirm(world.regulator_a, cert, today=date(2025, 3, 25))
    db.session.commit()
    assert round_.next_round_due == date(2030, 1, 15)
    assert compliance_scan(date(2030, 1, 15)).opened["next_round_overdue"] == 0
    assert compliance_scan(date(2030, 1, 16)).opened["next_round_overdue"] == 1


def test_the_reject_path_needs_a_reason_and_leaves_the_round_open(world, listed):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    cert = _record(world.enterprise_a, world.ent_a)
    with pytest.raises(ValidationError, match="不予核实须写明理由"):
        certifications.reject(world.regulator_a, cert, reason="  ")
    certifications.reject(world.regulator_a, cert, reason="证书编号与认证机构公示信息不符。", today=date(2025, 3, 25))
    db.session.commit()
    assert cert.status == "rejected" and round_.state == "listed"
    with pytest.raises(ValidationError, match="未予核实，无需再核实"):
        certifications.confirm(world.regulator_a, cert)
    # The firm corrects its entry, which goes back to the regulator.
    certifications.revise(world.enterprise_a, cert, **{**CERT, "certificate_no": "CQC25CP0124"}, today=date(2025, 3, 26))
    db.session.commit()
    assert (cert.status, cert.certificate_no, cert.decision_note) == ("pending", "CQC25CP0124", None)
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "certification.reject"))
    assert log.note == "证书编号与认证机构公示信息不符。" and action_label(log.action) == "不予核实评价认证"


def test_the_firm_cannot_confirm_its_own_certification(world, listed, client_for):
    listed(world.ent_a, date(2025, 3, 1))
    cert = _record(world.enterprise_a, world.ent_a)
    with pytest.raises(PermissionDenied, match="企业不能核实本企业的评价认证"):
        certifications.confirm(world.enterprise_a, cert)
    response = client_for(world.enterprise_a).post(f"/audits/certifications/{cert.id}", data={"decision": "confirm"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Certification, cert.id).status == "pending"


def test_another_citys_regulator_gets_404_and_cannot_decide(world, listed, client_for):
    listed(world.ent_a, date(2025, 3, 1))
    cert = _record(world.enterprise_a, world.ent_a)
    other = client_for(world.regulator_b)
    assert other.get(f"/audits/certifications/{cert.id}").status_code == 404
    assert other.post(f"/audits/certifications/{cert.id}", data={"decision": "confirm"}).status_code == 404
    assert other.get(f"/audits/certifications/{cert.id}/file").status_code == 404
    assert other.get(f"/audits/enterprises/{world.ent_a.id}/certification").status_code == 404
    with pytest.raises(PermissionDenied):
        certifications.confirm(world.regulator_b, cert)
    with pytest.raises(PermissionDenied):
        _record(world.regulator_b, world.ent_a, certificate_no="X-1")
    assert cert.status == "pending"
    assert other.get("/audits/certifications").get_data(as_text=True).count("CQC25CP0123") == 0
    own = client_for(world.regulator_a)
    assert "CQC25CP0123" in own.get("/audits/certifications").get_data(as_text=True)


def test_a_regulator_confirms_through_the_page(world, listed, client_for):
    round_ = listed(world.ent_a, date(2025, 3, 1))
    cert = _record(world.regulator_a, world.ent_a)  # a regulator may record it for the firm
    page = client_for(world.regulator_a)
    assert page.get(f"/audits/certifications/{cert.id}/file").data == PDF
    response = page.post(f"/audits/certifications/{cert.id}", data={"decision": "confirm", "note": "核对无误"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AuditRound, round_.id).state == "certified"


def test_the_firm_cannot_rewrite_a_confirmed_certificate(world, listed, client_for):
    listed(world.ent_a, date(2025, 3, 1))
    cert = _record(world.enterprise_a, world.ent_a)
    certifications.confirm(world.regulator_a, cert, today=date(2025, 3, 25))
    db.session.commit()
    with pytest.raises(PermissionDenied, match="不能修改"):
        certifications.revise(world.enterprise_a, cert, **{**CERT, "certificate_no": "FORGED"})
    firm = client_for(world.enterprise_a)
    assert firm.get(f"/audits/certifications/{cert.id}/revise").status_code == 403
    assert firm.post(f"/audits/certifications/{cert.id}/revise", data={**CERT, "certificate_no": "FORGED",
                                                                       "certified_on": "2025-01-15"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Certification, cert.id).certificate_no == "CQC25CP0123"


def test_one_pending_certification_at_a_time_and_one_certificate_counts_once(world, make_enterprise, make_user):
    _record(world.enterprise_a, world.ent_a)
    with pytest.raises(ValidationError, match="已有一份待核实"):
        _record(world.enterprise_a, world.ent_a, certificate_no="OTHER-1")
    db.session.rollback()
    other = make_enterprise("450100")
    with pytest.raises(ValidationError, match="已经登记"):
        _record(make_user("enterprise", enterprise=other), other)


@pytest.mark.parametrize("changes, field, message", [
    ({"certified_on": date(2025, 3, 21)}, "certified_on", "发证日期不能晚于今天（2025-03-20）"),
    ({"certified_on": date(2022, 3, 19)}, "certified_on", "只认 36 个月内发证的证书"),
    ({"certificate_no": "  "}, "certificate_no", "请填写证书编号"),
    ({"certifying_body": ""}, "certifying_body", "请填写认证机构"),
    ({"scope": ""}, "scope", "请填写认证范围"),
])
def test_bad_fields_are_refused_in_chinese_and_write_nothing(app, world, listed, changes, field, message):
    listed(world.ent_a, date(2025, 3, 1))
    with pytest.raises(InvalidFields) as refused:
        _record(world.enterprise_a, world.ent_a, **changes)
    assert message in refused.value.errors[field]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Certification.id))) == 0 and _uploads(app) == []


@pytest.mark.parametrize("data, filename, message", [
    (b"PK\x03\x04 not a pdf", "证书.docx", "认证证书须为 PDF 文件"),
    (b"GIF89a", "证书.pdf", "文件内容不是 PDF"),
    (b"", "", "请上传认证证书"),
])
def test_a_wrong_file_is_refused_and_writes_nothing(app, world, data, filename, message):
    with pytest.raises(ValidationError, match=message):
        _record(world.enterprise_a, world.ent_a, data=data, filename=filename)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Certification.id))) == 0 and _uploads(app) == []


def test_the_form_shows_each_error_beside_its_field_and_writes_nothing(app, world, client_for):
    from io import BytesIO

    firm = client_for(world.enterprise_a)
    assert firm.get("/audits/mine/certification").status_code == 200
    response = firm.post("/audits/mine/certification", data={
        "certificate_no": "", "certifying_body": "中国质量认证中心", "certified_on": "2999-01-01", "scope": "全厂",
        "file": (BytesIO(PDF), "证书.pdf")}, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "请填写证书编号" in body and "发证日期不能晚于今天" in body
    response = firm.post("/audits/mine/certification", data={
        **{k: str(v) for k, v in CERT.items()}, "file": (BytesIO(b"hello"), "证书.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "认证证书须为 PDF 文件" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Certification.id))) == 0 and _uploads(app) == []
    response = firm.post("/audits/mine/certification", data={
        **{k: str(v) for k, v in CERT.items()}, "file": (BytesIO(PDF), "证书.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Certification.id))) == 1 and len(_uploads(app)) == 1


def test_a_round_under_review_is_not_closed_under_its_panel(world, listed, advance):
    round_ = advance(listed(world.ent_a, date(2025, 3, 1)), "evaluation")
    cert = _record(world.enterprise_a, world.ent_a, today=date(2026, 3, 5))
    with pytest.raises(ValidationError, match="须待专家组出具结论"):
        certifications.confirm(world.regulator_a, cert, today=date(2026, 3, 6))
    assert round_.state == "evaluation"


def test_the_statistics_count_a_certified_listing_as_completed(world, listed):
    from platform.stats import services as stats
    from platform.stats.services import Filters

    listed(world.ent_a, date(2025, 3, 1))
    listed(world.ent_b, date(2025, 3, 1))
    cert = _record(world.enterprise_a, world.ent_a)
    certifications.confirm(world.regulator_a, cert, today=date(2025, 3, 25))
    db.session.commit()
    summary = stats.summary(world.province, Filters())
    assert (summary["rounds_listed"], summary["rounds_completed"]) == (2, 1)
