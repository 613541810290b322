"""Form fields shared by every feature, with their messages in Chinese.

Choice fields do not validate their choices here: the service checks the value and names the
field in Chinese, so a form never shows WTForms' English "Not a valid choice".
"""
from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import DateField as _DateField
from wtforms.meta import DefaultMeta
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


class Form(FlaskForm):
    """The base of every form: Flask-WTF's CSRF token, and WTForms' own messages in Chinese."""

    class Meta:
        locales = ("zh",)

        def get_translations(self, form):
            # Flask-WTF translates only through Flask-Babel, which the platform does without, so
            # messages such as "Not a valid choice." would reach the page in English.
            return DefaultMeta.get_translations(self, form)


def industry_choices() -> list:
    """The 97 industry divisions as "code name" choices (searchable checkbox lists and selects)."""
    from wtforms.fields.choices import SelectChoice

    from .reference.services import industries

    return [SelectChoice(code, f"{code} {name}") for code, name in industries().items()]
