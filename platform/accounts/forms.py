from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..core.forms import Form
from .models import DEPARTMENTS, ROLES


class LoginForm(Form):
    username = StringField("用户名", validators=[DataRequired("请填写用户名。"), Length(max=80)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码。")])
    remember = BooleanField("记住我")


class PasswordForm(Form):
    current_password = PasswordField("当前密码", validators=[DataRequired("请填写当前密码。")])
    new_password = PasswordField("新密码", validators=[DataRequired("请填写新密码。")])
    confirm = PasswordField("确认新密码", validators=[
        DataRequired("请再次填写新密码。"), EqualTo("new_password", "两次填写的新密码不一致。")])


class UserForm(Form):
    username = StringField("用户名", validators=[DataRequired("请填写用户名。"), Length(max=80)])
    display_name = StringField("姓名或名称", validators=[Optional(), Length(max=100)])
    role = SelectField("角色", choices=dict(ROLES), validate_choice=False)
    division_code = SelectField("监管范围", choices=[], validate_choice=False)
    department = SelectField("所属部门", choices=DEPARTMENTS, validate_choice=False)
    enterprise_uscc = StringField("关联企业统一社会信用代码", validators=[Optional()])
    password = PasswordField("初始密码", validators=[DataRequired("请填写初始密码。")])


class TokenForm(Form):
    name = StringField("用途", validators=[DataRequired("请填写令牌用途。"), Length(max=80)])
    expires_on = DateField("有效期至（含当日，北京时间）", validators=[Optional()])


class ForgotForm(Form):
    username = StringField("用户名或电子邮箱", validators=[DataRequired("请填写用户名或电子邮箱。"), Length(max=200)])


class ResetForm(Form):
    new_password = PasswordField("新密码", validators=[DataRequired("请填写新密码。")])
    confirm = PasswordField("确认新密码", validators=[
        DataRequired("请再次填写新密码。"), EqualTo("new_password", "两次填写的新密码不一致。")])


class AccountRequestForm(Form):
    uscc = StringField("统一社会信用代码", validators=[Length(max=40)])
    enterprise_name = StringField("企业名称", validators=[Length(max=200)])
    username = StringField("希望使用的用户名", validators=[Length(max=80)])
    contact_person = StringField("联系人", validators=[Length(max=50)])
    contact_phone = StringField("联系电话", validators=[Length(max=30)])
    contact_email = StringField("电子邮箱", validators=[Length(max=200)],
                                description="审核结果和设置密码的链接将发送到此邮箱。")
    proof = FileField("证明材料（PDF）", description="营业执照副本或加盖公章的申请函，PDF 格式，不超过 50 MB。")


class AccountDecisionForm(Form):
    decision = RadioField("审核结论", choices={"approve": "批准，开通企业账号", "reject": "驳回"}, validate_choice=False)
    reason = TextAreaField("驳回理由", validators=[Optional(), Length(max=500)], description="驳回时必填，将告知申请人。")
