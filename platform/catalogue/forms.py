from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import Form

from .models import CATEGORIES, MATURITIES


class TechnologyForm(Form):
    """Rules are checked by the service, which names each wrong field."""

    name = StringField("技术名称")
    category = SelectField("类别", choices={c: c for c in CATEGORIES}, validate_choice=False)
    industry_codes = StringField("适用行业代码", description="GB/T 4754-2017 大类代码，多个用分号分隔，如 31;32")
    scope = TextAreaField("适用范围", validators=[Optional()])
    principle = TextAreaField("技术原理", validators=[Optional()])
    indicators = TextAreaField("关键指标", validators=[Optional()])
    benefits = TextAreaField("效益", validators=[Optional()])
    case_study = TextAreaField("典型案例", validators=[Optional()])
    investment = StringField("投资及回收期", validators=[Optional()])
    maturity = SelectField("成熟度", choices={"": "（未注明）", **{m: m for m in MATURITIES}}, validate_choice=False)
    key_regions = StringField("重点区域", validators=[Optional()])
    source = StringField("来源目录", validators=[Optional()])
    source_year = StringField("目录年份", validators=[Optional()])

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
