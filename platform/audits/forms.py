from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import Form, date_field
from .models import PERMIT_STATUSES
from .rules import CAUSES


class BatchForm(Form):
    title = StringField("名单标题", validators=[DataRequired("请填写名单标题。"), Length(max=200)])
    document_no = StringField("文号", validators=[Optional(), Length(max=100)])
    published_on = date_field("公布日期")
    usccs = TextAreaField("企业统一社会信用代码（每行一个）", validators=[DataRequired("请至少填写一家企业。")])
    reason = TextAreaField("列入原因", validators=[Optional()])


class ParkRoundForm(Form):
    park_id = SelectField("园区", validate_choice=False)
    title = StringField("整体审核名称", validators=[Optional(), Length(max=200)])
    listed_on = date_field("公布日期")
    usccs = TextAreaField("参加企业统一社会信用代码（每行一个，至少两家）", validators=[DataRequired("请填写参加企业。")])


class DateForm(Form):
    """Record a step on a given date (disclose, start, begin evaluation, request acceptance)."""
    on = date_field("日期")
    url = StringField("公开网址", validators=[Optional(), Length(max=500)])
    carbon_in_scope = BooleanField("将碳减排纳入审核范围")


class ReportForm(Form):
    on = date_field("提交日期")
    file = FileField("审核报告（PDF，不超过 50 MB）", validators=[FileRequired("请选择审核报告文件。")])


class CancelForm(Form):
    reason = TextAreaField("撤销理由", validators=[DataRequired("请填写撤销理由。")])


class VoluntaryForm(Form):
    kind = SelectField("类型", choices={"voluntary": "自愿性审核", "certification": "评价认证（视同审核）"},
                       validate_choice=False)
    started_on = date_field("开始日期")
    carbon_in_scope = BooleanField("将碳减排纳入审核范围")


class RectificationForm(Form):
    deadline = date_field("整改期限")
    note = TextAreaField("整改要求", validators=[Optional(), Length(max=5000)])


class NoteForm(Form):
    note = TextAreaField("说明", validators=[DataRequired("请填写说明。"), Length(max=5000)])


class OpenCaseForm(Form):
    cause = SelectField("违规情形", choices=dict(CAUSES), validate_choice=False)
    note = TextAreaField("说明", validators=[Optional(), Length(max=5000)])


class ConfirmStepForm(Form):
    """A regulator confirms a backdated step against evidence, or does not accept the declared date."""
    decision = SelectField("核实结论", choices={"confirm": "依据证据核实", "refuse": "不予采信申报日期"},
                           validate_choice=False)
    evidence_on = date_field("证据所载日期", required=False)
    url = StringField("公开信息网址", validators=[Optional(), Length(max=500)])
    file = FileField("证明材料（PDF）")
    note = TextAreaField("核实说明 / 不予采信理由", validators=[Optional(), Length(max=2000)])


class CertificationForm(Form):
    """A clean-production certification that counts as an audit once a regulator confirms it."""
    certificate_no = StringField("证书编号", validators=[Optional(), Length(max=100)])
    certifying_body = StringField("认证机构", validators=[Optional(), Length(max=200)])
    certified_on = date_field("发证日期", required=False)
    scope = TextAreaField("认证范围", validators=[Optional(), Length(max=2000)])
    file = FileField("认证证书（PDF，不超过 50 MB）")


class CertificationDecisionForm(Form):
    decision = SelectField("核实结论", choices={"confirm": "对照证书核实，视同开展清洁生产审核", "reject": "不予核实"},
                           validate_choice=False)
    note = TextAreaField("核实意见 / 不予核实理由", validators=[Optional(), Length(max=2000)])


class DisclosureFilingForm(Form):
    """A §11 disclosure form: its fields are laid out from disclosures.FORMS and read by the view;
    this form carries the CSRF token and the reason of a correction."""
    correction_note = TextAreaField("更正说明（更正已公开的信息时必填）", validators=[Optional(), Length(max=2000)])


class PermitForm(Form):
    """The permit inside the audit (permits.record_permit checks it)."""
    status = SelectField("排污许可情况", choices={"": "请选择", **PERMIT_STATUSES}, validate_choice=False)
    permit_no = StringField("排污许可证编号或排污登记编号", validators=[Optional(), Length(max=40)])
    report_year = StringField("最近提交的排污许可证年度执行报告的年度", validators=[Optional(), Length(max=4)])


class CarbonForm(Form):
    """The carbon content of a round with carbon in scope (permits.record_carbon checks it)."""
    baseline_year = StringField("基准年", validators=[Optional(), Length(max=4)])
    baseline_t = StringField("基准年二氧化碳排放量（tCO2）", validators=[Optional(), Length(max=30)])
    intensity = StringField("碳排放强度（每单位产品 tCO2）", validators=[Optional(), Length(max=30)])
    intensity_unit = StringField("碳排放强度单位（如 tCO2/t 熟料）", validators=[Optional(), Length(max=30)])
    target_year = StringField("目标年", validators=[Optional(), Length(max=4)])
    target_reduction_t = StringField("二氧化碳减排目标（tCO2/年）", validators=[Optional(), Length(max=30)])
