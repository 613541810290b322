"""Import files are refused before they are parsed when they would expand past what an import
needs (a "zip bomb" .xlsx), and are capped in rows and cells (security finding 9)."""
import io
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from platform.core import tabular
from platform.core.errors import ValidationError

HEADERS = ["企业名称", "统一社会信用代码"]


def _workbook(rows) -> bytes:
    book = Workbook()
    for row in [HEADERS, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb(expanded_mb: int = 64) -> bytes:
    """A valid .xlsx whose sheet unpacks to `expanded_mb` MB of rows, packed to a few hundred KB."""
    source = zipfile.ZipFile(io.BytesIO(_workbook([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for part in source.infolist():
            data = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                head, rest = data.split(b"<sheetData>")
                rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>'
                                % (n, n, b"A" * 4000) for n in range(2, expanded_mb * 256 + 2))
                first, tail = rest.split(b"</sheetData>")
                data = head + b"<sheetData>" + first + rows + b"</sheetData>" + tail
            bomb.writestr(part, data)
    return out.getvalue()


def test_an_xlsx_that_unpacks_to_tens_of_megabytes_is_refused_before_it_is_parsed():
    data = _bomb()
    assert len(data) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as caught:
            tabular.read_table(data, "企业.xlsx", HEADERS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "压缩炸弹" in caught.value.message and caught.value.field == "file"
    assert peak < 8 * 1024 * 1024  # the shared strings were never unpacked


def test_an_ordinary_workbook_still_imports():
    table = tabular.read_table(_workbook([["甲公司", "X1"], ["乙公司", "X2"]]), "企业.xlsx", HEADERS)
    assert [row for _, row in table.rows] == [{"企业名称": "甲公司", "统一社会信用代码": "X1"},
                                              {"企业名称": "乙公司", "统一社会信用代码": "X2"}]


def test_a_file_past_the_row_cap_is_refused_saying_so(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 5)
    rows = "\n".join(f"公司{i},X{i}" for i in range(6))
    with pytest.raises(ValidationError) as caught:
        tabular.read_table(("企业名称,统一社会信用代码\n" + rows).encode(), "企业.csv", HEADERS)
    assert "最多 5 行" in caught.value.message
    assert len(tabular.read_table(("企业名称,统一社会信用代码\n" + rows.rsplit("\n", 1)[0]).encode(),
                                  "企业.csv", HEADERS).rows) == 5


def test_a_file_past_the_cell_cap_or_too_wide_is_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_CELLS", 10)
    with pytest.raises(ValidationError) as caught:
        tabular.read_table(_workbook([["甲", "X"]] * 6), "企业.xlsx", HEADERS)
    assert "单元格" in caught.value.message
    wide = ",".join(HEADERS + [f"列{i}" for i in range(tabular.MAX_COLUMNS)])
    with pytest.raises(ValidationError) as caught:
        tabular.read_table(wide.encode(), "企业.csv", HEADERS)
    assert "列数过多" in caught.value.message
