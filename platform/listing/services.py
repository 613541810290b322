"""Proposal (提出), confirmation (核定) and publication (公布) of a mandatory-audit list.

A city regulator of a listing department draws its city's candidates for its department's causes into
a proposal, drops or adds enterprises (each with a reason), and submits it. The province regulator of
the same department confirms it or returns it with a reason. A province regulator publishes confirmed
proposals as one list with its 文号 and date: the audits feature's `publish_batch` creates the batch
and each enterprise's listed round (its reason and toxic flag from the causes), and the date starts
the legal clocks (audits.rules.listing_deadlines). The province does not propose: a list starts in the
city that knows the firms (local practice, rules.PROPOSAL). Every step is written to the audit log.
"""
from datetime import date

from sqlalchemy import select

from ..accounts.models import DEPARTMENTS
from ..audits import services as audits
from ..core import access
from ..core.auditlog.services import record as log
from ..core.dates import beijing_today
from ..core.errors import InvalidFields, NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.models_base import utcnow
from ..core.reference.models import Division
from ..enterprises import services as enterprises
from . import candidates as candidate_rules
from . import rules
from .models import CAUSES, ListProposal, ProposalEntry

MAX_REASON = 500
FLAG_OF_CAUSE = {"over_discharge": "over_discharge", "over_energy": "over_energy_quota", "toxic": "toxic_substances"}
OPEN_STATES = ("draft", "submitted", "returned")


def department_name(code: str | None) -> str:
    return DEPARTMENTS.get(code or "", "")


# --- who may act ---------------------------------------------------------------------------------

def proposes_lists(actor) -> bool:
    """Whether `actor` may open the listing pages: a person regulating for a department that proposes
    lists (the menus ask this; require_listing_regulator refuses everyone else)."""
    return access.is_person(actor, "regulator") and getattr(actor, "department", None) in rules.listing_departments()


def require_listing_regulator(actor) -> str:
    """A person regulating for a department that proposes lists; returns the department."""
    if not access.is_person(actor, "regulator"):
        raise PermissionDenied("只有监管部门可以办理强制性清洁生产审核名单。")
    department = getattr(actor, "department", None)
    if not proposes_lists(actor):
        raise PermissionDenied("强制性清洁生产审核名单由生态环境部门和节能主管部门按职责办理，您所在部门无此职责。")
    return department


def _require_city_proposer(actor, proposal: ListProposal | None = None) -> None:
    department = require_listing_regulator(actor)
    if actor.division_code == Division.PROVINCE:
        raise PermissionDenied("名单由设区市主管部门提出，自治区主管部门负责核定和公布。")
    if proposal is not None and (proposal.city_code != actor.division_code or proposal.department != department):
        raise PermissionDenied("只能办理本市本部门提出的名单。")


def _require_province(actor, proposal: ListProposal | None = None) -> None:
    department = require_listing_regulator(actor)
    if actor.division_code != Division.PROVINCE:
        raise PermissionDenied("只有自治区主管部门可以核定和公布名单。")
    if proposal is not None and proposal.department != department:
        raise PermissionDenied(f"该名单由{department_name(proposal.department)}部门提出，应由自治区同一部门核定。")


def _reason(text, field: str = "reason", label: str = "理由") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(f"请填写{label}。", field)
    if len(text) > MAX_REASON:
        raise ValidationError(f"{label}最多 {MAX_REASON} 个字符。", field)
    return text


def _state(proposal: ListProposal, allowed: tuple[str, ...], action: str) -> None:
    if proposal.state not in allowed:
        raise ValidationError(f"该名单当前为“{proposal.state_label}”，不能{action}。", "state")


def _log(actor, action: str, proposal: ListProposal, **after) -> None:
    log(actor, action, "list_proposal", proposal.id, division_code=proposal.city_code,
        after={"state": proposal.state, "department": proposal.department, **after})


# --- reading -------------------------------------------------------------------------------------

def can_read(actor) -> bool:
    return access.is_person(actor, "regulator") and getattr(actor, "department", None) in rules.listing_departments()


def candidates_for(actor, as_of: date, city: str | None = None) -> list[candidate_rules.Candidate]:
    """The candidates the actor's department answers for, in its city (the province: any city, or all)."""
    department = require_listing_regulator(actor)
    if not access.province_wide(actor):
        city = actor.division_code
    found = candidate_rules.generate(as_of, city=city or None, causes=rules.causes_of(department))
    return found


def proposals_for(actor):
    """The proposals the actor sees: its city's (a city regulator), or every city's (the province)."""
    require_listing_regulator(actor)
    query = select(ListProposal)
    if not access.province_wide(actor):
        query = query.where(ListProposal.city_code == actor.division_code)
    return query.order_by(ListProposal.created_at.desc(), ListProposal.id.desc())


def waiting_for(actor):
    """The proposals waiting for the actor, of its own department: its city's returned proposals to
    revise and submit again (a city regulator), or the submitted ones to confirm (the province)."""
    state = "submitted" if access.province_wide(actor) else "returned"
    return proposals_for(actor).where(ListProposal.department == actor.department, ListProposal.state == state)


