"""Every export says what it holds: a title row with the filter and the as-of date above a frozen
header, columns as wide as their contents, and a file name with the filter and the date."""
import io
import re
from urllib.parse import unquote

from openpyxl import load_workbook

from platform.core.tabular import export_filename, xlsx_bytes


def _name(response) -> str:
    return unquote(response.headers["Content-Disposition"].split("''")[1])


def test_the_file_name_says_what_and_when(world, client_for):
    assert re.fullmatch(r"企业名录_南宁市_截至\d{4}-\d{2}-\d{2}\.xlsx",
                        _name(client_for(world.regulator_a).get("/enterprises/export.xlsx")))
    assert re.fullmatch(r"企业名录_柳州市_截至\d{4}-\d{2}-\d{2}\.xlsx",
                        _name(client_for(world.province).get("/enterprises/export.xlsx?city=450200")))
    assert re.fullmatch(r"审核轮次_南宁市_截至\d{4}-\d{2}-\d{2}\.xlsx",
                        _name(client_for(world.regulator_a).get("/audits/rounds/export.xlsx")))
    assert re.fullmatch(r"行政处罚信用信息_含“钢铁”_截至\d{4}-\d{2}-\d{2}\.csv",
                        _name(client_for(world.admin).get("/credit/export.csv?q=钢铁")))


def test_a_file_name_never_carries_a_path_or_a_separator():
    assert export_filename("企业名录", ["a/b", "c:d；e"], "xlsx").startswith("企业名录_a-b_c-d-e_截至")


def test_the_title_row_the_frozen_header_and_widths_from_the_contents():
    data = xlsx_bytes("企业名录", ["企业名称", "代码"], [["广西某某钢铁集团有限责任公司第一分公司", "91450100"]],
                      caption="南宁市")
    sheet = load_workbook(io.BytesIO(data)).active
    assert re.fullmatch(r"企业名录（南宁市；数据截至 \d{4}-\d{2}-\d{2}，北京时间）", sheet["A1"].value)
    assert [c.value for c in sheet[2]] == ["企业名称", "代码"] and sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["A"].width >= 38 and 8 <= sheet.column_dimensions["B"].width <= 12


def test_an_import_template_keeps_its_header_first():
    sheet = load_workbook(io.BytesIO(xlsx_bytes("模板", ["企业名称"], []))).active
    assert sheet["A1"].value == "企业名称" and sheet.freeze_panes == "A2"
