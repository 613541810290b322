"""Training forms. The services check every rule and name the wrong field in Chinese."""
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import Form, date_field
from .models import AUDIENCES


class PlanForm(Form):
    title = StringField("计划名称", validators=[DataRequired("请填写计划名称。"), Length(max=200)])
    audience = SelectField("培训对象", choices=[SelectChoice(c, label) for c, label in AUDIENCES.items()],
                           validate_choice=False)
    year = StringField("年度", validators=[DataRequired("请填写年度。")])
    hours = StringField("计划学时", validators=[DataRequired("请填写计划学时。")])
    content = TextAreaField("培训内容", validators=[Optional(), Length(max=5000)])

    def values(self) -> dict:
        return {k: getattr(self, k).data for k in ("title", "audience", "year", "hours", "content")}


class SessionForm(Form):
    title = StringField("班次名称", validators=[DataRequired("请填写班次名称。"), Length(max=200)])
    starts_on = date_field("开始日期")
    ends_on = date_field("结束日期")
    place = StringField("培训地点", validators=[DataRequired("请填写培训地点。"), Length(max=200)])
    capacity = StringField("名额（人）", validators=[DataRequired("请填写名额。")])
    hours = StringField("学时", validators=[DataRequired("请填写学时。")])

    def values(self) -> dict:
        return {k: getattr(self, k).data for k in ("title", "starts_on", "ends_on", "place", "capacity", "hours")}


class EnrolForm(Form):
    """The organiser enrols a person by account name."""
    username = StringField("登录名", validators=[DataRequired("请填写学员的平台登录名。"), Length(max=80)])


class ActionForm(Form):
    """A bare POST (enrol myself, record attendance): only the CSRF token."""
