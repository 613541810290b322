"""Review panels: the recorded random draw, replacements, scoring and the conclusion that moves the round.

The draw itself is pure (draw.py); this module gathers its facts from the database, records
everything needed to replay it, and hands the panel's conclusion to the audit pool.

Who sees a draw. While the panel scores, its draws are sealed: no page, answer or audit-log entry
shows the seed, the nonce, the candidate, eligible or exclusion lists or their counts, to anyone —
the public, the enterprise, the experts, and the regulators and administrators too. Everyone sees
the commitment (draw.commitment) from the moment of the draw. The regulators who organise the
review (the round's city, the province) and administrators see the members they must convene, as
the members see their own seat; that is all a sealed draw gives away. When the panel has concluded
or was cancelled the record is revealed to everyone: seed, nonce, lists and the replay, so that
anyone can check the commitment and the members. Keeping the seed from the regulators as well
means no account, however privileged, can leak a way to recompute a panel at work.
"""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..core import access
from ..core.auditlog.services import record
from ..audits import services as audits
from ..audits.models import AuditRound
from ..enterprises import services as enterprises
from ..enterprises.models import Enterprise
from ..core.errors import InvalidFields, NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.models_base import utcnow
from ..experts import services as pool
from ..training import services as training
from . import draw, rules
from ..experts.models import Expert, ServiceOrg
from .models import Panel, PanelDraw, PanelExclusion, PanelMember, PanelRequest, Score
from ..experts.services import expert_of
from ..core.dates import beijing_today
from ..core.access import SYSTEM

CONFLICTS = ("same_employer", "service_org", "declared")


# --- the facts of a draw -------------------------------------------------------------------------

def _candidates(on: date) -> list[draw.Candidate]:
    """Every expert in the pool, by id: the draw's candidate list, with their training standing on `on`."""
    experts = list(db.session.scalars(select(Expert).options(selectinload(Expert.industries),
                                                             selectinload(Expert.conflicts)).order_by(Expert.id)))
    short = training.short_of_training(experts, on)
    return [_candidate(e, e.id in short) for e in experts]


def _candidate(expert: Expert, short_of_training: bool = False) -> draw.Candidate:
    return draw.Candidate(id=expert.id, status=expert.status, employer_uscc=expert.employer_uscc,
                          industry_codes=frozenset(expert.industry_codes),
                          declared_usccs=frozenset(c.uscc for c in expert.conflicts),
                          short_of_training=short_of_training)


def _review(round_: AuditRound, panel: Panel | None = None, declining: PanelMember | None = None) -> draw.Review:
    org = db.session.get(ServiceOrg, round_.service_org_id) if round_.service_org_id else None
    members = panel.members if panel is not None else []
    return draw.Review(
        enterprise_uscc=round_.enterprise.uscc, industry_code=round_.enterprise.industry_code,
        service_org_uscc=org.uscc if org else None,
        on_panel=frozenset(m.expert_id for m in members if m.state == "active" and m is not declining),
        declined=frozenset(m.expert_id for m in members if m.state == "declined" or m is declining))


def conflict_with(expert: Expert, round_: AuditRound) -> str | None:
    """The conflict of interest (a rules.EXCLUSION_REASONS code) the expert has with the round now, if any."""
    reason = draw.exclusion_reason(_candidate(expert), _review(round_))
    return reason if reason in CONFLICTS else None


# --- drawing -------------------------------------------------------------------------------------

def panel_sizes(stage: str) -> tuple[int, int]:
    """The least and the most members a panel of this stage may have: the combined review of the
    simplified procedure has its own, fixed size (rules.COMBINED_PANEL_SIZE)."""
    if stage == "review":
        return rules.COMBINED_PANEL_SIZE.value, rules.COMBINED_PANEL_SIZE.value
    return rules.MIN_PANEL_SIZE.value, rules.MAX_PANEL_SIZE.value


def _check_size(size, stage: str) -> int:
    lowest, highest = panel_sizes(stage)
    if not isinstance(size, int) or isinstance(size, bool) or not lowest <= size <= highest:
        if lowest == highest:
            raise ValidationError(f"{rules.STAGES[stage]}专家组人数应为 {lowest} 人。", "size")
        raise ValidationError(f"专家组人数应为 {lowest}–{highest} 人。", "size")
    return size


