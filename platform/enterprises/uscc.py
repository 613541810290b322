"""统一社会信用代码 (GB 32100-2015): the one validator used wherever a USCC enters."""
from ..core.errors import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
FIELD_LABEL = "统一社会信用代码"


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(value) -> str:
    # str(): a spreadsheet cell may hold a number or a date where the code belongs.
    return str(value if value is not None else "").strip().upper()


def validate(value: str | None, field: str = "uscc", *, allow_bad_check: bool = False) -> str:
    """Return the normalised code or raise ValidationError naming the field and the reason.

    `allow_bad_check` accepts a well-formed code whose check character does not match: a few
    early pilot codes are lawful yet fail the check, and a regulator may register them.
    """
    code = normalize(value)
    if not code:
        raise ValidationError(f"请填写{FIELD_LABEL}。", field)
    if len(code) != 18:
        raise ValidationError(f"{FIELD_LABEL}应为 18 位，当前为 {len(code)} 位。", field)
    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        raise ValidationError(f"{FIELD_LABEL}含有不允许的字符“{bad[0]}”（不得使用 I、O、S、V、Z）。", field)
    if not code[2:8].isdigit():
        raise ValidationError(f"{FIELD_LABEL}第 3–8 位应为行政区划代码。", field)
    expected = check_character(code[:17])
    if code[17] != expected and not allow_bad_check:
        raise ValidationError(f"{FIELD_LABEL}校验位错误：第 18 位应为“{expected}”，而非“{code[17]}”。", field)
    return code


def is_valid(value: str | None) -> bool:
    try:
        validate(value)
    except ValidationError:
        return False
    return True


def make(division_code: str, serial: int, registrar: str = "9", kind: str = "1") -> str:
    """Build a valid code (demo data and tests): registrar 9 = 工商, kind 1 = 企业."""
    body = f"{registrar}{kind}{division_code}"
    tail = ""
    n = serial
    for _ in range(9):
        n, r = divmod(n, 31)
        tail = ALPHABET[r] + tail
    first17 = body + tail
    return first17 + check_character(first17)
