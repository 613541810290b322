"""Reading import files (.xlsx, .csv) and writing Excel/CSV exports, for every feature."""
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from .errors import ValidationError

ALLOWED_EXTENSIONS = {".xlsx", ".csv"}
ZIP_MAGIC = b"PK\x03\x04"
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict]]  # (row number as the user sees it, header -> cell)


@dataclass
class ImportReport:
    """What an import did; `errors` holds (row number, column header, reason) for each refusal."""

    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({row for row, _, _ in self.errors})

    def summary(self) -> str:
        return (f"共 {self.total} 行：新增 {self.created}，更新 {self.updated}，未变化 {self.unchanged}，"
                f"拒绝 {self.rejected_rows}。")


def read_table(data: bytes, filename: str, required: list[str], optional: list[str] = ()) -> Table:
    """Parse an uploaded file into rows keyed by header. Raises ValidationError on a bad file."""
    ext = Path(filename or "").suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationError("文件类型不支持，请上传 .xlsx 或 .csv 文件。", "file")
    if ext == ".xlsx":
        if not data.startswith(ZIP_MAGIC):
            raise ValidationError("文件内容不是有效的 Excel（.xlsx）文件。", "file")
        raw_rows = _xlsx_rows(data)
    else:
        raw_rows = _csv_rows(data)
    header_row = next(raw_rows, None)
    if header_row is None:
        raise ValidationError("文件是空的。", "file")
    headers = [str(h or "").strip() for h in header_row]
    missing = [h for h in required if h not in headers]
    if missing:
        raise ValidationError(f"缺少必需的列：{'、'.join(missing)}（第一行应为中文表头）。", "file")
    known = set(required) | set(optional)
    rows = []
    for number, values in enumerate(raw_rows, start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        rows.append((number, {h: _cell(v) for h, v in zip(headers, values) if h in known}))
    return Table(headers=[h for h in headers if h in known], rows=rows)


def _cell(value):
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _xlsx_rows(data: bytes):
    """The sheet's rows, read lazily; a read-only workbook parses its sheet only now, so a damaged
    sheet (cut-off XML, a bad cell) is found while iterating and refused like a damaged file."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    except Exception as exc:  # openpyxl and the XML parser raise many kinds for a damaged file
        raise ValidationError(f"无法读取 Excel 文件：{exc.__class__.__name__}。请确认文件未损坏。", "file") from exc


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("CSV 文件不是 UTF-8 编码，请另存为“CSV UTF-8”格式后再上传。", "file") from exc
    reader = csv.reader(io.StringIO(text))
    try:
        return iter(list(reader))
    except csv.Error as exc:  # a cell over the csv module's field limit (128 KiB), and the like
        raise ValidationError(f"CSV 文件第 {reader.line_num} 行无法读取（单元格过长或格式有误）。", "file") from exc


def parse_date(value, field: str, label: str) -> date | None:
    """Accept a real date cell, YYYY-MM-DD, YYYY/MM/DD or YYYY年M月D日."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"{label}“{text}”不是有效日期，应为 YYYY-MM-DD 格式。", field)


def xlsx_bytes(title: str, headers: list[str], rows) -> bytes:
    """A one-sheet workbook, written in streaming mode so large exports stay small in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    widths = [max(8, len(h) * 2 + 2) for h in headers]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.append(headers)
    for row in rows:
        # Excel cannot hold control characters (openpyxl refuses them); a name imported from CSV may.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                      for v in map(_export_value, row)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(headers: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_export_value(v) for v in row])
    return out.getvalue().encode("utf-8-sig")  # with BOM so Excel opens it as UTF-8


def _export_value(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # never let a cell be read as a formula (CSV injection)
    return value


def import_rows(table: Table, columns: dict, import_row, header_of, progress=None) -> ImportReport:
    """Run `import_row(raw, number)` on each row under its own savepoint: a refused row is rolled back
    and reported with its number, column and reason; the others stay. `columns` maps header -> field,
    `header_of(field)` names the column of a refusal, `import_row` returns "created", "updated" or
    "unchanged", and `progress(done, total)` follows along."""
    from .errors import DomainError, InvalidFields
    from .extensions import db

    report = ImportReport(total=len(table.rows))
    for done, (number, cells) in enumerate(table.rows, start=1):
        raw = {columns[h]: v for h, v in cells.items()}
        savepoint = db.session.begin_nested()
        try:
            outcome = import_row(raw, number)
        except InvalidFields as exc:
            savepoint.rollback()
            report.errors.extend((number, header_of(f), message) for f, message in exc.errors.items())
        except DomainError as exc:
            savepoint.rollback()
            report.errors.append((number, header_of(exc.field), exc.message))
        else:
            savepoint.commit()
            setattr(report, outcome, getattr(report, outcome) + 1)
        if progress:
            progress(done, report.total)
    return report