def _stage_started(round_: AuditRound, stage: str) -> date | None:
    return round_.acceptance_requested_on if stage == "acceptance" else round_.evaluation_started_on


def _record_draw(panel: Panel, outcome: draw.Outcome, actor) -> PanelDraw:
    seq = len(panel.draws) + 1
    nonce = draw.new_nonce()
    record_ = PanelDraw(panel=panel, seq=seq, seed=str(outcome.seed), nonce=nonce, requested=outcome.size,
                        commitment=draw.commitment(outcome.seed, nonce, outcome.size, outcome.candidate_ids,
                                                   outcome.exclusions),
                        candidate_ids=outcome.candidate_ids, chosen_ids=outcome.chosen_ids,
                        drawn_by_id=getattr(actor, "id", None))
    db.session.add(record_)
    db.session.flush()
    db.session.add_all([PanelExclusion(draw_id=record_.id, expert_id=expert_id, reason=reason)
                        for expert_id, reason in outcome.exclusions.items()])
    names = dict(db.session.execute(select(Expert.id, Expert.name).where(Expert.id.in_(outcome.chosen_ids))).all())
    members = [PanelMember(panel=panel, draw_id=record_.id, expert_id=expert_id, expert_name=names[expert_id])
               for expert_id in outcome.chosen_ids]
    db.session.add_all(members)
    db.session.flush()
    return record_


def draw_panel(actor, round_: AuditRound, *, size: int | None = None, meeting_on: date | None = None,
               location: str = "", seed: int | None = None, today: date | None = None) -> Panel:
    """Draw a panel for a round under evaluation or acceptance. All or nothing: too small a pool writes nothing."""
    access.require_regulator_of(actor, round_.enterprise.city_code)
    stage = round_.state
    if stage not in rules.STAGES:
        raise ValidationError(f"该审核轮次当前为“{round_.state_label}”，只有评估中或验收中的轮次才能抽取专家组。", "state")
    if db.session.scalar(select(Panel.id).where(Panel.round_id == round_.id, Panel.state == "scoring")):
        raise ValidationError("该轮次已有正在评审的专家组，不能重复抽取。", "state")
    size = _check_size(panel_sizes(stage)[0] if size is None else size, stage)
    today = today or beijing_today()
    started = _stage_started(round_, stage)
    if meeting_on is not None and started and meeting_on < started:
        raise ValidationError(f"评审会日期不能早于{rules.STAGES[stage]}开始日期（{started.isoformat()}）。", "meeting_on")
    outcome = draw.run(_candidates(today), _review(round_), draw.new_seed() if seed is None else seed, size,
                       stage_label=rules.STAGES[stage])
    panel = Panel(round=round_, stage=stage, state="scoring", size=size, service_org_id=round_.service_org_id,
                  pass_mark=rules.PASS_MARK.value,
                  veto_min_members=rules.VETO_MIN_MEMBERS.value, drawn_on=today, drawn_by_id=getattr(actor, "id", None),
                  meeting_on=meeting_on, location=(location or "").strip()[:200] or None)
    try:
        with db.session.begin_nested():
            db.session.add(panel)
            db.session.flush()
    except IntegrityError:  # another regulator drew for this round at the same instant
        raise ValidationError("该轮次已有正在评审的专家组，不能重复抽取。", "state") from None
    draw_record = _record_draw(panel, outcome, actor)
    # The log is read while the panel scores: it keeps the commitment, the record keeps the seed.
    record(actor, "panel.draw", "panel", panel.id, division_code=round_.enterprise.city_code, after={
        "round_id": round_.id, "stage": stage, "size": size, "commitment": draw_record.commitment,
        "members": outcome.chosen_ids})
    return panel


def _require_open_seat(member: PanelMember, doing: str) -> None:
    """The member still sits on a panel at work and has not signed."""
    if member.panel.state != "scoring":
        raise ValidationError(f"该专家组{member.panel.state_label}，不能再{doing}。", "state")
    if member.state != "active":
        raise ValidationError("该专家已拒绝参加本次评审。", "state")
    if member.signed_at:
        raise ValidationError(f"评审意见已签署，不能再{doing}。", "state")


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message, "reason")
    return reason


