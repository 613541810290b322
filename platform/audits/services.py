"""The audit round's life: every transition is one function that checks role, region, state and
dates, changes the round, adds a timeline event and writes the audit log."""
import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from ..core import access
from ..core.auditlog.services import diff, record as log
from ..enterprises import services as enterprises
from ..enterprises.models import Enterprise, Park
from ..enterprises.uscc import normalize as normalize_uscc
from ..core.errors import NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core import uploads
from ..core.reference.models import Division
from . import disclosures, permits, procedures, rules
from .jobs import overdue_now
from .models import (CLOSED_STATES, DECLARED_STEPS, DISCLOSURE_CAUSES, KINDS, LEVELS, STATES, AuditRound, ListBatch, ParkRound, ReportFile, RoundEvent,
                     StepRecord)
from ..core.dates import beijing_today
from ..core.models_base import utcnow

# --- who may act -------------------------------------------------------------------------------

def require_enterprise(actor, round_: AuditRound) -> None:
    if access.is_system(actor):  # the CLI: an operator loading historical rounds on the enterprise's behalf
        return
    if not getattr(actor, "is_authenticated", False) or actor.role != "enterprise":
        raise PermissionDenied("只有企业本身可以进行此操作。")
    if actor.enterprise_id not in {r.enterprise_id for r in _members(round_)}:
        raise PermissionDenied("只能办理本企业的审核事项。")


def can_view_round(user, round_: AuditRound) -> bool:
    return access.sees_enterprise(user, round_.enterprise)


def get_round(user, round_id: int) -> AuditRound:
    round_ = db.session.get(AuditRound, round_id)
    if round_ is None or not can_view_round(user, round_):
        raise NotFound("未找到该审核轮次。")
    return round_


def _members(round_: AuditRound) -> list[AuditRound]:
    """A park round moves as a whole: the rounds of its enterprises that stand where this one does."""
    if round_.park_round is None:
        return [round_]
    return [r for r in round_.park_round.rounds if r.state == round_.state]


def declared_on(round_: AuditRound, step: str) -> date | None:
    """The date the enterprise gave for a step (the order of its steps is checked on these), else
    the round's own column."""
    entry = round_.step_record(step)
    return entry.declared_on if entry is not None else getattr(round_, DECLARED_STEPS[step][0])


# --- dates -------------------------------------------------------------------------------------

def _check_date(on, today: date | None, field: str, label: str, not_before: date | None = None,
                not_before_label: str = "") -> date:
    if not isinstance(on, date):
        raise ValidationError(f"请填写{label}。", field)
    today = today or beijing_today()
    if on > today:
        raise ValidationError(f"{label}不能晚于今天（{today.isoformat()}）。", field)
    if not_before and on < not_before:
        raise ValidationError(f"{label}不能早于{not_before_label}（{not_before.isoformat()}）。", field)
    return on


# --- witnessed and declared dates ----------------------------------------------------------------

# Who records a step decides what the date counts as: a regulator (or the CLI, loading a
# regulator's historic data) witnesses it; an enterprise or a service organisation declares it.
WITNESSING_ROLES = ("regulator", "admin")


def _witness(actor, round_: AuditRound, step: str, declared_on: date, today: date,
             witnessed_from: date | None = None) -> date:
    """Record how the platform learned of a declared step, and return the date that counts.

    The declared date counts when the platform recorded it in time: no more than the grace days
    (rules.DECLARED_DATE_GRACE_DAYS) after it, and not after the step's deadline when the declared
    date is by it. Otherwise the step counts from the day it was recorded, shown as 补录 / 逾期补录
    (待核实), until a regulator confirms the declared date against evidence (confirm_step).

    `witnessed_from`: the earliest day the platform itself saw the step done (a complete structured
    disclosure, disclosures.complete_on). A declared date before it waits for a regulator's
    confirmation too, and meanwhile the step counts from that day."""
    existing = round_.step_record(step)
    column, due_field, _label = DECLARED_STEPS[step]
    if existing is not None:  # a revised report after a failed evaluation: the first submission stands
        return getattr(round_, column)
    role = getattr(actor, "role", None) or "system"
    due = getattr(round_, due_field)
    backdated = (today - declared_on).days > rules.DECLARED_DATE_GRACE_DAYS.value
    late = due is not None and declared_on <= due < today
    early = witnessed_from is not None and declared_on < witnessed_from
    needs_confirmation = role not in WITNESSING_ROLES + ("system",) and (backdated or late or early)
    db.session.add(StepRecord(round=round_, step=step, declared_on=declared_on, recorded_on=today,
                              recorded_at=utcnow(), recorded_by_id=getattr(actor, "id", None), recorder_role=role,
                              status="pending" if needs_confirmation else "witnessed"))
    if not needs_confirmation:
        return declared_on
    return witnessed_from if early else today


