from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import Form, date_field


class ImportForm(Form):
    file = FileField("数据文件（.xlsx 或 .csv）", validators=[FileRequired("请选择要导入的文件。")])


class StartForm(Form):
    as_of = date_field("筛选日", required=False)


class EntryForm(Form):
    included = HiddenField()
    reason = TextAreaField("理由", validators=[Optional(), Length(max=500, message="理由最多 500 个字符。")])


class AddForm(Form):
    uscc = StringField("统一社会信用代码", validators=[DataRequired("请填写统一社会信用代码。")])
    cause = SelectField("列入情形", choices=[], validate_choice=False)
    reason = TextAreaField("增补理由", validators=[DataRequired("请填写增补理由。"), Length(max=500)])
    evidence_note = TextAreaField("证据说明", validators=[DataRequired("请填写证据说明。"), Length(max=500)])


class ActForm(Form):
    """A button that acts (submit, confirm): the CSRF token alone."""


class ReturnForm(Form):
    reason = TextAreaField("退回理由", validators=[DataRequired("请填写退回理由。"), Length(max=500)])


class PublishForm(Form):
    proposal_ids = SelectMultipleField("公布的名单", choices=[], coerce=int, validate_choice=False,
                                       widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    title = StringField("名单标题", validators=[Optional(), Length(max=200)])
    document_no = StringField("文号", validators=[DataRequired("请填写文号。"), Length(max=100)])
    published_on = date_field("公布日期")
