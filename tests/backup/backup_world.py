"""Helpers of the backup tests: a database with a row in every table, its full contents, and archives
taken apart and put back together (to corrupt them on purpose)."""
import hashlib
import io
import json
import tarfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select, text

from platform.core.extensions import db
from platform.core.access import SYSTEM

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NOW = datetime(2026, 3, 2, 2, 0, 0, tzinfo=timezone(timedelta(hours=8)))  # the backups' clock
ON = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 1, 0, 0)  # stored times are naive UTC


def fill_every_table(make_enterprise, make_user) -> None:
    """A small demo (rounds at every stage, panels and scores, schemes, uploaded reports), a credit record
    carried through penalty, approval, delivery and a repair application, then one row in each table
    neither fills. A new table needs a line here: the round-trip test names any table left empty."""
    from platform import demo
    from platform.accounts.models import LoginFailure, User
    from platform.accounts.services import issue_token, start_session
    from platform.audits.models import AuditRound, Notice, ParkRound
    from platform.enterprises.models import Park
    from platform.experts.models import Expert, ExpertConflict, ExpertNotice
    from platform.reviews.models import Panel, PanelRequest
    from platform.core.scheduler.models import ApschedulerJob, SchedulerJobRun, SchedulerLease

    demo.ENTERPRISES_PER_CITY, full_size = 3, demo.ENTERPRISES_PER_CITY  # the full demo takes 15-40 s
    try:
        demo.load_demo()
    finally:
        demo.ENTERPRISES_PER_CITY = full_size
    db.session.commit()
    user = lambda name: db.session.scalar(select(User).where(User.username == name))  # noqa: E731
    enterprise = make_enterprise("450100", name="备份测试受罚企业有限公司")
    _credit_record_with_repair(enterprise, make_user("enterprise", enterprise=enterprise),
                               user("nn-regulator"), user("gx-regulator"))
    _listing_evidence_and_proposal(make_enterprise, user("nn-regulator"))
    first = lambda model: db.session.scalar(select(model).order_by(model.id))  # noqa: E731
    issue_token(SYSTEM, user("admin"), name="备份测试令牌")
    start_session(user("admin"), "127.0.0.1")
    db.session.add(LoginFailure(username="admin", address="203.0.113.9", at=AT))
    from platform.accounts.models import ResetRequest
    from platform.accounts.resets import issue as issue_reset_link

    issue_reset_link(user("nn-enterprise"), "admin", created_by=user("admin"))
    db.session.add(ResetRequest(address="203.0.113.9", typed_hash="0" * 64, at=AT))
    park = first(Park)
    db.session.add(ParkRound(park_id=park.id, title=f"{park.name}整体清洁生产审核", created_at=AT))
    db.session.add(ExpertConflict(expert_id=first(Expert).id, uscc=enterprise.uscc, organisation=enterprise.name,
                                  note="曾为该企业提供咨询", created_at=AT))
    panel = first(Panel)
    db.session.add(PanelRequest(panel_id=panel.id, kind="cancel", reason="评审会改期", state="pending",
                                requested_by_id=user("nn-regulator").id, requested_at=AT))
    db.session.add(ExpertNotice(expert_id=first(Expert).id, panel_id=panel.id, message="专家组撤销申请待批准。",
                                created_at=AT))
    round_ = first(AuditRound)
    db.session.add(Notice(enterprise_id=round_.enterprise_id, round_id=round_.id, deadline="report_due_on",
                          days_before=7, due_on=date(2026, 3, 9), message="提醒：距“提交审核报告”的截止日期已不足 7 天。",
                          created_on=ON))
    db.session.add(ApschedulerJob(id="backup-test-job", next_run_time=1772416800.25, job_state=bytes(range(256))))
    db.session.add(SchedulerJobRun(job_id="compliance_scan", holder="host:1:backup", started_at=AT,
                                   finished_at=AT + timedelta(seconds=3), outcome="ok", summary="新开案件 0 件"))
    # Expired long ago: a live lease would (rightly) stop a restore.
    db.session.add(SchedulerLease(name="scheduler", holder="host:1:backup", expires_at=datetime(2020, 1, 1)))
    db.session.commit()


