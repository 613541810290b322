"""Versions and approval: a new guide supersedes the old one; the chain never loops; only another
province regulator publishes; drafts stay private; every step is in the audit log."""
from datetime import date

import pytest

from platform.core.auditlog.models import AuditLog
from platform.core.errors import InvalidFields, PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.knowledge import services
from platform.knowledge.models import Document

PDF = b"%PDF-1.4\n% knowledge test\n%%EOF\n"


def snapshot():
    return [(d.id, d.status, d.currency, d.supersedes_id, d.title, d.version) for d in
            db.session.query(Document).order_by(Document.id)]


def test_a_new_guide_supersedes_the_old_one_and_both_show_their_history(app, people, draft, publish, client):
    old = publish(draft(people.drafter, "清洁生产审核评估与验收指南", edition="2008 年试行"), people.province)
    new = draft(people.drafter, "清洁生产审核评估与验收指南", edition="2018 年", supersedes_id=old.id)
    assert old.currency == "current"  # a draft replaces nothing yet
    publish(new, people.province, submitter=people.drafter)
    assert (old.currency, new.currency) == ("superseded", "current")
    assert old.successor is new and services.history(people.province, old) == [old, new]

    page = client.get(f"/knowledge/{old.id}").get_data(as_text=True)
    assert "本文件已被替代" in page and f'href="/knowledge/{new.id}"' in page and "2018 年" in page
    assert "版本沿革" in page and "2008 年试行" in page
    body = client.get(f"/api/v1/documents/{new.id}").get_json()
    assert body["supersedes_id"] == old.id and body["superseded_by_id"] is None
    assert [v["id"] for v in body["versions"]] == [old.id, new.id]
    assert client.get(f"/api/v1/documents/{old.id}").get_json()["superseded_by_id"] == new.id
    assert db.session.query(AuditLog).filter_by(action="document.supersede", object_id=str(old.id)).count() == 1


def test_a_document_cannot_supersede_itself_and_nothing_is_written(app, people, draft):
    document = draft(people.drafter, "钢铁行业清洁生产审核指南")
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.update(people.drafter, document, {"supersedes_id": document.id})
    db.session.rollback()
    assert refused.value.field == "supersedes_id" and "不能是本文件自身" in refused.value.message
    assert snapshot() == before


def test_a_loop_in_the_chain_of_versions_is_refused_and_nothing_is_written(app, people, draft):
    first = draft(people.drafter, "指南第一版")
    second = draft(people.drafter, "指南第二版", supersedes_id=first.id)
    third = draft(people.drafter, "指南第三版", supersedes_id=second.id)
    before = snapshot()
    # first <- second <- third: no version may replace one of its own successors, near or far.
    for document, target in ((first, second), (first, third), (second, third)):
        with pytest.raises(ValidationError) as refused:
            services.update(people.drafter, document, {"supersedes_id": target.id, "title": "改了标题"})
        db.session.rollback()
        assert refused.value.field == "supersedes_id" and "版本链不能形成循环" in refused.value.message
    assert snapshot() == before


def test_a_document_has_one_successor_and_the_replaced_one_must_exist(app, people, draft):
    old = draft(people.drafter, "旧指南")
    draft(people.drafter, "新指南甲", supersedes_id=old.id)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.create(people.drafter, {"kind": "audit_guide", "title": "新指南乙", "issuer": "生态环境部",
                                         "issued_on": "2020-01-01", "summary": "摘要", "body": "正文",
                                         "supersedes_id": old.id})
    assert "只能有一个新版本" in refused.value.message
    with pytest.raises(ValidationError) as missing:
        services.create(people.drafter, {"kind": "audit_guide", "title": "新指南丙", "issuer": "生态环境部",
                                         "issued_on": "2020-01-01", "summary": "摘要", "body": "正文",
                                         "supersedes_id": 99999})
    db.session.rollback()
    assert missing.value.field == "supersedes_id" and "不存在" in missing.value.message
    assert snapshot() == before


def test_the_edit_form_names_the_field_in_chinese(app, people, draft, client_for):
    document = draft(people.drafter, "钢铁行业清洁生产审核指南")
    client = client_for(people.drafter)
    form = {"kind": "audit_guide", "title": "钢铁行业清洁生产审核指南", "issuer": "生态环境部", "issued_on": "2018-04-12",
            "summary": "摘要", "body": "正文", "supersedes_id": str(document.id)}
    response = client.post(f"/admin/knowledge/{document.id}/edit", data=form)
    assert response.status_code == 422
    assert "“替代的旧版本”不能是本文件自身" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Document, document.id).supersedes_id is None


def test_bad_input_names_each_field(app, people):
    with pytest.raises(InvalidFields) as refused:
        services.create(people.drafter, {"kind": "novel", "title": "", "issuer": "", "issued_on": "2018-13-01",
                                         "summary": "", "industry_codes": "99"})
    errors = refused.value.errors
    assert set(errors) >= {"kind", "title", "issuer", "issued_on", "summary", "industry_codes"}
    assert "文件类别" in errors["kind"] and "发布日期" in errors["issued_on"]
    with pytest.raises(ValidationError) as no_content:
        services.create(people.drafter, {"kind": "policy", "title": "无正文", "issuer": "某厅", "issued_on": "2020-01-01",
                                         "summary": "摘要"})
    assert no_content.value.field == "body" and "正文或上传 PDF" in no_content.value.message