def pending_confirmations(user):
    """Declared dates waiting for a regulator's confirmation, in the user's region, oldest first."""
    from ..enterprises.models import Enterprise as E

    return (select(StepRecord).join(AuditRound, AuditRound.id == StepRecord.round_id)
            .join(E, E.id == AuditRound.enterprise_id)
            .where(StepRecord.status == "pending", enterprises.scope_clause(user))
            .order_by(StepRecord.recorded_at, StepRecord.id))


def get_step_record(user, record_id: int) -> StepRecord:
    record = db.session.get(StepRecord, record_id)
    if record is None:
        raise NotFound("未找到该日期记录。")
    if not can_view_round(user, record.round):
        raise NotFound("未找到该日期记录。")
    return record


def _decidable(actor, record: StepRecord) -> AuditRound:
    """Only a regulator of the enterprise's region decides on a date, and only while it is pending."""
    access.require_regulator_of(actor, record.round.enterprise.city_code)
    if not access.is_person(actor, "regulator"):
        raise PermissionDenied("只有监管部门可以核实企业申报的日期。")
    if record.status != "pending":
        raise ValidationError(f"该日期记录当前为“{record.status_label}”，无需核实。", "status")
    return record.round


def confirm_step(actor, record: StepRecord, *, evidence_on, url: str | None = None, data: bytes = b"",
                 filename: str = "", note: str = "", today: date | None = None) -> None:
    """A regulator confirms, against evidence, the date on which a backdated step took place: an
    uploaded document (PDF) or a disclosure URL, and the date that evidence itself shows. That date
    then counts for the deadline, the scan, the statistics and the reminders."""
    round_ = _decidable(actor, record)
    today = today or beijing_today()
    url = (url or "").strip() or None
    if url and (not url.startswith(("http://", "https://")) or len(url) > 500):
        raise ValidationError("证据网址应以 http:// 或 https:// 开头，且不超过 500 个字符。", "url")
    has_file = bool(data) and bool(uploads.client_filename(filename))
    if not url and not has_file:
        raise ValidationError("请上传证明材料（PDF）或填写公开信息的网址，作为核实依据。", "evidence")
    if not isinstance(evidence_on, date):
        raise ValidationError("请填写证据所载日期（YYYY-MM-DD）。", "evidence_on")
    if evidence_on > record.recorded_on:
        raise ValidationError(f"证据所载日期不能晚于平台录入日期（{record.recorded_on.isoformat()}）；"
                              "晚于录入日的，以录入日为准，无需核实。", "evidence_on")
    earliest = round_.listed_on or round_.started_on
    if earliest and evidence_on < earliest and record.step != "auditing":
        raise ValidationError(f"证据所载日期不能早于名单公布日期（{earliest.isoformat()}）。", "evidence_on")
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError("核实说明不能超过 2000 个字符。", "note")
    if has_file:
        name = uploads.check_pdf(data, filename, label="证明材料", field="file")
        record.evidence_stored_name = uploads.store("evidence", data)
        record.evidence_original_name, record.evidence_sha256 = name, hashlib.sha256(data).hexdigest()
    column = DECLARED_STEPS[record.step][0]
    before = {"status": record.status, column: getattr(round_, column)}
    record.status, record.evidence_url, record.evidence_dated_on = "confirmed", url, evidence_on
    record.decided_by_id, record.decided_at, record.decision_note = actor.id, utcnow(), note or None
    setattr(round_, column, evidence_on)
    log(actor, "step.confirm", "audit_round", round_.id, before=before,
               after={"status": "confirmed", column: evidence_on, "evidence": url or record.evidence_original_name,
                      "evidence_sha256": record.evidence_sha256},
               division_code=round_.enterprise.city_code, note=note or f"核实{record.step_label}日期")


