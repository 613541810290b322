"""The discharge permit inside the audit, and the carbon content of a round with carbon in scope.

A round records the firm's permit status as part of the audit content: taken from the register when
the round begins (the permit data the listing feature imports sets Enterprise.permit_no and
permit_class), or recorded by the enterprise. A firm whose permit data puts it under 重点管理 or 简化管理
must hold a permit (《排污许可管理条例》第二条); its round cannot pass acceptance (nor the simplified
procedure's combined review) while the round records none (rules.PERMIT_AT_ACCEPTANCE). A missing
annual 执行报告 (第二十二条) is shown to the panel as a warning, not a bar.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from ..core.auditlog.services import diff, record as log
from ..core.dates import beijing_today
from ..core.errors import InvalidFields, ValidationError
from ..core.models_base import small_int
from . import rules
from .models import PERMIT_STATUSES, AuditRound

PERMIT_CLASSES_NEEDING_PERMIT = ("key", "simplified")  # 重点管理、简化管理: a permit; 登记管理: a registration


def from_register(enterprise) -> dict:
    """The round's permit columns as the register has them when the round begins."""
    if enterprise.permit_class in PERMIT_CLASSES_NEEDING_PERMIT and enterprise.permit_no:
        return {"permit_status": "permit", "permit_no": enterprise.permit_no, "permit_source": "register"}
    if enterprise.permit_class == "registration":
        return {"permit_status": "registered", "permit_no": enterprise.permit_no, "permit_source": "register"}
    return {}


def must_hold_permit(round_: AuditRound) -> bool:
    return round_.enterprise.permit_class in PERMIT_CLASSES_NEEDING_PERMIT


def acceptance_bar(round_: AuditRound) -> str | None:
    """Why the round cannot pass acceptance yet, as far as the permit goes (None: nothing bars it)."""
    if not rules.PERMIT_AT_ACCEPTANCE.value or not must_hold_permit(round_) or round_.permit_status == "permit":
        return None
    return (f"{round_.enterprise.name}属于排污许可{round_.enterprise.permit_class_label}，应当取得排污许可证"
            f"（《排污许可管理条例》第二条），本审核轮次记录的排污许可情况为“{round_.permit_status_label}”，"
            "不能作出合格结论。请企业先记录排污许可证，或作出不合格结论。")


def warnings(round_: AuditRound, today: date | None = None) -> list[str]:
    """What the panel should see about the permit (the acceptance bar included)."""
    today = today or beijing_today()
    out = []
    bar = acceptance_bar(round_)
    if bar:
        out.append(bar)
    if round_.permit_status == "permit" and (round_.permit_report_year or 0) < today.year - 1:
        last = f"最近记录的为 {round_.permit_report_year} 年度" if round_.permit_report_year else "尚未记录"
        out.append(f"排污许可证年度执行报告：{last}，上一年度（{today.year - 1} 年）的执行报告未记录"
                   "（《排污许可管理条例》第二十二条）。")
    return out


# --- the enterprise records --------------------------------------------------------------------------

def _year(raw, field: str, label: str, errors: dict, *, required: bool = True) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            errors[field] = f"请填写{label}。"
        return None
    year = small_int(text)
    if year is None or not 2000 <= year <= 2100:
        errors[field] = f"{label}应为四位年份，例如 2025。"
        return None
    return year


def _positive(raw, field: str, label: str, errors: dict) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if not text:
        errors[field] = f"请填写{label}。"
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors[field] = f"{label}应为数字。"
    elif value <= 0:
        errors[field] = f"{label}应大于 0。"
    elif value >= Decimal("1e13") or value.as_tuple().exponent < -4:
        errors[field] = f"{label}过大或小数位超过 4 位。"
    else:
        return value
    return None


def _open_round(round_: AuditRound) -> None:
    if not round_.is_open:
        raise ValidationError(f"该审核轮次当前为“{round_.state_label}”，不能再修改审核内容。", "state")


def record_permit(actor, round_: AuditRound, *, status: str, permit_no: str = "", report_year=None,
                  today: date | None = None) -> None:
    """The enterprise records its permit status (申领/登记), the permit's number, and the latest year
    whose annual 执行报告 it submitted."""
    from .services import require_enterprise

    require_enterprise(actor, round_)
    _open_round(round_)
    today = today or beijing_today()
    errors = {}
    if status not in PERMIT_STATUSES:
        errors["status"] = "请选择排污许可情况。"
    permit_no = (permit_no or "").strip()
    if status in ("permit", "registered") and not permit_no:
        errors["permit_no"] = "请填写排污许可证编号或排污登记编号。"
    elif len(permit_no) > 40:
        errors["permit_no"] = "编号最多 40 个字符。"
    year = _year(report_year, "report_year", "执行报告年度", errors, required=False)
    if year is not None and status != "permit":
        errors["report_year"] = "只有取得排污许可证的企业提交执行报告。"
    elif year is not None and year > today.year - 1:
        errors["report_year"] = f"执行报告年度不能晚于 {today.year - 1} 年（年度执行报告于次年报送）。"
    if errors:
        raise InvalidFields(errors)
    before = round_.snapshot()
    round_.permit_status, round_.permit_no, round_.permit_source = status, permit_no or None, "enterprise"
    round_.permit_report_year = year
    old, new = diff(before, round_.snapshot())
    log(actor, "round.permit", "audit_round", round_.id, before=old, after=new,
        division_code=round_.enterprise.city_code)


def record_carbon(actor, round_: AuditRound, *, baseline_year, baseline_t, intensity, intensity_unit: str,
                  target_year, target_reduction_t, today: date | None = None) -> None:
    """The carbon content of a round with carbon in scope: baseline (year, tCO2), intensity (tCO2 per
    unit of product, with its unit) and the reduction target (tCO2/a by a year after the baseline)."""
    from .services import require_enterprise

    require_enterprise(actor, round_)
    _open_round(round_)
    if not round_.carbon_in_scope:
        raise ValidationError("该审核轮次未将碳减排纳入审核范围。", "carbon_in_scope")
    today = today or beijing_today()
    errors = {}
    base_year = _year(baseline_year, "baseline_year", "基准年", errors)
    if base_year is not None and base_year > today.year:
        errors["baseline_year"] = "基准年不能晚于今年。"
    base = _positive(baseline_t, "baseline_t", "基准年二氧化碳排放量", errors)
    per_unit = _positive(intensity, "intensity", "碳排放强度", errors)
    unit = (intensity_unit or "").strip()
    if not unit:
        errors["intensity_unit"] = "请填写碳排放强度的单位，例如 tCO2/t 产品。"
    elif len(unit) > 30:
        errors["intensity_unit"] = "单位最多 30 个字符。"
    goal_year = _year(target_year, "target_year", "目标年", errors)
    if goal_year is not None and base_year is not None and goal_year <= base_year:
        errors["target_year"] = f"目标年应晚于基准年（{base_year} 年）。"
    reduction = _positive(target_reduction_t, "target_reduction_t", "二氧化碳减排目标", errors)
    if reduction is not None and base is not None and reduction >= base:
        errors["target_reduction_t"] = "减排目标应小于基准年排放量。"
    if errors:
        raise InvalidFields(errors)
    before = round_.snapshot()
    round_.carbon_baseline_year, round_.carbon_baseline_t = base_year, base
    round_.carbon_intensity, round_.carbon_intensity_unit = per_unit, unit
    round_.carbon_target_year, round_.carbon_target_reduction_t = goal_year, reduction
    old, new = diff(before, round_.snapshot())
    log(actor, "round.carbon", "audit_round", round_.id, before=old, after=new,
        division_code=round_.enterprise.city_code)
