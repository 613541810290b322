from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import Form
from .models import STAGES

# The service checks every value against the sector (the unit above all); the forms only carry them.
DETAILS = {
    "approval_no": StringField("审批（核准）文号", validators=[Optional(), Length(max=100)]),
    "filing_no": StringField("备案号", validators=[Optional(), Length(max=100)]),
    "designed_energy": StringField("设计单位产品能耗", description="按所选行业能效水平的单位填写"),
    "actual_energy": StringField("实际单位产品能耗", description="已投产项目填写；按所选行业能效水平的单位"),
    "utilization_percent": StringField("产能利用率（%）", description="0–100"),
    "replacement_plan_no": StringField("产能置换方案文号", validators=[Optional(), Length(max=100)],
                                       description="钢铁、水泥熟料、平板玻璃、电解铝项目须填写"),
    "retired_capacity": StringField("置换退出产能", description="单位与项目产能相同"),
}


class ProjectForm(Form):
    uscc = StringField("建设单位统一社会信用代码", validators=[DataRequired("请填写建设单位的统一社会信用代码。")])
    name = StringField("项目名称", validators=[DataRequired("请填写项目名称。"), Length(max=200)])
    sector = SelectField("行业", choices=[], validate_choice=False)
    capacity = StringField("产能", validators=[DataRequired("请填写产能。")])
    capacity_unit = SelectField("产能单位", choices=[], validate_choice=False)
    stage = SelectField("项目阶段", choices=list(STAGES.items()), validate_choice=False)
    locals().update(DETAILS)


class DetailsForm(Form):
    capacity = StringField("产能", validators=[DataRequired("请填写产能。")])
    locals().update(DETAILS)


class StageForm(Form):
    stage = SelectField("变更为", choices=list(STAGES.items()), validate_choice=False)
    changed_on = DateField("变更日期", validators=[DataRequired("请填写变更日期（YYYY-MM-DD）。")])
    reason = TextAreaField("理由", validators=[Optional(), Length(max=1000)], description="阶段回退时必填")


class NoteForm(Form):
    note = TextAreaField("会商意见", validators=[DataRequired("请填写会商意见。"), Length(max=2000)])