def refuse_step(actor, record: StepRecord, *, reason: str, today: date | None = None) -> None:
    """The regulator does not accept the declared date: the day the platform recorded the step counts."""
    round_ = _decidable(actor, record)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("不予采信须写明理由。", "reason")
    if len(reason) > 2000:
        raise ValidationError("理由不能超过 2000 个字符。", "reason")
    record.status, record.decided_by_id, record.decided_at, record.decision_note = "refused", actor.id, utcnow(), reason
    log(actor, "step.refuse", "audit_round", round_.id, before={"status": "pending"},
               after={"status": "refused", DECLARED_STEPS[record.step][0]: getattr(round_, DECLARED_STEPS[record.step][0])},
               division_code=round_.enterprise.city_code, note=reason)


def evidence_path(user, record_id: int) -> tuple[StepRecord, Path]:
    record = get_step_record(user, record_id)
    if not access.is_person(user, "regulator", "admin", "enterprise") or record.evidence_stored_name is None:
        raise NotFound("未找到该证明材料。")
    return record, uploads.stored_file("evidence", record.evidence_stored_name)


# --- the transitions ---------------------------------------------------------------------------

def _transition(actor, round_: AuditRound, move: str, on: date, action: str, note: str | None = None,
                **changes) -> None:
    """Take the round one step along its procedure's step table (procedures.py): `move` names the
    step, the table says from which states it may be taken and where it leads."""
    step = _require_move(round_, move, action)
    _move(actor, round_, step.to_state, on, note, **changes)


def _require_move(round_: AuditRound, move: str, action: str) -> procedures.Move:
    flow = procedures.flow_of(round_)
    step = flow.move(move)
    if step is None:
        raise ValidationError(f"该审核轮次适用{flow.label}，没有“{action}”这一步。", "state")
    if round_.state not in step.from_states:
        raise ValidationError(f"该审核轮次当前为“{round_.state_label}”，不能{action}。", "state")
    return step


def _move(actor, round_: AuditRound, to_state: str, on: date, note: str | None = None, **changes) -> None:
    before = round_.snapshot()
    from_state = round_.state
    round_.state = to_state
    for field, value in changes.items():
        setattr(round_, field, value)
    db.session.add(RoundEvent(round=round_, on=on, from_state=from_state, to_state=to_state,
                              actor_id=getattr(actor, "id", None), note=note))
    old, new = diff(before, round_.snapshot())
    log(actor, f"round.{to_state}", "audit_round", round_.id, before=old, after=new,
           division_code=round_.enterprise.city_code, note=note)


def _new_round(actor, enterprise: Enterprise, *, kind: str, state: str, on: date, batch=None, park_round=None,
               reason=None, carbon_in_scope=False, toxic_listed=False, **dates) -> AuditRound:
    open_round = current_round(enterprise.id)
    if open_round is not None:
        raise ValidationError(
            f"{enterprise.name}已有未完成的审核轮次（{open_round.kind_label}，{open_round.state_label}），"
            "须完成或撤销后才能开始新一轮。", "enterprise")
    procedure, reasons = rules.procedure_choice(enterprise)
    round_ = AuditRound(enterprise=enterprise, kind=kind, procedure=procedure, procedure_basis="\n".join(reasons),
                        combined_review=procedures.combined_for(procedure), state=state, batch=batch, park_round=park_round, reason=reason, carbon_in_scope=carbon_in_scope,
                        toxic_listed=toxic_listed, **permits.from_register(enterprise), **dates)
    db.session.add(round_)
    db.session.flush()
    db.session.add(RoundEvent(round=round_, on=on, from_state=None, to_state=state, actor_id=getattr(actor, "id", None)))
    log(actor, "round.create", "audit_round", round_.id, after=round_.snapshot(),
           division_code=enterprise.city_code)
    return round_


def current_round(enterprise_id: int) -> AuditRound | None:
    return db.session.scalar(select(AuditRound).where(
        AuditRound.enterprise_id == enterprise_id, AuditRound.state.not_in(CLOSED_STATES)))


