from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..core.forms import Form


class FigureForm(Form):
    indicator = SelectField("指标", choices=[], validate_choice=False)
    division_code = SelectField("地区", choices=[], validate_choice=False)
    year = SelectField("年度", choices=[], validate_choice=False)
    value = StringField("数值", validators=[DataRequired("请填写数值。")])


class RevisionForm(Form):
    value = StringField("更正后的数值", validators=[DataRequired("请填写更正后的数值。")])
    reason = TextAreaField("修订理由", validators=[DataRequired("请填写修订理由。"), Length(max=500)])


class ImportForm(Form):
    file = FileField("数据文件（.xlsx 或 .csv）", validators=[FileRequired("请选择要导入的文件。")])
