"""Forms of the expert pool and panels. Rules are checked by the services, which name each wrong field."""
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import Form


class ProfileForm(Form):
    name = StringField("姓名")
    title = StringField("职称", description="如：教授级高级工程师、高级工程师、教授")
    employer = StringField("工作单位")
    employer_uscc = StringField("工作单位统一社会信用代码", description="18 位，用于回避本单位的审核")
    industry_codes = SelectMultipleField("专业行业（可多选）", choices=[], validate_choice=False,
                                         description="可多选，在方框中输入代码或名称可筛选；抽取专家时按企业所属行业匹配")
    fields = StringField("专业领域", validators=[Optional()], description="如：节能、废水治理、VOCs 治理，用顿号分隔")
    qualifications = TextAreaField("执业资格与主要业绩", validators=[Optional()])
    years_of_practice = StringField("从业年限（年）")
    phone = StringField("联系电话", description="仅监管部门可见，不对外公开")
    email = StringField("电子邮箱", validators=[Optional()], description="仅监管部门可见，不对外公开")

    PROFILE_FIELDS = ("name", "title", "employer", "employer_uscc", "industry_codes", "fields", "qualifications",
                      "years_of_practice", "phone", "email")

    def profile(self) -> dict:
        return {name: getattr(self, name).data for name in self.PROFILE_FIELDS}


class RegistrationForm(ProfileForm):
    # No validators here: the service checks every field at once (services.register).
    username = StringField("用户名", description="3–40 个字符：字母、汉字、数字或 . _ - @")
    password = PasswordField("密码", description="至少 10 个字符，须同时包含字母和数字")
    confirm = PasswordField("确认密码")
    conflicts = TextAreaField("申报利益冲突（可选）", validators=[Optional()],
                              description="每行一个单位：统一社会信用代码 单位名称 说明，如近三年任职或提供咨询服务的企业")


class ConflictForm(Form):
    conflict_uscc = StringField("单位统一社会信用代码")
    organisation = StringField("单位名称", validators=[Optional(), Length(max=200)])
    note = StringField("说明", validators=[Optional(), Length(max=300)])


class DecisionForm(Form):
    action = SelectField("决定", choices=[SelectChoice("approve", "批准入库"), SelectChoice("suspend", "暂停"),
                                          SelectChoice("retire", "退出专家库")], validate_choice=False)
    reason = TextAreaField("理由", validators=[Optional(), Length(max=2000)], description="暂停、退出须写明理由")


class NameDecisionForm(Form):
    note = TextAreaField("审核意见", validators=[Optional(), Length(max=2000)])


class ServiceOrgForm(Form):
    name = StringField("机构名称")
    uscc = StringField("统一社会信用代码")
    division_code = SelectField("所在设区市", choices=[], validate_choice=False)
    address = StringField("地址", validators=[Optional()])
    contact_person = StringField("联系人", validators=[Optional()])
    contact_phone = StringField("联系电话", validators=[Optional()])
    username = StringField("机构账号（用户名，可选）", validators=[Optional()],
                           description="角色为“服务机构”的已有账号，关联后该账号可查看本机构服务的轮次")

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class AssignOrgForm(Form):
    service_org_id = SelectField("委托的咨询服务机构", choices=[], validate_choice=False)
    reason = TextAreaField("变更理由", validators=[Optional(), Length(max=2000)],
                           description="审核报告提交后变更服务机构须写明理由，并经监管部门批准")


class EngagementNoteForm(Form):
    """A service organisation's or a regulator's answer to a proposed engagement."""
    note = TextAreaField("说明", validators=[Optional(), Length(max=2000)])


class RoundServiceOrgForm(Form):
    """A regulator sets a round's service organisation directly."""
    service_org_id = SelectField("咨询服务机构", choices=[], validate_choice=False)
    reason = TextAreaField("理由", validators=[DataRequired("请填写理由。"), Length(max=2000)],
                           description="如核查的委托合同、现场检查情况")


class SuspensionForm(Form):
    """The province regulator suspends an organisation, or lifts its suspension, with a reason."""
    reason = TextAreaField("理由", validators=[DataRequired("请填写理由。"), Length(max=2000)],
                           description="将记入审计日志，并在机构公开页面显示")


class QualificationForm(Form):
    """One condition of 审核办法 第十六条 and the evidence for it."""
    requirement = SelectField("资质条件（《清洁生产审核办法》第十六条）", choices=[], validate_choice=False)
    evidence = TextAreaField("证明材料", validators=[DataRequired("请填写证明材料。"), Length(max=5000)],
                             description="如营业执照、质量管理制度文件、检测设备清单、技术人员名单及其证书编号")


class QualificationCheckForm(Form):
    """A regulator's check of a qualification record."""
    result = SelectField("核查结论", choices=[SelectChoice("met", "符合"), SelectChoice("not_met", "不符合")],
                         validate_choice=False)
    note = TextAreaField("核查意见", validators=[DataRequired("请填写核查意见。"), Length(max=2000)])