def rounds_for(actor, *, q: str = "", state: str = "", kind: str = "", city: str = "", overdue: str = "",
               today: date | None = None):
    """The regulators' list of rounds in the actor's region, filtered, newest first."""
    access.require_role(actor, *access.READERS, message="只有监管部门可以查看审核轮次列表。")
    query = (select(AuditRound).join(Enterprise, Enterprise.id == AuditRound.enterprise_id)
             .where(enterprises.scope_clause(actor)))
    if q:
        query = query.where(enterprises.name_or_code(q))
    if state in STATES:
        query = query.where(AuditRound.state == state)
    if kind in KINDS:
        query = query.where(AuditRound.kind == kind)
    if city:
        query = query.where(Enterprise.city_code == city)
    if overdue:
        query = query.where(overdue_now(today or beijing_today()))
    return query.order_by(AuditRound.id.desc())


def public_status(uscc: str, today: date) -> tuple[Enterprise, list[tuple[AuditRound, list[dict]]]]:
    """What anyone may consult about an enterprise's audits, for the page and the API alike: the
    enterprise and its rounds (newest first), each with its deadlines as of `today`."""
    enterprise = enterprises.by_uscc(uscc)
    if enterprise is None:
        raise NotFound("未找到该统一社会信用代码对应的企业。", "uscc")
    return enterprise, [(r, deadlines(r, today)) for r in rounds_of(enterprise.id)]


def _mandatory_listed():
    """Enterprises on a published mandatory list (a mandatory round, not cancelled): public facts."""
    return (select(Enterprise).where(Enterprise.id.in_(select(AuditRound.enterprise_id).where(
        AuditRound.kind == "mandatory", AuditRound.state != "cancelled"))))


def public_listed(city: str = ""):
    """The enterprises listed for a mandatory audit, of one city or all, by name (the map's lists)."""
    query = _mandatory_listed()
    if city:
        query = query.where(Enterprise.city_code == city)
    return query.order_by(Enterprise.name, Enterprise.id)


def listed_by_city() -> dict[str, int]:
    """City code -> enterprises listed for a mandatory audit."""
    listed = _mandatory_listed().subquery()
    return dict(db.session.execute(select(listed.c.city_code, func.count()).group_by(listed.c.city_code)).all())


def rounds_of(enterprise_id: int) -> list[AuditRound]:
    return list(db.session.scalars(select(AuditRound).where(AuditRound.enterprise_id == enterprise_id)
                                   .order_by(AuditRound.id.desc())))


# The register's flag of each cause of listing (审核办法 第八条), for a list that names no cause.
CAUSE_FLAGS = {"over_discharge": "over_discharge", "over_energy": "over_energy_quota", "toxic": "toxic_substances"}


def _list_enterprise(actor, enterprise, batch, listed_on, reason, park_round=None, toxic_listed=None,
                     causes: list[str] | None = None) -> AuditRound:
    """`causes`: the causes it is listed for (the listing feature's proposal); else the register's flags."""
    toxic_listed = enterprise.toxic_substances if toxic_listed is None else toxic_listed
    if causes is None:
        causes = [c for c, flag in CAUSE_FLAGS.items() if getattr(enterprise, flag)]
        causes = [c for c in causes if c != "toxic"] + (["toxic"] if toxic_listed else [])
    ordered = [c for c in DISCLOSURE_CAUSES if c in causes]
    return _new_round(actor, enterprise, kind="mandatory", state="listed", on=listed_on, batch=batch,
                      park_round=park_round, reason=reason, listed_on=listed_on, toxic_listed=toxic_listed,
                      disclosure_causes=",".join(ordered) or None,
                      **rules.listing_deadlines(listed_on, rules.procedure_for(enterprise)))


def _enterprises_by_uscc(actor, usccs: list[str]) -> list[Enterprise]:
    codes = list(dict.fromkeys(normalize_uscc(c) for c in usccs if c and c.strip()))
    if not codes:
        raise ValidationError("请至少填写一家企业的统一社会信用代码。", "usccs")
    found = enterprises.by_usccs(codes)
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(f"以下统一社会信用代码未登记：{'、'.join(missing[:10])}。", "usccs")
    for e in found.values():
        access.require_regulator_of(actor, e.city_code)
    return [found[c] for c in codes]