def _panel_label(panel: Panel) -> str:
    return f"{panel.round.enterprise.name}的清洁生产审核{panel.stage_label}"


def decline(actor, member: PanelMember, reason: str) -> PanelMember | PanelRequest:
    """A member declines their seat, and a replacement is drawn with a new seed (the new member is returned).

    A regulator declining on an expert's behalf only files a request (returned): a second
    regulator decides it (decide_request), and the expert is told. When no one is left to replace
    the member, nothing is written.
    """
    panel = member.panel
    round_ = panel.round
    if not access.is_person(actor, "expert"):
        access.require_regulator_of(actor, round_.enterprise.city_code)
    elif member.expert.user_id != actor.id:
        raise PermissionDenied("只能办理本人的评审邀请。")
    _require_open_seat(member, "拒绝参加")
    reason = _reason(reason, "请写明拒绝参加的理由（如利益冲突、时间冲突）。")
    if not access.is_system(actor) and actor.role != "expert":
        request = _file_request(actor, panel, "decline", reason, member=member)
        pool.notify(member.expert_id, f"监管部门申请代您拒绝参加{_panel_label(panel)}评审（理由：{reason}），"
                                          "须经另一名监管人员批准后生效；如有异议，请及时联系监管部门，"
                                          "或在批准前签署您的评审意见。", panel.id)
        return request
    return _decline(actor, member, reason)


def _decline(actor, member: PanelMember, reason: str, request: PanelRequest | None = None) -> PanelMember:
    panel = member.panel
    round_ = panel.round
    outcome = draw.run(_candidates(beijing_today()), _review(round_, panel, declining=member), draw.new_seed(), 1,
                       stage_label=panel.stage_label)
    member.state = "declined"
    member.declined_reason = reason[:1000]
    member.declined_at = utcnow()
    draw_record = _record_draw(panel, outcome, actor)
    replacement = next(m for m in panel.members if m.draw_id == draw_record.id)
    member.replaced_by = replacement
    record(actor, "panel.decline", "panel", panel.id, division_code=round_.enterprise.city_code,
           note=reason if request is None else f"{reason}（申请 #{request.id}，经第二名监管人员批准）",
           before={"member": member.expert_id}, after={"replacement": replacement.expert_id,
                                                       "commitment": draw_record.commitment, "draw": draw_record.seq})
    _lapse_requests(panel, member=member, keep=request, why="该专家已不在专家组中")
    return replacement


def cancel(actor, panel: Panel, reason: str) -> PanelRequest | None:
    """Withdraw a panel that will not conclude (e.g. the round was cancelled), always with a reason.

    Once a member has signed a score sheet, one regulator cannot discard it alone: the request is
    filed (and returned) for a second regulator to decide (decide_request). Otherwise the panel is
    withdrawn at once (None is returned). The members are told either way.
    """
    access.require_regulator_of(actor, panel.round.enterprise.city_code)
    if panel.state != "scoring":
        raise ValidationError(f"该专家组{panel.state_label}，不能撤销。", "state")
    reason = _reason(reason, "撤销专家组须写明理由。")
    signed = [m for m in panel.active_members if m.signed_at]
    if not access.is_system(actor) and signed:
        request = _file_request(actor, panel, "cancel", reason)
        for member in panel.active_members:
            pool.notify(member.expert_id, f"监管部门申请撤销{_panel_label(panel)}专家组（理由：{reason}），"
                                              "须经另一名监管人员批准后生效。", panel.id)
        return request
    _cancel(actor, panel, reason)
    return None


def _cancel(actor, panel: Panel, reason: str, request: PanelRequest | None = None) -> None:
    now = utcnow()
    discarded = [m for m in panel.active_members if m.signed_at]
    for member in discarded:
        member.discarded_at = now
    record(actor, "panel.cancel", "panel", panel.id, division_code=panel.round.enterprise.city_code,
           before={"state": panel.state}, after={"state": "cancelled",
                                                 "discarded_sheets": [m.expert_id for m in discarded]},
           note=reason if request is None else f"{reason}（申请 #{request.id}，经第二名监管人员批准）")
    panel.state = "cancelled"
    panel.cancelled_reason = reason
    _fix_names(panel)
    _lapse_requests(panel, keep=request, why="专家组已撤销")
    for member in panel.active_members:
        kept = "您已签署的评分表随之作废，存档备查。" if member.signed_at else ""
        pool.notify(member.expert_id, f"{_panel_label(panel)}专家组已撤销（理由：{reason}）。{kept}", panel.id)