def get_proposal(actor, proposal_id: int) -> ListProposal:
    """A proposal of the actor's city (any, for the province); another city's reads as missing."""
    require_listing_regulator(actor)
    proposal = db.session.get(ListProposal, proposal_id)
    if proposal is None or not access.sees_city(actor, proposal.city_code):
        raise NotFound("未找到该名单。")
    return proposal


def get_entry(actor, proposal: ListProposal, entry_id: int) -> ProposalEntry:
    entry = db.session.get(ProposalEntry, entry_id)
    if entry is None or entry.proposal_id != proposal.id:
        raise NotFound("未找到该企业条目。")
    return entry


def confirmed_proposals(actor) -> list[ListProposal]:
    _require_province(actor)
    return list(db.session.scalars(select(ListProposal).where(ListProposal.state == "confirmed")
                                   .order_by(ListProposal.city_code, ListProposal.id)))


# --- the city proposes ---------------------------------------------------------------------------

def start(actor, *, as_of: date | None = None) -> ListProposal:
    """Draw the city's candidates for the actor's department into a new proposal, with their evidence."""
    _require_city_proposer(actor)
    as_of = as_of or beijing_today()
    if as_of > beijing_today():
        raise ValidationError("筛选日不能晚于今天。", "as_of")
    open_one = db.session.scalar(select(ListProposal).where(
        ListProposal.city_code == actor.division_code, ListProposal.department == actor.department,
        ListProposal.state.in_(OPEN_STATES)))
    if open_one is not None:
        raise ValidationError(f"本市本部门已有办理中的名单（第 {open_one.id} 号，{open_one.state_label}），"
                              "请先办结后再提出新名单。", "as_of")
    found = candidate_rules.generate(as_of, city=actor.division_code, causes=rules.causes_of(actor.department))
    proposal = ListProposal(city_code=actor.division_code, department=actor.department, state="draft", as_of=as_of,
                            proposed_by_id=actor.id)
    db.session.add(proposal)
    proof = candidate_rules.evidence([c.enterprise_id for c in found], as_of)
    for c in found:
        proposal.entries.append(ProposalEntry(
            enterprise_id=c.enterprise_id, causes=",".join(c.causes), department=c.department, source="rule",
            included=True, evidence=_evidence_items(proof[c.enterprise_id], c.counts)))
    db.session.flush()
    _log(actor, "list_proposal.create", proposal, as_of=as_of, candidates=len(found))
    return proposal


def _evidence_items(by_cause: dict, counts: dict | None = None) -> list[dict]:
    items = []
    for cause in CAUSES:
        for item in by_cause.get(cause, []):
            items.append({**item, "cause": cause})
        total = (counts or {}).get(cause, 0)
        shown = len(by_cause.get(cause, []))
        if total > shown:
            items.append({"kind": "more", "id": None, "cause": cause, "text": f"另有 {total - shown} 条记录未列出"})
    return items


def decide_entry(actor, proposal: ListProposal, entry: ProposalEntry, *, included: bool, reason: str | None) -> None:
    """Keep or drop an enterprise; dropping needs a reason."""
    _require_city_proposer(actor, proposal)
    _state(proposal, ("draft", "returned"), "修改")
    before = {"included": entry.included, "reason": entry.reason}
    if included:
        entry.included = True
        entry.reason = (reason or "").strip()[:MAX_REASON] or (entry.reason if entry.source == "manual" else None)
    else:
        entry.reason = _reason(reason, "reason", "删除理由")
        entry.included = False
    db.session.flush()
    log(actor, "list_proposal.keep" if included else "list_proposal.drop", "list_proposal", proposal.id,
        division_code=proposal.city_code, before=before,
        after={"enterprise": entry.enterprise.uscc, "included": entry.included, "reason": entry.reason})


def add_entry(actor, proposal: ListProposal, *, uscc: str, cause: str, reason: str, evidence_note: str) -> ProposalEntry:
    """Add a firm by hand, with the cause, the reason and a note of the evidence."""
    _require_city_proposer(actor, proposal)
    _state(proposal, ("draft", "returned"), "修改")
    errors = {}
    enterprise = enterprises.by_uscc(uscc)
    if enterprise is None or enterprise.city_code != proposal.city_code:
        errors["uscc"] = "未找到本市登记的该统一社会信用代码对应的企业。"
    elif any(e.enterprise_id == enterprise.id for e in proposal.entries):
        errors["uscc"] = f"{enterprise.name}已在本名单中。"
    elif audits.current_round(enterprise.id) is not None:
        errors["uscc"] = f"{enterprise.name}已有未完成的审核轮次，不能列入名单。"
    if cause not in rules.causes_of(proposal.department):
        errors["cause"] = "请选择本部门负责的列入情形。"
    for field, label in (("reason", "增补理由"), ("evidence_note", "证据说明")):
        try:
            _reason(reason if field == "reason" else evidence_note, field, label)
        except ValidationError as exc:
            errors[field] = exc.message
    if errors:
        raise InvalidFields(errors)
    proof = candidate_rules.evidence([enterprise.id], proposal.as_of)[enterprise.id]
    entry = ProposalEntry(enterprise_id=enterprise.id, causes=cause, department=rules.department_for(cause),
                          source="manual", included=True, reason=reason.strip(), evidence_note=evidence_note.strip(),
                          evidence=_evidence_items({cause: proof.get(cause, [])}))
    proposal.entries.append(entry)
    db.session.flush()
    log(actor, "list_proposal.add", "list_proposal", proposal.id, division_code=proposal.city_code,
        after={"enterprise": enterprise.uscc, "cause": cause, "reason": entry.reason,
               "evidence_note": entry.evidence_note})
    return entry