def publish_batch(actor, *, title: str, published_on, usccs: list[str], document_no: str | None = None,
                  reason: str | None = None, today: date | None = None,
                  causes: dict[str, tuple] | None = None) -> ListBatch:
    """Publish a mandatory-audit list: every enterprise on it gets a listed round, or none does.

    `causes` (uscc -> (reason, toxic_listed[, cause keys])) gives each enterprise its own reason, says
    whether it is listed for toxic substances and for which causes (models.DISCLOSURE_CAUSES: the
    disclosure forms it fills) — the listing feature's candidates; without it every round takes
    `reason` and the enterprise's flags."""
    if not access.is_person(actor, "regulator"):
        raise PermissionDenied("只有监管部门可以公布强制性清洁生产审核名单。")
    access.require_regulator_of(actor, actor.division_code)
    title = (title or "").strip()
    if not title:
        raise ValidationError("请填写名单标题。", "title")
    _check_date(published_on, today, "published_on", "公布日期")
    chosen = _enterprises_by_uscc(actor, usccs)
    batch = ListBatch(title=title, document_no=(document_no or "").strip() or None, published_on=published_on,
                      division_code=actor.division_code, publisher_id=actor.id)
    db.session.add(batch)
    for enterprise in chosen:
        own_reason, toxic, *keys = (causes or {}).get(enterprise.uscc, (None, None))
        _list_enterprise(actor, enterprise, batch, published_on, own_reason or reason or enterprise.mandatory_reason,
                         toxic_listed=toxic, causes=keys[0] if keys else None)
    db.session.flush()
    log(actor, "batch.publish", "list_batch", batch.id, division_code=actor.division_code,
           after={"title": title, "published_on": published_on, "enterprises": len(chosen)})
    return batch


def list_from_import(actor, enterprise: Enterprise, listed_on: date, reason: str | None,
                     today: date | None = None) -> bool:
    """名单公布日期 in an import file: list the enterprise on that day's batch. True if it changed anything."""
    access.require_regulator_of(actor, enterprise.city_code)
    _check_date(listed_on, today, "listed_on", "名单公布日期")  # a list is published before it is imported
    open_round = current_round(enterprise.id)
    if open_round is not None:
        if open_round.kind == "mandatory" and open_round.listed_on == listed_on:
            return False  # re-importing the same file changes nothing
        raise ValidationError(f"该企业已有未完成的审核轮次（{open_round.state_label}），不能再次列入名单。", "listed_on")
    scope = actor.division_code if not access.is_system(actor) else Division.PROVINCE
    title = f"{listed_on.isoformat()} 强制性清洁生产审核名单"
    batch = db.session.scalar(select(ListBatch).where(
        ListBatch.published_on == listed_on, ListBatch.division_code == scope, ListBatch.title == title))
    if batch is None:
        batch = ListBatch(title=title, published_on=listed_on, division_code=scope, publisher_id=getattr(actor, "id", None))
        db.session.add(batch)
    _list_enterprise(actor, enterprise, batch, listed_on, reason or enterprise.mandatory_reason)
    return True


def create_park_round(actor, *, park_id: int, title: str, listed_on, usccs: list[str],
                      today: date | None = None) -> ParkRound:
    """List several enterprises of one park for an audit of the park as a whole (整体审核)."""
    if not access.is_person(actor, "regulator"):
        raise PermissionDenied("只有监管部门可以组织园区整体审核。")
    park = db.session.get(Park, park_id)
    if park is None:
        raise ValidationError("所选园区不存在。", "park_id")
    _check_date(listed_on, today, "listed_on", "公布日期")
    chosen = _enterprises_by_uscc(actor, usccs)
    outside = [e.name for e in chosen if e.park_id != park.id]
    if outside:
        raise ValidationError(f"以下企业不在{park.name}：{'、'.join(outside[:5])}。", "usccs")
    if len(chosen) < 2:
        raise ValidationError("园区整体审核至少包括两家企业。", "usccs")
    park_round = ParkRound(park=park, title=(title or "").strip() or f"{park.name}整体清洁生产审核")
    batch = ListBatch(title=f"{park_round.title}名单", published_on=listed_on, division_code=actor.division_code,
                      publisher_id=actor.id)
    db.session.add_all([park_round, batch])
    for enterprise in chosen:
        _list_enterprise(actor, enterprise, batch, listed_on, f"园区整体审核：{park.name}", park_round=park_round)
    return park_round


