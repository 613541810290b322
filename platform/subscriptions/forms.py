from wtforms import RadioField, SelectField, StringField
from wtforms.validators import Length

from ..core.forms import Form
from .models import SCOPES


class SubscribeForm(Form):
    email = StringField("电子邮箱", validators=[Length(max=200)], description="仅用于发送确认邮件和每周动态，不会公开。")
    kind = RadioField("订阅范围", choices=SCOPES, default="city", validate_choice=False)
    city = SelectField("设区市", choices=[], validate_choice=False)
    industry = SelectField("行业", choices=[], validate_choice=False)
    uscc = StringField("企业统一社会信用代码", validators=[Length(max=40)])


class ConfirmForm(Form):
    pass
