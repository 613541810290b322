"""Reading import files (.xlsx, .csv) and writing Excel/CSV exports, for every feature."""
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from .errors import ValidationError

ALLOWED_EXTENSIONS = {".xlsx", ".csv"}
ZIP_MAGIC = b"PK\x03\x04"
# An import is a list of firms, schemes or technologies: tens of thousands of rows at most. Past
# these an upload is refused before it is parsed, so that a small file cannot expand into gigabytes
# ("zip bomb": a 67 KB .xlsx whose shared strings expand to 64 MB) or hold millions of cells.
MAX_ROWS = 100_000
MAX_COLUMNS = 100
MAX_CELLS = 2_000_000
MAX_EXPANDED_BYTES = 200 * 1024 * 1024  # all parts of the .xlsx, unpacked
MAX_PART_RATIO = 100  # a part that unpacks to over 100 times its packed size (XML packs 5-20 times)
MAX_PARTS = 1000
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
    kept_nothing: bool = False  # an all-or-nothing import refused the file for its bad rows

    @property
    def rejected_rows(self) -> int:
        return len({row for row, _, _ in self.errors})

    def summary(self) -> str:
        if self.kept_nothing:
            return (f"共 {self.total} 行，其中 {self.rejected_rows} 行有误：整个文件未导入，"
                    "请按下列原因改正后重新导入。")
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
    if len(header_row) > MAX_COLUMNS:
        raise ValidationError(f"表格列数过多（{len(header_row)} 列，最多 {MAX_COLUMNS} 列）。", "file")
    rows, cells = [], 0
    for number, values in enumerate(raw_rows, start=2):
        cells += len(values)
        if number - 1 > MAX_ROWS or cells > MAX_CELLS:
            raise ValidationError(f"表格过大：最多 {MAX_ROWS} 行、{MAX_CELLS} 个单元格，请分批导入。", "file")
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        if any(isinstance(v, str) and "\x00" in v for v in values):
            # No spreadsheet holds NUL (a CSV with one is damaged), and PostgreSQL refuses it in text.
            raise ValidationError(f"第 {number} 行含有空字符（NUL），文件可能已损坏，请检查后重新导出。", "file")
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
    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    except Exception as exc:  # openpyxl and the XML parser raise many kinds for a damaged file
        raise ValidationError(f"无法读取 Excel 文件：{exc.__class__.__name__}。请确认文件未损坏。", "file") from exc


def _check_archive(data: bytes) -> None:
    """Refuse an .xlsx by its zip directory alone (sizes as declared; zipfile checks them while reading)."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError(f"无法读取 Excel 文件：{exc.__class__.__name__}。请确认文件未损坏。", "file") from exc
    expanded = sum(part.file_size for part in parts)
    bomb = any(part.file_size > 1024 * 1024 and part.file_size > MAX_PART_RATIO * max(part.compress_size, 1)
               for part in parts)
    if len(parts) > MAX_PARTS or expanded > MAX_EXPANDED_BYTES or bomb:
        raise ValidationError("Excel 文件解压后异常庞大（疑似压缩炸弹），已拒绝。请确认文件内容，或另存为 CSV 后上传。", "file")


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


def xlsx_bytes(title: str, headers: list[str], rows, *, caption: str | None = None,
               as_of: date | None = None) -> bytes:
    """A one-sheet workbook, written in streaming mode so large exports stay small in memory.

    With `caption` (the filter that chose the rows, or "全部") the sheet opens with a title row —
    title, caption and the as-of date (Beijing) — above the header; without it the header is the first
    row (import templates, which are read back). The header row is frozen, and each column is as wide
    as its header or its longer values in the first WIDTH_SAMPLE rows, within bounds.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    rows = iter(rows)
    sample = [_clean_row(row) for _, row in zip(range(WIDTH_SAMPLE), rows)]
    for i, width in enumerate(_column_widths(headers, sample), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    if caption is not None:
        from .dates import beijing_today

        day = (as_of or beijing_today()).isoformat()
        sheet.freeze_panes = "A3"
        sheet.append(_clean_row([f"{title}（{caption}；数据截至 {day}，北京时间）"]))  # a filter typed may hold anything
    else:
        sheet.freeze_panes = "A2"
    sheet.append(headers)
    for row in sample:
        sheet.append(row)
    for row in rows:
        sheet.append(_clean_row(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


WIDTH_SAMPLE = 200
MIN_WIDTH, MAX_WIDTH = 8, 60


def _clean_row(row) -> list:
    # Excel cannot hold control characters (openpyxl refuses them); a name imported from CSV may.
    return [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in map(_export_value, row)]


def _display_width(value) -> int:
    """Columns a value takes in Excel: a Chinese character is about two."""
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value if value is not None else "")
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in longest)


def _column_widths(headers: list[str], sample: list[list]) -> list[int]:
    widths = []
    for i, header in enumerate(headers):
        values = [row[i] for row in sample if i < len(row)]
        widest = max([_display_width(header)] + [_display_width(v) for v in values])
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, widest + 2)))
    return widths


def export_caption(words) -> str:
    """The filter that chose an export's rows, for its title row: "南宁市；含“钢铁”", or 全部."""
    words = [w for w in words if w]
    return "；".join(words) or "全部"


def export_filename(subject: str, words, extension: str, as_of: date | None = None) -> str:
    """A name that says what the file holds and when: 企业名录_南宁市_截至2026-12-06.xlsx."""
    from .dates import beijing_today

    unsafe = str.maketrans({c: "-" for c in '/\\:*?"<>|；;，, '})
    parts = [subject] + [str(w).translate(unsafe).strip("-") for w in words if w]
    return "_".join(parts + [f"截至{(as_of or beijing_today()).isoformat()}"]) + f".{extension}"


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
