"""Withdrawal at the end of the publication period and through credit repair; public disclosure;
the regulators' 7-working-day watch."""
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from platform.core.dates import beijing_today
from platform.credit import jobs, services
from platform.credit.models import RepairApplication
from platform.core.errors import PermissionDenied, ValidationError
from platform.core.extensions import db

from credit_world import PDF, T0


def _apply(world, record, on: date, **changes):
    values = {"correction": "已缴纳罚款，并于 2026-05-20 公开企业信息、开展清洁生产审核。", "commitment": services.COMMITMENT_TEMPLATE,
              "commitment_public": True, "data": PDF, "filename": "整改证明.pdf", "paid_yuan": record.decision.fine_yuan,
              "paid_on": date(2026, 4, 20), "voucher": PDF, "voucher_filename": "缴款凭证.pdf", **changes}
    repair = services.apply_for_repair(world.enterprise_a, record, today=on, **values)
    db.session.commit()
    return repair


@pytest.fixture
def published(overdue_case, penalize, approve):
    """ent_a's general record decided 2026-04-10 (min. period to 2026-07-10, max. to 2027-04-10), published."""
    record = penalize(overdue_case())
    approve(record)
    jobs.publish(now=T0)
    assert record.state == "published"
    return record


def test_the_public_sees_a_published_record_with_its_period_and_no_private_data(app, world, records, client):
    [record] = records(1)
    enterprise = record.enterprise
    enterprise.contact_phone, enterprise.legal_representative = "0771-5550000", "王大明"
    record.legal_representative = "王大明"
    db.session.commit()
    assert client.get("/api/v1/credit-records").get_json()["total"] == 0  # approved, not yet at the channel
    jobs.publish(now=T0)
    as_of = date(2026, 6, 1)
    items = db.session.scalars(services.public_records(enterprise.uscc, as_of=as_of)).all()
    assert items == [record]
    assert db.session.scalars(services.public_records("不存在的企业", as_of=as_of)).all() == []
    if beijing_today() <= record.publish_until:  # the pages and the API read today's date
        listing = client.get(f"/api/v1/credit-records?q={enterprise.name[:6]}").get_json()
        assert listing["total"] == 1 and listing["page"] == 1
        item = listing["items"][0]
        assert item["decision_no"] == record.decision.decision_no and item["fine_yuan"] == 100000
        assert item["publication_period"] == {"from": "2026-04-10", "min_until": "2026-07-10", "until": "2027-04-10"}
        for text in (client.get("/api/v1/credit-records").get_data(as_text=True),
                     client.get("/credit").get_data(as_text=True),
                     client.get(f"/credit/r/{record.idempotency_key}").get_data(as_text=True),
                     client.get(f"/audit-status/{enterprise.uscc}").get_data(as_text=True)):
            assert "0771-5550000" not in text and "王大明" not in text
        assert record.decision.decision_no in client.get(f"/audit-status/{enterprise.uscc}").get_data(as_text=True)
        export = client.get("/credit/export.csv")
        assert export.status_code == 200 and "行政处罚决定书文号" in export.data.decode("utf-8-sig")


def test_repair_is_refused_before_the_minimum_period_has_passed(world, published):
    with pytest.raises(ValidationError, match="2026-07-11 起方可申请信用修复"):
        _apply(world, published, date(2026, 7, 10))
    db.session.rollback()
    repair = _apply(world, published, date(2026, 7, 11))
    assert repair.state == "pending" and repair.proof_size == len(PDF)
    with pytest.raises(ValidationError, match="已有待审核的信用修复申请"):
        _apply(world, published, date(2026, 7, 12))


def test_repair_needs_proof_in_pdf_and_a_public_commitment_and_only_the_enterprise_applies(world, published):
    with pytest.raises(ValidationError) as refused:
        _apply(world, published, date(2026, 8, 1), data=b"not a pdf", commitment_public=False, correction=" ")
    assert set(refused.value.errors) == {"correction", "commitment_public", "proof"}
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        services.apply_for_repair(world.enterprise_b, published, correction="x", commitment="y",
                                  commitment_public=True, data=PDF, filename="a.pdf", paid_yuan="100000",
                                  paid_on=date(2026, 4, 20), voucher=PDF, voucher_filename="v.pdf", today=date(2026, 8, 1))