def _fix_names(panel: Panel) -> None:
    """The names the panel is published with: the members' names now, as it concludes or is withdrawn."""
    for member in panel.members:
        member.expert_name = member.expert.name


# --- four eyes: requests a second regulator decides ---------------------------------------------------

def _file_request(actor, panel: Panel, kind: str, reason: str, member: PanelMember | None = None) -> PanelRequest:
    pending = [r for r in panel.requests if r.state == "pending" and r.kind == kind
               and (member is None or r.member_id == member.id)]
    if pending:
        raise ValidationError(f"已有一份待批准的“{pending[0].kind_label}”申请，请等待另一名监管人员审批。", "state")
    request = PanelRequest(kind=kind, member=member, reason=reason[:2000], state="pending", requested_by_id=actor.id)
    try:
        with db.session.begin_nested():
            request.panel = panel
            db.session.add(request)
            db.session.flush()
    except IntegrityError:  # another regulator filed the same request at the same instant
        raise ValidationError("已有一份待批准的申请，请等待另一名监管人员审批。", "state") from None
    record(actor, "panel.request", "panel", panel.id, division_code=panel.round.enterprise.city_code, note=reason,
           after={"request": request.id, "kind": kind,
                  "member": member.expert_id if member is not None else None})
    return request


def get_request(panel: Panel, request_id: int) -> PanelRequest:
    request = db.session.get(PanelRequest, request_id)
    if request is None or request.panel_id != panel.id:
        raise NotFound("未找到该申请。")
    return request


def can_decide_request(user, request: PanelRequest) -> bool:
    return (request.state == "pending" and can_manage(user, request.panel)
            and getattr(user, "id", None) != request.requested_by_id)


def decide_request(actor, request: PanelRequest, *, approve: bool, note: str = "") -> None:
    """A second regulator with scope over the round approves (the change is made now) or rejects a request."""
    panel = request.panel
    if access.is_system(actor):
        raise PermissionDenied("须由另一名监管人员审批。")
    access.require_regulator_of(actor, panel.round.enterprise.city_code)
    if actor.id == request.requested_by_id:
        raise PermissionDenied("提出申请的监管人员不能审批本人的申请，请由另一名监管人员审批。")
    if request.state != "pending":
        raise ValidationError(f"该申请{request.state_label}，不能再审批。", "state")
    note = (note or "").strip()[:2000]
    if approve:
        if request.kind == "cancel":
            if panel.state != "scoring":
                raise ValidationError(f"该专家组{panel.state_label}，不能撤销。", "state")
        else:
            _require_open_seat(request.member, "拒绝参加")
    # The change first: when it cannot be made (no one left to replace the member) the request stays pending.
    if approve and request.kind == "cancel":
        _cancel(actor, panel, request.reason, request)
    elif approve:
        _decline(actor, request.member, request.reason, request)
    request.state = "approved" if approve else "rejected"
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, utcnow(), note or None
    if approve and request.kind == "decline":
        pool.notify(request.member.expert_id, f"经两名监管人员审批，已代您拒绝参加{_panel_label(panel)}评审"
                                                  f"（理由：{request.reason}），并已抽取替补专家。", panel.id)
    record(actor, f"panel.request.{'approve' if approve else 'reject'}", "panel", panel.id,
           division_code=panel.round.enterprise.city_code, note=note or None,
           before={"request": request.id, "state": "pending"},
           after={"request": request.id, "state": request.state, "kind": request.kind,
                  "requested_by": request.requested_by_id})
    if not approve:
        told = [request.member] if request.kind == "decline" else panel.active_members
        for member in told:
            pool.notify(member.expert_id, f"“{request.kind_label}”的申请（{_panel_label(panel)}）未获批准"
                                              f"{'：' + note if note else ''}。您的评审任务照常进行。", panel.id)


