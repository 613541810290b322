from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField
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