def test_a_pdf_is_checked_for_type_and_size(app, people, draft, client):
    with pytest.raises(ValidationError) as not_pdf:
        draft(people.drafter, "非 PDF", body=None, pdf=(b"hello", "指南.pdf"))
    assert not_pdf.value.field == "pdf" and "不是 PDF" in not_pdf.value.message
    db.session.rollback()
    app.config["RULE_OVERRIDES"] = {"knowledge.pdf_max_mb": 1}
    try:
        with pytest.raises(ValidationError) as too_big:
            draft(people.drafter, "过大", body=None, pdf=(PDF + b"0" * (1024 * 1024), "指南.pdf"))
        assert "不能超过 1 MB" in too_big.value.message
    finally:
        app.config["RULE_OVERRIDES"] = {}
    db.session.rollback()
    document = draft(people.drafter, "有 PDF 的指南", body=None, pdf=(PDF, "guide.pdf"))
    assert document.pdf_size == len(PDF) and len(document.pdf_sha256) == 64
    assert client.get(f"/knowledge/{document.id}/file.pdf").status_code == 404  # a draft's file is private too
    services.submit(people.drafter, document)
    services.approve(people.province, document)
    db.session.commit()
    response = client.get(f"/knowledge/{document.id}/file.pdf")
    assert response.status_code == 200 and response.data == PDF


def test_a_draft_and_a_pending_document_are_invisible_to_the_public(app, people, draft, client, client_for):
    document = draft(people.drafter, "广西清洁生产审核简易程序指南")
    for state in ("draft", "pending"):
        assert document.status == state
        assert client.get(f"/knowledge/{document.id}").status_code == 404
        assert client.get(f"/api/v1/documents/{document.id}").status_code == 404
        assert client_for(people.drafter).get(f"/knowledge/{document.id}").status_code == 200
        if state == "draft":
            services.submit(people.drafter, document)
            db.session.commit()


def test_the_author_cannot_approve_and_a_city_regulator_cannot_approve(app, people, draft):
    mine = draft(people.province, "省级起草的指南")
    services.submit(people.province, mine)
    db.session.commit()
    with pytest.raises(PermissionDenied) as author:
        services.approve(people.province, mine)
    assert "起草人不能审批本人起草的文件" in author.value.message
    with pytest.raises(PermissionDenied):
        services.approve(people.city_b, mine)
    with pytest.raises(PermissionDenied):
        services.approve(people.admin, mine)
    db.session.rollback()
    assert db.session.get(Document, mine.id).status == "pending"
    assert mine not in services.awaiting_approval(people.province) and mine in services.awaiting_approval(people.province_b)
    services.approve(people.province_b, mine)
    db.session.commit()
    assert mine.status == "published" and mine.approved_by_id == people.province_b.id


def test_the_author_is_refused_on_the_page_too(app, people, draft, client_for):
    mine = draft(people.province, "省级起草的指南")
    services.submit(people.province, mine)
    db.session.commit()
    client = client_for(people.province)
    response = client.post(f"/admin/knowledge/{mine.id}/approve", data={"note": ""})
    assert response.status_code == 403 and "起草人不能审批本人起草的文件" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Document, mine.id).status == "pending"


def test_rejection_needs_a_reason_and_returns_the_draft(app, people, draft):
    document = draft(people.drafter, "案例汇编", kind="case_compilation")
    services.submit(people.drafter, document)
    with pytest.raises(ValidationError) as refused:
        services.reject(people.province, document, note=" ")
    assert refused.value.field == "note"
    services.reject(people.province, document, note="摘要过于简略")
    db.session.commit()
    assert document.status == "draft" and document.review_note == "摘要过于简略"


def test_only_drafts_are_edited_and_only_by_their_author_or_the_province(app, people, draft, publish):
    document = draft(people.drafter, "评价指标体系", kind="indicator_system")
    with pytest.raises(PermissionDenied):
        services.update(people.city_b, document, {"title": "别人改的"})
    assert services.update(people.province, document, {"edition": "2019 年"}) is True
    publish(document, people.province_b)
    with pytest.raises(ValidationError) as refused:
        services.update(people.drafter, document, {"title": "发布后再改"})
    assert "只有草稿可以修改" in refused.value.message
    with pytest.raises(PermissionDenied):
        services.create(people.admin, {"kind": "policy", "title": "管理员起草", "issuer": "某厅",
                                       "issued_on": date(2020, 1, 1), "summary": "摘要", "body": "正文"})


def test_every_step_is_in_the_audit_log(app, people, draft, publish):
    old = publish(draft(people.drafter, "旧版"), people.province)
    new = draft(people.drafter, "新版", supersedes_id=old.id)
    services.update(people.drafter, new, {"summary": "改过的摘要"})
    publish(new, people.province, submitter=people.drafter)
    actions = [row.action for row in db.session.query(AuditLog).filter_by(object_type="document").order_by(AuditLog.id)]
    assert actions == ["document.create", "document.submit", "document.approve", "document.create",
                       "document.update", "document.submit", "document.approve", "document.supersede"]