def start_voluntary(actor, *, kind: str, started_on, carbon_in_scope: bool = False,
                    today: date | None = None) -> AuditRound:
    """An enterprise starts a voluntary audit, or registers a certification that counts as one."""
    if not access.is_person(actor, "enterprise"):
        raise PermissionDenied("只有企业可以登记自愿性审核。")
    if kind not in ("voluntary", "certification"):
        raise ValidationError("审核类型应为自愿性审核或评价认证。", "kind")
    today = today or beijing_today()
    _check_date(started_on, today, "started_on", "开始日期")
    enterprise = db.session.get(Enterprise, actor.enterprise_id)
    round_ = _new_round(actor, enterprise, kind=kind, state="auditing", on=started_on, started_on=started_on,
                        carbon_in_scope=carbon_in_scope)
    round_.started_on = _witness(actor, round_, "auditing", started_on, today)
    return round_


def disclose(actor, round_: AuditRound, *, on, url: str | None = None, today: date | None = None) -> None:
    """Declare the enterprise's information disclosed (审核办法 第十一条). A round listed for a cause asks
    for that cause's structured form (disclosures.py): the step counts only once every form is filled,
    and from no earlier than the day the platform had them all, unless a regulator confirms an earlier
    date. A round listed for no cause (a voluntary round, a list typed in) declares a date and a URL."""
    require_enterprise(actor, round_)
    today = today or beijing_today()
    _check_date(on, today, "on", "信息公开日期", round_.listed_on, "名单公布日期")
    url = (url or "").strip() or None
    if url and not url.startswith(("http://", "https://")):
        raise ValidationError("公开网址应以 http:// 或 https:// 开头。", "url")
    _require_move(round_, "disclose", "登记信息公开")
    witnessed_from = {}
    for r in _members(round_):
        missing = disclosures.missing(r)
        if missing:
            names = "、".join(disclosures.FORMS[c].label for c in missing)
            who = "" if r is round_ else f"{r.enterprise.name}："
            raise ValidationError(f"{who}尚未填写{names}。按《清洁生产审核办法》第十一条，须填写完整后才能登记信息公开。",
                                  "forms")
        witnessed_from[r.id] = disclosures.complete_on(r)
    for r in _members(round_):
        counts = _witness(actor, r, "disclosed", on, today, witnessed_from[r.id])
        _transition(actor, r, "disclose", counts, "登记信息公开", disclosed_on=counts, disclosure_url=url)


def start_audit(actor, round_: AuditRound, *, on, carbon_in_scope: bool = False, today: date | None = None) -> None:
    require_enterprise(actor, round_)
    today = today or beijing_today()
    _check_date(on, today, "on", "审核开始日期", declared_on(round_, "disclosed"), "信息公开日期")
    for r in _members(round_):
        counts = _witness(actor, r, "auditing", on, today)
        _transition(actor, r, "start", counts, "开始审核", started_on=counts,
                    carbon_in_scope=carbon_in_scope or r.carbon_in_scope)


def submit_report(actor, round_: AuditRound, *, on, data: bytes, filename: str, today: date | None = None) -> ReportFile:
    """Upload the audit report (PDF) — first time, or revised after a failed evaluation."""
    require_enterprise(actor, round_)
    today = today or beijing_today()
    _check_date(on, today, "on", "报告提交日期", declared_on(round_, "auditing"), "审核开始日期")
    _require_move(round_, "submit_report", "提交审核报告")
    report = _store_report(actor, round_, data, filename)
    for r in _members(round_):
        first = r.step_record("report_submitted") is None
        counts = _witness(actor, r, "report_submitted", on, today)
        _transition(actor, r, "submit_report", counts if first else on, "提交审核报告",
                    note=f"审核报告：{report.original_name}", report_submitted_on=counts)
    return report


def _store_report(actor, round_: AuditRound, data: bytes, filename: str) -> ReportFile:
    name = uploads.check_pdf(data, filename, label="审核报告", field="file")
    report = ReportFile(round=round_, stored_name=uploads.store("reports", data), original_name=name,
                        sha256=hashlib.sha256(data).hexdigest(), size=len(data), uploaded_by=getattr(actor, "id", None))
    db.session.add(report)
    return report


