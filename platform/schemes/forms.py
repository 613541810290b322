from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..core.forms import date_field
from ..core.forms import Form
from .models import AMOUNTS, CATEGORIES, STATUSES


class SchemeForm(Form):
    """The enterprise's scheme form. Amounts are text fields: the service reads them, so a wrong unit
    or a negative number is refused with a message naming the field, in Chinese."""

    code = StringField("方案编号", description="本轮审核内唯一，如 F-01")
    name = StringField("方案名称")
    category = SelectField("方案类别", choices=dict(CATEGORIES), validate_choice=False)
    status = SelectField("状态", choices=dict(STATUSES), validate_choice=False)
    planned_completion_on = date_field("计划完成日期", required=False)
    completed_on = date_field("完成日期", required=False)

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


for _metric in AMOUNTS:
    setattr(SchemeForm, _metric.key, StringField(f"{_metric.label}（{_metric.unit}）", default="0"))


class ImportForm(Form):
    file = FileField("方案文件（.xlsx 或 .csv）", validators=[FileRequired("请选择要导入的文件。")])


class RevisionForm(SchemeForm):
    """A frozen round's scheme, changed or added, with the reason the regulator weighs (schemes/review.py)."""

    reason = TextAreaField("修订理由", validators=[Optional(), Length(max=2000)],
                           description="写明修订的原因和依据，监管部门据此审核")


class WithdrawForm(Form):
    reason = TextAreaField("撤回理由", validators=[Optional(), Length(max=2000)])


class ProgressForm(Form):
    """The enterprise's own progress report on a frozen scheme: forward only, results on completion."""

    status = SelectField("进展", choices={"implementing": "实施中", "completed": "已完成"}, validate_choice=False)
    planned_completion_on = date_field("计划完成日期", required=False)
    completed_on = date_field("完成日期", required=False)

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


for _metric in AMOUNTS:
    setattr(ProgressForm, _metric.key, StringField(f"{_metric.label}（{_metric.unit}）", default="0"))


class DecisionForm(Form):
    """A regulator's decision on a revision, or on figures awaiting review."""

    decision = SelectField("审核结论", choices={"approve": "批准", "reject": "不予批准"}, validate_choice=False)
    note = TextAreaField("审核意见", validators=[Optional(), Length(max=2000)])


class ReviewFiguresForm(Form):
    decision = SelectField("核实结论", choices={"confirm": "确认数值属实，计入统计", "reject": "不予确认，不计入统计"},
                           validate_choice=False)
    note = TextAreaField("核实意见", validators=[Optional(), Length(max=2000)])
