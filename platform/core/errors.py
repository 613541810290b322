"""Domain errors raised by services; views and the API turn them into messages and status codes."""


class DomainError(Exception):
    """A rule refused the action. `message` is Chinese and shown to the person as is."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    code = "validation_error"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"

    def __init__(self, message: str = "您无权进行此操作。", field: str | None = None):
        super().__init__(message, field)


class NotFound(DomainError):
    """Missing, or outside the actor's scope: both answer 404 in the same words, so that an id
    does not tell whether another city's object exists (security finding 16). A refusal by role,
    decided before any lookup, stays 403."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "未找到该记录。", field: str | None = None):
        super().__init__(message, field)


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidFields(ValidationError):
    """Several fields are wrong at once; `errors` maps field -> message, in field order."""

    def __init__(self, errors: dict[str, str]):
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, first_field)
        self.errors = errors


def text(value, field: str, label: str, max_len: int, *, required: bool = False, default: str | None = None):
    """A check for `collect`: the text stripped (None when empty, or `default`), or ValidationError
    saying in Chinese that the field is missing or too long. The one text validator."""
    def check():
        value_text = str(value if value is not None else "").strip() or (default or "")
        if required and not value_text:
            raise ValidationError(f"请填写{label}。", field)
        if len(value_text) > max_len:
            raise ValidationError(f"{label}不能超过 {max_len} 个字符。", field)
        return value_text or None
    return check


def collect(checks) -> dict:
    """Run `field -> callable` checks, returning cleaned values or raising InvalidFields with every failure."""
    values, errors = {}, {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except ValidationError as exc:
            errors[exc.field or field] = exc.message
    if errors:
        raise InvalidFields(errors)
    return values
