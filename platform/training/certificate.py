"""A training certificate as a PDF (fpdf2), with the Chinese font embedded so that it prints the same
on any reader, and the verification code with the address where anyone can check it."""
from pathlib import Path

from flask import current_app
from fpdf import FPDF

from ..core.dates import format_moment
from ..core.errors import DomainError
from .models import Enrolment


class FontMissing(DomainError):
    status = 503
    code = "font_missing"


def _hours(value) -> str:
    return f"{value:f}".rstrip("0").rstrip(".")


def render(enrolment: Enrolment, verify_url: str) -> bytes:
    font = Path(current_app.config["CJK_FONT_PATH"])
    if not font.is_file():
        raise FontMissing("证书所需的中文字体未安装（CJK_FONT_PATH），暂时无法生成 PDF；请联系系统管理员。")
    session, plan = enrolment.session, enrolment.session.plan
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(f"培训证书 {enrolment.certificate_code}")
    pdf.set_creator("广西清洁生产信息平台")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("cjk", fname=str(font))
    pdf.set_draw_color(20, 90, 60)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)

    def line(text: str, size: float, *, height: float = 12, align: str = "C") -> None:
        pdf.set_font("cjk", size=size)
        pdf.set_x(30)
        pdf.multi_cell(237, height, text, align=align, new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(32)
    line("清洁生产培训证书", 30, height=18)
    pdf.ln(6)
    unit = f"（{enrolment.holder_unit}）" if enrolment.holder_unit else ""
    line(f"{enrolment.holder_name}{unit}：", 16, align="L")
    line(f"于 {session.starts_on.isoformat()} 至 {session.ends_on.isoformat()} 在{session.place}参加"
         f"“{plan.title}”{session.title}（培训对象：{plan.audience_label}），经出勤登记，"
         f"完成培训 {_hours(session.hours)} 学时，特发此证。", 16, height=11, align="L")
    pdf.ln(8)
    line(f"组织单位：{plan.division.name}清洁生产主管部门", 13, height=9, align="R")
    line(f"发证时间：{format_moment(enrolment.certificate_issued_at)}（北京时间）", 13, height=9, align="R")
    pdf.set_y(162)
    line(f"证书验证码：{enrolment.certificate_code}", 14, height=9)
    line(f"验证地址：{verify_url}", 10, height=7)
    return bytes(pdf.output())
