from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import Form
from .models import FLAGS, PERMIT_CLASSES


class ProfileForm(Form):
    """What an enterprise keeps itself (enterprises.services.SELF_SERVICE_FIELDS)."""

    legal_representative = StringField("法定代表人", validators=[Optional()])
    address = StringField("地址", validators=[Optional()])
    contact_person = StringField("联系人", validators=[Optional()])
    contact_phone = StringField("联系电话", validators=[Optional()])


class EnterpriseForm(ProfileForm):
    """The regulator's form. Rules are checked by the service, which names each wrong field."""

    name = StringField("企业名称")
    uscc = StringField("统一社会信用代码")
    allow_bad_check = BooleanField("早期试点代码：已核实，校验位不符仍予登记（将记入审计日志）")
    division_code = StringField("行政区划代码", description="6 位，如 450102")
    industry_code = StringField("行业代码", description="GB/T 4754-2017，2–4 位，如 3130")
    park_id = SelectField("所在园区", choices=[], coerce=str, validate_choice=False)
    permit_no = StringField("排污许可证编号", validators=[Optional()])
    permit_class = SelectField("排污许可管理类别", choices={"": "（无）", **PERMIT_CLASSES},
                               validate_choice=False)
    over_discharge = BooleanField(FLAGS["over_discharge"])
    over_energy_quota = BooleanField(FLAGS["over_energy_quota"])
    toxic_substances = BooleanField(FLAGS["toxic_substances"])
    two_high = BooleanField(FLAGS["two_high"])
    mandatory_reason = TextAreaField("强制审核原因", validators=[Optional()])

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "allow_bad_check")}


class ImportForm(Form):
    file = FileField("名录文件（.xlsx 或 .csv）", validators=[FileRequired("请选择要导入的文件。")])
