"""Form fields shared by every feature, with their messages in Chinese.

Choice fields do not validate their choices here: the service checks the value and names the
field in Chinese, so a form never shows WTForms' English "Not a valid choice".
"""
from datetime import datetime

from wtforms import DateField as _DateField
from wtforms.validators import DataRequired, Optional

DATE_MESSAGE = "请按 YYYY-MM-DD 填写有效日期。"


class DateField(_DateField):
    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = datetime.strptime(valuelist[0].strip(), "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError(DATE_MESSAGE) from None


def date_field(label: str, required: bool = True) -> DateField:
    return DateField(label, validators=[DataRequired(DATE_MESSAGE)] if required else [Optional()], format="%Y-%m-%d")