def report_path(user, report_id: int) -> tuple[ReportFile, Path]:
    """The file of a report, for those allowed to read it (the enterprise and its regulators)."""
    report = db.session.get(ReportFile, report_id)
    if report is None:
        raise NotFound("未找到该审核报告。")
    if not can_view_round(user, report.round):
        raise PermissionDenied("您无权查看该审核报告。")
    return report, uploads.stored_file("reports", report.stored_name)


def begin_evaluation(actor, round_: AuditRound, *, on, today: date | None = None) -> None:
    access.require_regulator_of(actor, round_.enterprise.city_code)
    _check_date(on, today, "on", "评估开始日期", declared_on(round_, "report_submitted"), "报告提交日期")
    _transition(actor, round_, "begin_review", on, "组织评估", evaluation_started_on=on)


def conclude_evaluation(actor, round_: AuditRound, *, on, passed: bool, opinion: str = "",
                        today: date | None = None) -> None:
    access.require_regulator_of(actor, round_.enterprise.city_code)
    _check_date(on, today, "on", "评估结论日期", round_.evaluation_started_on, "评估开始日期")
    if passed:
        _transition(actor, round_, "pass_evaluation", on, "记录评估结论", note=opinion or None,
                    evaluation_concluded_on=on, acceptance_due=rules.acceptance_due(on))
    else:
        if not (opinion or "").strip():
            raise ValidationError("评估不通过须写明理由。", "opinion")
        _transition(actor, round_, "fail_evaluation", on, "记录评估结论", note=opinion,
                    evaluation_concluded_on=on)


def request_acceptance(actor, round_: AuditRound, *, on, today: date | None = None) -> None:
    require_enterprise(actor, round_)
    today = today or beijing_today()
    _check_date(on, today, "on", "验收申请日期", round_.evaluation_concluded_on, "评估通过日期")
    for r in _members(round_):
        first = r.step_record("acceptance") is None
        counts = _witness(actor, r, "acceptance", on, today)
        _transition(actor, r, "request_acceptance", counts if first else on, "申请验收",
                    acceptance_requested_on=counts)


def _checked_level(level: str | None, passed: bool) -> str | None:
    """The clean-production level found at acceptance (models.LEVELS), only for a passed acceptance."""
    level = (level or "").strip() or None
    if level is not None and level not in LEVELS:
        raise ValidationError("清洁生产水平应为 Ⅰ级（国际清洁生产领先）、Ⅱ级（国内清洁生产先进）或 Ⅲ级（国内清洁生产一般）。",
                              "level")
    if level is not None and not passed:
        raise ValidationError("验收不合格的，不评定清洁生产水平。", "level")
    return level


def _require_permit(round_: AuditRound) -> None:
    """A firm that must hold a discharge permit passes acceptance only with one recorded (permits.py)."""
    bar = permits.acceptance_bar(round_)
    if bar:
        raise ValidationError(bar, "permit")


def conclude_acceptance(actor, round_: AuditRound, *, on, passed: bool, opinion: str = "",
                        today: date | None = None, level: str | None = None) -> None:
    """`level`: the firm's clean-production level (models.LEVELS) the panel found, for a passed acceptance."""
    access.require_regulator_of(actor, round_.enterprise.city_code)
    _check_date(on, today, "on", "验收结论日期", declared_on(round_, "acceptance"), "验收申请日期")
    level = _checked_level(level, passed)
    if passed:
        _require_permit(round_)
        next_due = rules.next_round_due(on, round_.toxic_listed) if round_.kind == "mandatory" else None
        _transition(actor, round_, "pass_acceptance", on, "记录验收结论", note=opinion or None,
                    acceptance_concluded_on=on, next_round_due=next_due, clean_production_level=level)
    else:
        if not (opinion or "").strip():
            raise ValidationError("验收不合格须写明理由。", "opinion")
        _transition(actor, round_, "fail_acceptance", on, "记录验收结论", note=opinion,
                    acceptance_concluded_on=on)