def _lapse_requests(panel: Panel, *, member: PanelMember | None = None, keep: PanelRequest | None = None,
                    why: str) -> None:
    """Pending requests overtaken by events (the panel concluded or was withdrawn, the member signed or left)."""
    for request in panel.requests:
        if request is keep or request.state != "pending":
            continue
        if member is not None and request.member_id != member.id:
            continue
        request.state, request.decided_at, request.decision_note = "lapsed", utcnow(), why
        record(SYSTEM, "panel.request.lapse", "panel", panel.id, division_code=panel.round.enterprise.city_code,
               note=why, after={"request": request.id, "kind": request.kind})


def pending_requests(user) -> list[PanelRequest]:
    """Requests awaiting a second regulator in the user's scope (the user's own included, marked by the page)."""
    query = (select(PanelRequest).join(Panel, Panel.id == PanelRequest.panel_id)
             .join(AuditRound, AuditRound.id == Panel.round_id)
             .join(Enterprise, Enterprise.id == AuditRound.enterprise_id)
             .where(PanelRequest.state == "pending", enterprises.scope_clause(user))
             .order_by(PanelRequest.id))
    return list(db.session.scalars(query.limit(200)))


# --- replaying ------------------------------------------------------------------------------------

def replay(panel: Panel) -> dict[int, list[int]]:
    """Every draw of the panel recomputed from its stored seed, candidates and exclusions: seq -> members."""
    return {d.seq: draw.replay(d.candidate_ids, [x.expert_id for x in d.exclusions], d.seed_int, d.requested)
            for d in panel.draws}


def _exclusions(d: PanelDraw) -> dict[int, str]:
    return {x.expert_id: x.reason for x in d.exclusions}


def commitment_matches(d: PanelDraw) -> bool:
    """The stored record still hashes to the commitment published when it was drawn."""
    return draw.commitment(d.seed_int, d.nonce, d.requested, d.candidate_ids, _exclusions(d)) == d.commitment


def verify(panel: Panel) -> bool:
    """True when every draw matches its published commitment and replays to the members it recorded and seated."""
    replayed = replay(panel)
    for d in panel.draws:
        seated = [m.expert_id for m in panel.members if m.draw_id == d.id]
        if not commitment_matches(d) or replayed[d.seq] != d.chosen_ids or seated != d.chosen_ids:
            return False
    return True


def sealed(panel: Panel) -> bool:
    """A panel at work keeps its draws sealed (see the module's docstring)."""
    return panel.state == "scoring"


def draw_summary(d: PanelDraw) -> dict:
    """A draw's record as it may be shown: the commitment only while sealed; the whole record once revealed."""
    summary = {"seq": d.seq, "requested": d.requested, "commitment": d.commitment, "drawn_at": d.drawn_at,
               "sealed": sealed(d.panel)}
    if summary["sealed"]:
        return summary
    excluded = _exclusions(d)
    eligible = [i for i in d.candidate_ids if i not in excluded]
    summary.update(seed=d.seed_int, nonce=d.nonce, candidate_ids=list(d.candidate_ids),
                   exclusions=sorted(excluded.items()), candidates=len(d.candidate_ids), excluded=len(excluded),
                   eligible=len(eligible), eligible_ids=eligible, reasons=draw.reason_counts(excluded),
                   chosen_ids=list(d.chosen_ids), commitment_matches=commitment_matches(d),
                   canonical=draw.canonical_record(d.seed_int, d.nonce, d.requested, d.candidate_ids,
                                                   excluded).decode("utf-8"))
    return summary


# --- scoring --------------------------------------------------------------------------------------

def _parse_points(value, item: rules.Item) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        points = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(f"“{item.label}”的得分应为数字。", f"points_{item.code}") from None
    if not points.is_finite() or points < 0 or points > item.max_points:
        raise ValidationError(f"“{item.label}”的得分应在 0–{item.max_points} 分之间。", f"points_{item.code}")
    if points != points.quantize(Decimal("0.1")):
        raise ValidationError(f"“{item.label}”的得分最多保留一位小数。", f"points_{item.code}")
    return points


