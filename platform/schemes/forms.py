from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField

from ..forms import date_field
from ..forms import Form
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