def test_approved_repair_withdraws_the_record_at_once_and_the_channel_is_told(app, world, published):
    repair = _apply(world, published, date(2026, 8, 1))
    with pytest.raises(ValidationError, match="须写明理由"):
        services.decide_repair(world.regulator_a, repair, approved=False, reason="")
    with pytest.raises(PermissionDenied):
        services.decide_repair(world.regulator_b, repair, approved=True)
    db.session.rollback()
    services.decide_repair(world.regulator_a, repair, approved=True, today=date(2026, 8, 3), now=T0)
    db.session.commit()
    assert (published.state, published.withdrawal_reason, published.withdrawn_on) == ("withdrawn", "repaired",
                                                                                       date(2026, 8, 3))
    assert db.session.scalars(services.public_records(as_of=date(2026, 8, 3))).all() == []
    withdrawal = published.delivery("withdraw")
    assert (withdrawal.status, withdrawal.idempotency_key) == ("pending", f"{published.idempotency_key}-withdraw")
    report = jobs.publish(now=T0)
    assert report.sent == {"publish": 0, "withdraw": 1}
    dropped = Path(app.config["CREDIT_DROP_DIR"]) / f"{withdrawal.idempotency_key}.json"
    assert "信用修复" in dropped.read_text() and "本企业郑重承诺" in dropped.read_text()


def test_a_refused_repair_leaves_the_record_public_and_a_new_application_is_possible(world, published):
    repair = _apply(world, published, date(2026, 8, 1))
    services.decide_repair(world.regulator_a, repair, approved=False, reason="罚款尚未缴纳。", today=date(2026, 8, 2))
    db.session.commit()
    assert published.state == "published" and repair.decision_reason == "罚款尚未缴纳。"
    assert _apply(world, published, date(2026, 8, 20)).state == "pending"


def test_expiry_withdraws_a_record_the_day_after_its_maximum_period(world, published):
    assert jobs.expire(date(2027, 4, 10)) == 0
    assert jobs.expire(date(2027, 4, 11)) == 1
    db.session.commit()
    assert (published.state, published.withdrawal_reason) == ("withdrawn", "expired")
    assert jobs.expire(date(2027, 4, 12)) == 0  # idempotent
    assert published.delivery("withdraw").status == "pending"


def test_the_expiry_command_takes_a_date(app, published):
    result = app.test_cli_runner().invoke(args=["credit", "expire", "--as-of", "2027-04-11"])
    assert result.exit_code == 0 and "撤下信用记录 1 条" in result.output


@pytest.mark.config(CREDIT_CHANNEL="http", CREDIT_CHANNEL_TIMEOUT=0.8)
def test_a_record_withdrawn_before_it_ever_went_out_is_never_sent(sink, records):
    [record] = records(1)
    jobs.expire(date(2027, 4, 11))
    db.session.commit()
    assert record.delivery("publish").status == "cancelled" and record.delivery("withdraw") is None
    assert jobs.publish(now=T0).due == 0
    assert sink.received == []


@pytest.mark.config(CREDIT_CHANNEL="http", CREDIT_CHANNEL_TIMEOUT=0.8)
def test_a_withdrawal_waits_for_a_failing_publication_and_never_overtakes_it(sink, records):
    """Tried once and failed (after a timeout the channel may hold it), then withdrawn: the withdrawal goes out
    only once the publication is settled, and the channel gets them in order."""
    [record] = records(1)
    sink.plan = lambda number, kind, key: "error" if number == 1 else "ok"
    jobs.publish(now=T0)
    assert record.delivery("publish").attempts == 1
    jobs.expire(date(2027, 4, 11))
    db.session.commit()
    db.session.expire_all()
    assert record.delivery("publish").status == "cancelled"  # tried before: the channel may have it
    assert record.delivery("withdraw").status == "pending"
    jobs.publish()  # by the real clock, as the expiry queued the withdrawal
    assert [(r.kind, r.status) for r in sink.received] == [("publish", 500), ("withdraw", 404)]
    db.session.expire_all()
    assert record.delivery("withdraw").status == "dead"  # the channel never had it: a regulator sees why


def test_the_dashboard_shows_records_at_risk_of_the_7_working_day_rule_across_a_holiday(world, overdue_case,
                                                                                       penalize, approve):
    record = penalize(overdue_case(), decided_on=date(2026, 9, 28))  # due 2026-10-13, National Day between
    assert record.online_due == date(2026, 10, 13)
    assert services.at_risk(world.regulator_a, date(2026, 10, 9)) == []  # 3 working days left (10-10 is worked)
    [item] = services.at_risk(world.regulator_a, date(2026, 10, 10))
    assert (item["record"], item["working_days_left"], item["missed"]) == (record, 2, False)
    approve(record)
    [item] = services.at_risk(world.regulator_a, date(2026, 10, 14))
    assert item["missed"] and item["working_days_left"] == -1
    assert services.at_risk(world.regulator_b, date(2026, 10, 14)) == []  # another city's regulator
    jobs.publish(now=T0)
    assert services.at_risk(world.regulator_a, date(2026, 10, 14)) == []  # online: no longer at risk