def submit_scores(actor, member: PanelMember, *, points: dict, vetoes=(), opinion: str = "", sign: bool = False,
                  today: date | None = None) -> None:
    """A member saves their scores, veto items and opinion; signing makes them final."""
    panel = member.panel
    expert = member.expert
    if not access.is_person(actor, "expert") or actor.id != expert.user_id:
        raise PermissionDenied("只能填写本人的评分。")
    _require_open_seat(member, "修改评分")
    if expert.status != "approved":
        raise PermissionDenied(f"您的专家资格当前为“{expert.status_label}”，不能评分；请联系监管部门。")
    conflict = conflict_with(expert, panel.round)
    if conflict:
        raise ValidationError(f"您与该审核存在利益冲突（{rules.EXCLUSION_REASONS[conflict]}），请拒绝参加本次评审。",
                              "state")
    items, veto_codes = rules.ITEMS[panel.stage], {v.code for v in rules.VETOES[panel.stage]}
    errors, parsed = {}, {}
    for item in items:
        try:
            parsed[item.code] = _parse_points(points.get(item.code), item)
        except ValidationError as exc:
            errors[exc.field] = exc.message
            continue
        if sign and parsed[item.code] is None:
            errors[f"points_{item.code}"] = f"签署前须为“{item.label}”评分。"
    unknown = set(vetoes) - veto_codes
    if unknown:
        errors["vetoes"] = "否决项不正确。"
    opinion = (opinion or "").strip()
    if sign and not opinion:
        errors["opinion"] = "签署前须填写评审意见。"
    if len(opinion) > 5000:
        errors["opinion"] = "评审意见不能超过 5000 个字符。"
    if sign and panel.meeting_on and (today or beijing_today()) < panel.meeting_on:
        errors["sign"] = f"评审会定于 {panel.meeting_on.isoformat()}，会后方可签署；会前可先暂存评分。"
    if errors:
        raise InvalidFields(errors)
    wanted = {code: (value, False) for code, value in parsed.items() if value is not None}
    wanted.update({code: (None, True) for code in set(vetoes)})
    existing = {s.item_code: s for s in member.scores}
    for code, row in existing.items():
        if code not in wanted:
            member.scores.remove(row)
    for code, (value, vetoed) in wanted.items():
        row = existing.get(code) or Score(item_code=code)
        row.points, row.vetoed = value, vetoed
        if code not in existing:
            member.scores.append(row)
    member.opinion = opinion or None
    if sign:
        member.signed_at = utcnow()
        record(actor, "panel.sign", "panel", panel.id, division_code=panel.round.enterprise.city_code,
               after={"member": expert.id, "total": str(member.total), "vetoes": sorted(set(vetoes))})
        _lapse_requests(panel, member=member, why="该专家已签署评审意见")
        if rules.AUTO_CONCLUDE.value and panel.all_signed:
            conclude(SYSTEM, panel, on=today or beijing_today(), today=today)


def tally(panel: Panel) -> dict:
    """The panel's result so far: each signed member's total, the mean, and the veto items that stand."""
    signed = [m for m in panel.active_members if m.signed_at]
    totals = {m.id: m.total for m in signed}
    mean = (sum(totals.values(), Decimal(0)) / len(totals)).quantize(Decimal("0.01"), ROUND_HALF_UP) if totals else None
    veto_counts: dict[str, int] = {}
    for m in signed:
        for code in m.vetoes():
            veto_counts[code] = veto_counts.get(code, 0) + 1
    upheld = [v.code for v in rules.VETOES[panel.stage] if veto_counts.get(v.code, 0) >= panel.veto_min_members]
    item_means = {}
    for item in rules.ITEMS[panel.stage]:
        values = [m.points().get(item.code) for m in signed]
        values = [v for v in values if v is not None]
        item_means[item.code] = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1")) if values else None
    passed = None
    if mean is not None:
        passed = mean >= panel.pass_mark and not upheld
    return {"totals": totals, "mean": mean, "veto_counts": veto_counts, "upheld": upheld, "item_means": item_means,
            "signed": len(signed), "passed": passed}


def _conclusion_text(panel: Panel, result: dict, opinion: str) -> str:
    labels = {v.code: v.label for v in rules.VETOES[panel.stage]}
    passed_label, failed_label = rules.OUTCOME_LABELS[panel.stage]
    parts = [f"专家组 {len(result['totals'])} 名专家评分均值 {result['mean']} 分（合格线 {panel.pass_mark} 分）"]
    if result["upheld"]:
        parts.append("否决项：" + "、".join(labels[c] for c in result["upheld"]))
    else:
        parts.append("无否决项")
    text = "，".join(parts) + f"。{panel.stage_label}结论：{passed_label if result['passed'] else failed_label}。"
    if opinion:
        text += f"\n{opinion}"
    return text


