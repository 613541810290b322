"""`flask enterprises import FILE` and the regulators' upload: one row, one savepoint.

Valid rows are written, each invalid row is reported with its row number, column and reason,
and importing the same file again changes nothing.
"""

from ..core.errors import InvalidFields, ValidationError
from ..core.tabular import ImportReport, import_rows, parse_date, read_table
from . import services

COLUMNS = {  # header -> field
    "企业名称": "name",
    "统一社会信用代码": "uscc",
    "行政区划代码": "division_code",
    "行业代码": "industry_code",
    "强制审核原因": "mandatory_reason",
    "名单公布日期": "listed_on",
    "法定代表人": "legal_representative",
    "地址": "address",
    "排污许可证编号": "permit_no",
    "排污许可管理类别": "permit_class",
}
REQUIRED = ["企业名称", "统一社会信用代码", "行政区划代码", "行业代码"]
HEADER_OF = {field: header for header, field in COLUMNS.items()}


def import_enterprises(actor, data: bytes, filename: str, progress=None, list_enterprise=None) -> ImportReport:
    """Import a file; `progress(done, total)` is called as rows are processed. A row's 名单公布日期
    is handed to `list_enterprise(actor, enterprise, listed_on, reason) -> changed` (the audits
    feature's listing step, audits.importer); without it such a row is refused."""
    table = read_table(data, filename, REQUIRED, [h for h in COLUMNS if h not in REQUIRED])
    present = {COLUMNS[h] for h in table.headers}
    first_row_of: dict[str, int] = {}  # code -> the row that first named it
    return import_rows(table, COLUMNS, lambda raw, number: _import_row(actor, raw, present, number, first_row_of, list_enterprise),
                       _header, progress)


def _header(field: str | None) -> str:
    # A refusal that names no field concerns the row's enterprise, which its code identifies.
    return HEADER_OF.get(field or "uscc", field)


def _import_row(actor, raw: dict, present: set[str], number: int, first_row_of: dict[str, int],
                list_enterprise) -> str:
    try:
        listed_on = parse_date(raw.pop("listed_on", None), "listed_on", "名单公布日期")
    except ValidationError as bad_date:
        others = {}
        try:
            services.clean(raw)  # report the row's other mistakes too, not one per import
        except InvalidFields as exc:
            others = exc.errors
        raise InvalidFields({**others, bad_date.field: bad_date.message}) from bad_date
    code = services.uscc_rules.normalize(raw.get("uscc"))
    if code in first_row_of:
        # Two rows for one enterprise would overwrite each other on every import, so a
        # re-import would never be "unchanged".
        raise ValidationError(f"统一社会信用代码 {code} 与第 {first_row_of[code]} 行重复；"
                              "同一文件中每家企业只能出现一次。", "uscc")
    if code:
        first_row_of[code] = number
    existing = services.by_uscc(code)
    if existing is None:
        enterprise = services.create(actor, raw)
        outcome = "created"
    else:
        changes = {k: v for k, v in raw.items() if k in present}
        enterprise = existing
        outcome = "updated" if services.update(actor, existing, changes) else "unchanged"
    if listed_on is not None:
        if list_enterprise is None:
            raise ValidationError("此处导入不办理列入名单，请删去“名单公布日期”列。", "listed_on")
        if list_enterprise(actor, enterprise, listed_on, raw.get("mandatory_reason")) and outcome == "unchanged":
            outcome = "updated"
    return outcome
