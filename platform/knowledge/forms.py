"""Forms of the knowledge base. They parse input; the services check every rule and name the field."""
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..core.forms import Form, date_field
from .models import KINDS


class DocumentForm(Form):
    kind = SelectField("文件类别", choices=KINDS, validate_choice=False)
    title = StringField("标题")
    issuer = StringField("发布机关", description="如：生态环境部、国家发展改革委、广西壮族自治区生态环境厅")
    document_no = StringField("文号", validators=[Optional()], description="如：环办科技〔2018〕5号；没有文号的不填")
    issued_on = date_field("发布日期")
    edition = StringField("版本", validators=[Optional()], description="如：2018 年版、第二版")
    industry_codes = StringField("适用行业代码", validators=[Optional()],
                                 description="GB/T 4754-2017 大类代码，多个用分号分隔，如 31;32；通用文件不填")
    supersedes_id = SelectField("替代的旧版本", validate_choice=False,
                                description="本文件是某一已发布文件的新版本时选择；发布后旧版本标为“已被替代”")
    summary = TextAreaField("摘要", description="用自己的话概括文件的主要内容，不超过 2000 字")
    body = TextAreaField("正文", validators=[Optional()], description="正文与 PDF 至少提供一项")
    pdf = FileField("PDF 文件（不超过规则规定的大小）")

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "pdf")}

    def upload(self):
        data = self.pdf.data
        if data is None or not getattr(data, "filename", ""):
            return None
        return data.read(), data.filename


class ReviewForm(Form):
    note = TextAreaField("审批意见", validators=[Optional(), Length(max=1000)], description="退回修改时必须写明理由")