def conclude_review(actor, round_: AuditRound, *, on, passed: bool, opinion: str = "",
                    today: date | None = None, level: str | None = None) -> None:
    """The simplified procedure's one review (评估验收合并): a pass accepts the round, a failure sends
    the enterprise back to revise its report."""
    access.require_regulator_of(actor, round_.enterprise.city_code)
    _check_date(on, today, "on", "评估验收结论日期", round_.evaluation_started_on, "审查开始日期")
    level = _checked_level(level, passed)
    if passed:
        _require_permit(round_)
        next_due = rules.next_round_due(on, round_.toxic_listed) if round_.kind == "mandatory" else None
        _transition(actor, round_, "pass_review", on, "记录评估验收结论", note=opinion or None,
                    evaluation_concluded_on=on, acceptance_concluded_on=on, next_round_due=next_due,
                    clean_production_level=level)
    else:
        if not (opinion or "").strip():
            raise ValidationError("评估验收不合格须写明理由。", "opinion")
        _transition(actor, round_, "fail_review", on, "记录评估验收结论", note=opinion, evaluation_concluded_on=on)


# The panel's stage (reviews/rules.STAGES) and the conclusion it records on the round.
CONCLUSIONS = {"evaluation": conclude_evaluation, "acceptance": conclude_acceptance, "review": conclude_review}


def conclude_stage(actor, round_: AuditRound, stage: str, *, on, passed: bool, opinion: str = "",
                   today: date | None = None, level: str | None = None) -> None:
    """`level`: the clean-production level, found where a review ends the audit (acceptance, or the
    simplified procedure's combined review); an evaluation finds none."""
    if stage == "evaluation":
        if level:
            raise ValidationError("清洁生产水平在验收时评定，评估结论不评定。", "level")
        conclude_evaluation(actor, round_, on=on, passed=passed, opinion=opinion, today=today)
    else:
        CONCLUSIONS[stage](actor, round_, on=on, passed=passed, opinion=opinion, today=today, level=level)


def cancel(actor, round_: AuditRound, *, reason: str, today: date | None = None) -> None:
    """Withdraw a round listed in error (its open cases close at the next scan)."""
    access.require_regulator_of(actor, round_.enterprise.city_code)
    if not (reason or "").strip():
        raise ValidationError("撤销审核轮次须写明理由。", "reason")
    if not round_.is_open:
        raise ValidationError(f"该审核轮次当前为“{round_.state_label}”，不能撤销。", "state")
    _move(actor, round_, "cancelled", today or beijing_today(), note=reason, cancelled_reason=reason)


def close_by_certification(actor, round_: AuditRound, *, on: date, note: str, next_round_due: date | None) -> None:
    """A confirmed certification counts as the audit (certifications.confirm): the open round ends in
    `certified`, its listing obligation met; no deadline of it is scanned from then on."""
    if not round_.is_open:
        raise ValidationError(f"该审核轮次当前为“{round_.state_label}”，无需以评价认证了结。", "state")
    _move(actor, round_, "certified", on, note=note, next_round_due=next_round_due)


def new_certification_round(actor, enterprise: Enterprise, *, on: date, note: str) -> AuditRound:
    """A confirmed certification of an enterprise with no open round: a closed round of its own kind."""
    round_ = _new_round(actor, enterprise, kind="certification", state="certified", on=on, started_on=on)
    round_.events[-1].note = note
    return round_


def deadlines(round_: AuditRound, as_of: date) -> list[dict]:
    """The round's deadlines for display: label, due date, the date that counts, whether met, days
    left, and how the platform learned of the step (`entry`: witnessed, or backdated and 待核实)."""
    items = [(due_field, label, column, step) for step, (column, due_field, label) in DECLARED_STEPS.items()]
    items.append(("next_round_due", "开展下一轮强制性审核", None, None))
    out = []
    for field, label, column, step in items:
        due = getattr(round_, field)
        if due is None:
            continue
        done_on = getattr(round_, column) if column else None
        entry = round_.step_record(step) if step else None
        unconfirmed = entry is not None and entry.status == "pending"
        late = bool(done_on and done_on > due)
        out.append({"key": field, "label": label, "due": due, "done_on": done_on, "entry": entry,
                    "unconfirmed": unconfirmed, "met": bool(done_on) and not late,
                    "late": late, "overdue": done_on is None and as_of > due,
                    "days_left": (due - as_of).days if done_on is None else None})
    return out
