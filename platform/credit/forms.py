"""Forms of the credit feature. They parse input; the services check every rule and name the field."""
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..core.forms import Form, date_field
from . import rules
from .services import COMMITMENT_TEMPLATE


class PenaltyForm(Form):
    decision_no = StringField("行政处罚决定书文号", description="如：桂环罚〔2026〕12号")
    decided_on = date_field("处罚决定日期", required=False)
    fine_yuan = StringField("罚款金额（元）")
    valid_until = date_field("处罚有效期", required=False)
    severity = SelectField("失信程度", choices={k: v.label for k, v in rules.SEVERITIES.items()},
                           default=lambda: rules.DEFAULT_SEVERITY.value, validate_choice=False,
                           description="决定公示期限：轻微原则上不公示（最长 3 个月）；一般 3 个月至 1 年；严重 1 年至 3 年。")
    violation_type = StringField("违法行为类型")
    facts = TextAreaField("违法事实")
    legal_basis = TextAreaField("处罚依据")
    office_name = StringField("处罚机关")
    office_uscc = StringField("处罚机关统一社会信用代码", validators=[Optional()])
    remarks = TextAreaField("备注", validators=[Optional(), Length(max=2000)])


class ApprovalForm(Form):
    note = TextAreaField("审核意见", validators=[Optional(), Length(max=2000)],
                         description="轻微失信信息确需公示的，须写明理由。")


class RepairForm(Form):
    correction = TextAreaField("失信行为纠正情况", description="说明已如何纠正违法行为、履行处罚决定（如缴纳罚款、完成审核）。")
    proof = FileField("纠正失信行为的证明材料（PDF，不超过 50 MB）")
    paid_yuan = StringField("缴款金额（元）", description="与处罚决定的罚款金额一致；无罚款的处罚决定不填。")
    paid_on = date_field("缴款日期", required=False)
    voucher = FileField("罚款缴款凭证（PDF）")
    commitment = TextAreaField("信用承诺书", default=COMMITMENT_TEMPLATE)
    commitment_public = BooleanField("本企业作出上述承诺，并同意公开")


class RepairDecisionForm(Form):
    decision = RadioField("审核结论", choices={"approve": "准予修复", "reject": "不予修复"}, validate_choice=False)
    reason = TextAreaField("理由", validators=[Optional(), Length(max=2000)], description="不予修复时必填。")


class RetryForm(Form):
    pass