def test_the_proof_is_served_only_to_the_enterprise_and_its_regulators(world, published, client_for):
    repair = _apply(world, published, date(2026, 8, 1))
    url = f"/credit/repairs/{repair.id}/proof"
    assert client_for(world.enterprise_a).get(url).data == PDF
    assert client_for(world.regulator_a).get(url).data == PDF
    assert client_for(world.enterprise_b).get(url).status_code == 404
    assert client_for(world.regulator_b).get(url).status_code == 404
    assert db.session.scalar(select(RepairApplication.proof_sha256)) == repair.proof_sha256


def test_every_credit_page_renders_for_those_it_is_for(world, published, client_for, client):
    repair = _apply(world, published, date(2026, 8, 1))
    regulator, company = client_for(world.regulator_a), client_for(world.enterprise_a)
    for url in ("/credit/dashboard", "/credit/records", "/credit/records?state=published&q=南宁",
                f"/credit/records/{published.id}", "/credit/dead-letters", f"/credit/repairs/{repair.id}"):
        response = regulator.get(url)
        assert response.status_code == 200, url
        assert published.subject_name in response.get_data(as_text=True) or "dead" in url
    for url in ("/credit/mine", f"/credit/repairs/{repair.id}"):
        assert company.get(url).status_code == 200, url
    assert company.get(f"/credit/records/{published.id}/repair").status_code == 200
    assert company.get("/credit/dashboard").status_code == 403
    assert client_for(world.enterprise_b).get(f"/credit/records/{published.id}/repair").status_code == 404
    assert client.get("/credit/dashboard").status_code == 302  # to the login page
    assert "信用信息" in regulator.get("/credit/dashboard").get_data(as_text=True)


def test_repair_needs_a_payment_voucher_of_exactly_the_fine(world, published):
    """信用修复管理办法: the penalty performed in full — a voucher for the wrong amount is refused."""
    for wrong in ("99999.99", "50000", ""):
        with pytest.raises(ValidationError) as refused:
            _apply(world, published, date(2026, 8, 1), paid_yuan=wrong)
        assert refused.value.field == "paid_yuan" or "paid_yuan" in refused.value.errors
        db.session.rollback()
    with pytest.raises(ValidationError) as refused:
        _apply(world, published, date(2026, 8, 1), voucher=b"", voucher_filename="")
    assert "voucher" in refused.value.errors or refused.value.field == "voucher"
    db.session.rollback()
    with pytest.raises(ValidationError) as refused:
        _apply(world, published, date(2026, 8, 1), paid_on=date(2026, 4, 1))  # before the decision
    assert "paid_on" in refused.value.errors or refused.value.field == "paid_on"
    db.session.rollback()
    assert db.session.scalar(select(func.count(RepairApplication.id))) == 0
    repair = _apply(world, published, date(2026, 8, 1))
    assert repair.paid_yuan == published.decision.fine_yuan and repair.voucher_sha256


def test_a_decision_without_a_fine_needs_no_voucher_and_says_so_to_the_channel(world, overdue_case, penalize, approve):
    """促进法 第三十六条: ordered to publish, no fine. 处罚有效期 and 公示截止期 are separate 双公示 fields."""
    from platform.credit.channel import record_fields

    record = penalize(overdue_case(), fine="")
    assert record.decision.fine_yuan == 0
    fields = record_fields(record)
    assert fields["penalty_category"] == "责令改正" and fields["valid_until"] == "2099-12-31"
    assert fields["publish_until"] == record.publish_until.isoformat() != fields["valid_until"]
    approve(record)
    jobs.publish(now=T0)
    db.session.commit()
    repair = services.apply_for_repair(world.enterprise_a, record, correction="已公布企业信息。",
                                       commitment=services.COMMITMENT_TEMPLATE, commitment_public=True, data=PDF,
                                       filename="整改证明.pdf", today=date(2026, 8, 1))
    assert repair.voucher_stored_name is None and repair.paid_yuan is None