def _listing_evidence_and_proposal(make_enterprise, regulator) -> None:
    """A firm's permit, exceedance, energy record and declared chemical, and 南宁's proposed list."""
    from decimal import Decimal

    from platform.core.reference.services import priority_chemical
    from platform.listing import services as listing
    from platform.listing.models import ChemicalDeclaration, DischargePermit, EnergyRecord, MonitoringRecord

    firm = make_enterprise("450100", name="备份测试候选化工有限公司")
    db.session.add_all([
        DischargePermit(permit_no="BK-0001", enterprise_id=firm.id, unit_name=firm.name, industry_code="2614",
                        management_class="key", valid_from=date(2024, 1, 1), valid_to=date(2028, 12, 31),
                        issuing_authority="南宁市生态环境局"),
        MonitoringRecord(enterprise_id=firm.id, pollutant="化学需氧量", measured_on=date(2026, 2, 1),
                         measured_value=Decimal("75.5"), limit_value=Decimal("60"), unit="mg/L",
                         annual_total=Decimal("130.25"), permitted_total=Decimal("120")),
        EnergyRecord(enterprise_id=firm.id, year=2025, total_tce=Decimal("12000"), product="烧碱",
                     unit_consumption=Decimal("330"), unit_label="kgce/t", quota_value=Decimal("315"),
                     quota_standard="GB 21257"),
        ChemicalDeclaration(enterprise_id=firm.id, chemical_id=priority_chemical("PC006").id, kind="use",
                            amount_t=Decimal("3.5"), year=2026)])
    db.session.flush()
    listing.start(regulator, as_of=ON)
    db.session.commit()


def _credit_record_with_repair(enterprise, enterprise_user, regulator, province) -> None:
    """Listed 2026-01-05, silent past every deadline, penalised 2026-04-10, published to the file drop,
    and a credit repair applied for once the minimum period has passed."""
    from platform.audits import cases, services as audits
    from platform.audits.jobs import compliance_scan
    from platform.audits.models import Case
    from platform.audits.rules import ART39
    from platform.credit import jobs, services as credit

    listed_on = date(2026, 1, 5)
    audits.publish_batch(regulator, title="备份测试名单", published_on=listed_on, usccs=[enterprise.uscc], today=listed_on)
    compliance_scan(date(2026, 2, 6))
    case = db.session.scalar(select(Case).where(Case.enterprise_id == enterprise.id, Case.cause == "disclosure_overdue"))
    cases.order_rectification(regulator, case, deadline=date(2026, 3, 2), today=date(2026, 2, 9))
    compliance_scan(date(2026, 3, 3))
    db.session.commit()  # the scan updates in bulk: reload the case
    decided_on = date(2026, 4, 10)
    decision = credit.record_penalty(
        regulator, case, decision_no=f"桂环罚〔2026〕{case.id}号", decided_on=decided_on, severity="general",
        facts="列入强制性清洁生产审核名单后逾期未公开企业信息，经责令限期整改仍未改正。", legal_basis=ART39.legal_basis,
        fine_yuan="100000", today=decided_on)
    credit.approve(province, decision.record, today=decided_on, now=datetime(2026, 4, 10, 8, 0))
    db.session.commit()
    jobs.publish(now=datetime(2026, 4, 10, 9, 0))
    credit.apply_for_repair(enterprise_user, decision.record, correction="已公开企业信息并开展清洁生产审核。",
                            commitment="本企业承诺依法开展清洁生产审核。", commitment_public=True, data=PDF,
                            filename="整改证明.pdf", paid_yuan="100000", paid_on=date(2026, 4, 20), voucher=PDF,
                            voucher_filename="缴款凭证.pdf", today=date(2026, 8, 1))
    db.session.commit()


def table_contents() -> dict[str, list[tuple]]:
    """Every row of every table (and the schema revision), ordered by primary key."""
    contents = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns))
        contents[table.name] = [tuple(row) for row in rows]
    contents["alembic_version"] = [tuple(row) for row in db.session.execute(text("SELECT version_num FROM alembic_version"))]
    db.session.rollback()
    return contents


def folder_contents(folder) -> dict[str, bytes]:
    folder = Path(folder)
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()} if folder.exists() else {}


def hidden_leftovers(*folders) -> list[Path]:
    """Work files a backup or restore must not leave behind (`.name.restore-…`, `.name.old-…`, `.x.tar.gz.…`)."""
    return [p for folder in folders if Path(folder).exists() for p in Path(folder).iterdir() if p.name.startswith(".")]


# --- archives taken apart ------------------------------------------------------------------------

def read_members(archive) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {info.name: tar.extractfile(info).read() for info in tar}


def write_members(archive, members: dict[str, bytes]) -> Path:
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return Path(archive)


def manifest_of(members: dict[str, bytes]) -> dict:
    return json.loads(members["manifest.json"])


def resealed(members: dict[str, bytes], **fields) -> dict[str, bytes]:
    """The members with a manifest that matches them again (as a forger, or newer code, would write it)."""
    manifest = manifest_of(members)
    manifest.update(fields)
    manifest["members"] = {name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                           for name, data in members.items() if name != "manifest.json"}
    return {**members, "manifest.json": json.dumps(manifest).encode()}
