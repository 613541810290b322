"""Forms of the review panels: drawing, declining, concluding, cancelling, deciding a request, scoring."""
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import date_field
from ..core.forms import Form
from ..audits.models import LEVELS
from . import rules


class DrawForm(Form):
    size = StringField("专家人数", default=lambda: str(rules.MIN_PANEL_SIZE.value),
                       description="人数以本平台《规则与依据》中专家组的最少、最多人数为限")
    meeting_on = date_field("评审会日期", required=False)
    location = StringField("评审地点", validators=[Optional(), Length(max=200)])


class DeclineForm(Form):
    member_id = HiddenField()
    reason = TextAreaField("拒绝理由", validators=[DataRequired("请填写拒绝理由。"), Length(max=1000)],
                           description="如：存在利益冲突、时间冲突")


class ConcludeForm(Form):
    on = date_field("结论日期")
    opinion = TextAreaField("专家组综合意见（可选）", validators=[Optional(), Length(max=5000)])
    level = SelectField("清洁生产水平（验收合格时）", choices=[("", "—"), *LEVELS.items()], validate_choice=False,
                        description="对照行业清洁生产评价指标体系评定；验收不合格的不评定")


class CancelPanelForm(Form):
    reason = TextAreaField("撤销理由", validators=[DataRequired("请填写撤销理由。"), Length(max=2000)],
                           description="已有专家签署评分表的，撤销须经另一名监管人员批准")


class RequestDecisionForm(Form):
    """A second regulator's decision on a request (four eyes)."""
    note = TextAreaField("审批意见", validators=[Optional(), Length(max=2000)])


class ScoreForm(Form):
    vetoes = SelectMultipleField("否决项（存在即勾选）", choices=[], validate_choice=False,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    opinion = TextAreaField("评审意见", validators=[Optional(), Length(max=5000)])
    action = HiddenField(default="save")


def score_form(stage: str, **kwargs) -> ScoreForm:
    """The score form of a stage: one field per item of the rules' table, named points_<code>."""
    form_class = type("StageScoreForm", (ScoreForm,), {
        f"points_{item.code}": StringField(f"{item.label}（满分 {item.max_points}）", description=item.guidance)
        for item in rules.ITEMS[stage]})
    form = form_class(**kwargs)
    form.vetoes.choices = [SelectChoice(v.code, v.label) for v in rules.VETOES[stage]]
    return form