def submit(actor, proposal: ListProposal) -> None:
    _require_city_proposer(actor, proposal)
    _state(proposal, ("draft", "returned"), "报送")
    if not proposal.included:
        raise ValidationError("名单中没有拟列入的企业，不能报送。", "state")
    proposal.state = "submitted"
    proposal.submitted_at = utcnow()
    proposal.return_reason = None
    db.session.flush()
    _log(actor, "list_proposal.submit", proposal, enterprises=len(proposal.included))


# --- the province confirms and publishes -----------------------------------------------------------

def return_proposal(actor, proposal: ListProposal, reason: str) -> None:
    _require_province(actor, proposal)
    _state(proposal, ("submitted",), "退回")
    proposal.return_reason = _reason(reason, "reason", "退回理由")
    proposal.state = "returned"
    db.session.flush()
    _log(actor, "list_proposal.return", proposal, reason=proposal.return_reason)


def confirm(actor, proposal: ListProposal) -> None:
    _require_province(actor, proposal)
    _state(proposal, ("submitted",), "核定")
    proposal.state = "confirmed"
    proposal.confirmed_by_id = actor.id
    proposal.confirmed_at = utcnow()
    db.session.flush()
    _log(actor, "list_proposal.confirm", proposal, enterprises=len(proposal.included))


def round_reason(causes: list[str], department: str) -> str:
    return "；".join(CAUSES[c] for c in causes) + f"。责任部门：{department_name(department)}"


def publish(actor, proposal_ids: list[int], *, document_no: str, published_on, title: str | None = None,
            today: date | None = None):
    """Publish confirmed proposals as one list: one batch, one listed round per enterprise."""
    _require_province(actor)
    errors = {}
    document_no = (document_no or "").strip()
    if not document_no:
        errors["document_no"] = "请填写文号。"
    elif len(document_no) > 100:
        errors["document_no"] = "文号最多 100 个字符。"
    chosen = [db.session.get(ListProposal, i) for i in dict.fromkeys(proposal_ids)]
    if not chosen or any(p is None or p.state != "confirmed" for p in chosen):
        errors["proposal_ids"] = "请选择已核定的名单。"
    if errors:
        raise InvalidFields(errors)
    # One enterprise proposed by two departments is listed once, for every cause.
    merged: dict[str, dict] = {}
    for proposal in chosen:
        for entry in proposal.included:
            item = merged.setdefault(entry.enterprise.uscc, {"causes": [], "departments": [], "entries": []})
            item["causes"] += [c for c in entry.cause_keys if c not in item["causes"]]
            item["departments"] += [entry.department] if entry.department not in item["departments"] else []
            item["entries"].append(entry)
    causes = {}
    for uscc, item in merged.items():
        ordered = [c for c in CAUSES if c in item["causes"]]
        reason = "；".join(CAUSES[c] for c in ordered) + "。责任部门：" + "、".join(
            department_name(d) for d in item["departments"])
        causes[uscc] = (reason, "toxic" in ordered, ordered)  # the causes choose the disclosure forms
    # The confirmed cause becomes the register's (Enterprise flags): the audit procedure and the repeat
    # deadline read them.
    for uscc, item in merged.items():
        enterprise = item["entries"][0].enterprise
        flags = {FLAG_OF_CAUSE[c]: True for c in item["causes"] if not getattr(enterprise, FLAG_OF_CAUSE[c])}
        if flags:
            enterprises.update(actor, enterprise, flags)
    title = (title or "").strip() or f"{published_on.year if isinstance(published_on, date) else ''}年强制性清洁生产审核名单"
    batch = audits.publish_batch(actor, title=title, published_on=published_on, usccs=list(merged),
                                 document_no=document_no, today=today, causes=causes)
    rounds = {r.enterprise_id: r for r in batch.rounds}
    for item in merged.values():
        for entry in item["entries"]:
            entry.round_id = rounds[entry.enterprise_id].id
    for proposal in chosen:
        proposal.state = "published"
        proposal.batch_id = batch.id
        _log(actor, "list_proposal.publish", proposal, batch_id=batch.id, document_no=document_no,
             published_on=published_on)
    db.session.flush()
    return batch


def entries_of_batch(batch_id: int) -> dict[int, ProposalEntry]:
    """round id -> its proposal entry, for the public list's causes and departments."""
    return {e.round_id: e for e in db.session.scalars(select(ProposalEntry).where(
        ProposalEntry.round_id.is_not(None)).join(ListProposal).where(ListProposal.batch_id == batch_id))}