def conclude(actor, panel: Panel, *, on: date, opinion: str = "", today: date | None = None,
             level: str | None = None) -> None:
    """Record the panel's conclusion from the signed scores and move the round through the audit pool;
    at acceptance, with the firm's clean-production level (`level`, audits.models.LEVELS) the panel found."""
    round_ = panel.round
    access.require_regulator_of(actor, round_.enterprise.city_code)
    if panel.state != "scoring":
        raise ValidationError(f"该专家组{panel.state_label}，不能再出具结论。", "state")
    unsigned = [m for m in panel.active_members if not m.signed_at]
    if unsigned or len(panel.active_members) != panel.size:
        raise ValidationError(f"尚有 {len(unsigned) or panel.size - len(panel.active_members)} 名专家未签署评审意见，"
                              "不能出具结论。", "state")
    result = tally(panel)
    text = _conclusion_text(panel, result, (opinion or "").strip())
    audits.conclude_stage(actor, round_, panel.stage, on=on, passed=result["passed"], opinion=text, today=today,
                          level=level if result["passed"] else None)
    panel.state = "concluded"
    panel.concluded_on = on
    panel.concluded_by_id = getattr(actor, "id", None)
    panel.passed = result["passed"]
    panel.mean_total = result["mean"]
    panel.vetoes = result["upheld"]
    panel.conclusion = text
    _fix_names(panel)
    _lapse_requests(panel, why="专家组已出具结论")
    record(actor, "panel.conclude", "panel", panel.id, division_code=round_.enterprise.city_code,
           after={"passed": result["passed"], "mean_total": result["mean"], "vetoes": result["upheld"]})


# --- who sees which panel ---------------------------------------------------------------------------

def get_panel(panel_id: int) -> Panel:
    panel = db.session.get(Panel, panel_id)
    if panel is None:
        raise NotFound("未找到该专家组。")
    return panel


def can_manage(user, panel: Panel) -> bool:
    return (getattr(user, "role", None) == "regulator"
            and access.manages_city(user, panel.round.enterprise.city_code))


def require_view(user, panel: Panel) -> None:
    """Regulators and admins in scope, the enterprise itself, and the panel's members."""
    if access.sees_enterprise(user, panel.round.enterprise):
        return
    expert = expert_of(user)
    if expert is not None and any(m.expert_id == expert.id for m in panel.members):
        return
    raise PermissionDenied("您无权查看该专家组。")


def member_of(user, panel: Panel) -> PanelMember | None:
    expert = expert_of(user)
    if expert is None:
        return None
    return next((m for m in panel.members if m.expert_id == expert.id), None)


def panels_in_scope(user, *, state: str = ""):
    query = (select(Panel).join(AuditRound, AuditRound.id == Panel.round_id)
             .join(Enterprise, Enterprise.id == AuditRound.enterprise_id).where(enterprises.scope_clause(user)))
    if state:
        query = query.where(Panel.state == state)
    return query.order_by(Panel.id.desc())


def rounds_awaiting_panel(user) -> list[AuditRound]:
    """Rounds under evaluation or acceptance in the user's scope with no panel at work."""
    at_work = select(Panel.round_id).where(Panel.state == "scoring")
    query = (select(AuditRound).join(Enterprise, Enterprise.id == AuditRound.enterprise_id)
             .where(enterprises.scope_clause(user), AuditRound.state.in_(tuple(rules.STAGES)),
                    AuditRound.id.not_in(at_work))
             .order_by(AuditRound.id))
    return list(db.session.scalars(query.limit(200)))


def reviews_of(expert: Expert) -> list[PanelMember]:
    return list(db.session.scalars(select(PanelMember).where(PanelMember.expert_id == expert.id)
                                   .order_by(PanelMember.id.desc())))


def panels_of_enterprise(enterprise_id: int) -> list[Panel]:
    return list(db.session.scalars(select(Panel).join(AuditRound, AuditRound.id == Panel.round_id)
                                   .where(AuditRound.enterprise_id == enterprise_id).order_by(Panel.id.desc())))


def public_panels():
    return select(Panel).order_by(Panel.drawn_on.desc(), Panel.id.desc())
