"""Every rule the platform applies, with its source: the one registry that the public 规则与依据 page
and `GET /api/v1/rules` are generated from.

A rule is declared once, in its feature's rules module, with `rule(...)`. A rule the law sets is
`kind="law"` and cites the article; changing it is a code change, reviewed like any other. A rule no
law sets is `kind="local_practice"`: it says so on the public page, and an installation may change it
without a code change through the `RULE_OVERRIDES` setting (JSON, e.g. `{"audits.acceptance_months": 24}`),
within the bounds the rule declares.
"""
import importlib
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app, has_app_context

KINDS = {"law": "法律法规", "local_practice": "地方实践（可配置）"}
# The modules that declare rules, in the order the public page shows them.
RULE_MODULES = ("platform.audits.rules", "platform.reviews.rules", "platform.credit.rules", "platform.schemes.rules",
                "platform.stats.rules", "platform.sectors.rules", "platform.listing.rules", "platform.projects.rules",
                "platform.results.rules", "platform.knowledge.rules", "platform.training.rules", "platform.experts.rules")


@dataclass(frozen=True)
class Rule:
    key: str
    section: str
    label: str
    default: object
    unit: str
    source: str
    kind: str = "law"
    note: str = ""
    bounds: tuple | None = field(default=None)  # (lowest, highest) an override may set

    @property
    def value(self):
        if has_app_context():
            overrides = current_app.config.get("RULE_OVERRIDES") or {}
            if self.key in overrides:
                return _coerce(self, overrides[self.key])
        return self.default

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    def display(self, value=None) -> str:
        value = self.value if value is None else value
        if isinstance(value, (tuple, list)):
            text = "、".join(_plain(v) for v in value) if self.unit not in RANGE_UNITS else "–".join(_plain(v) for v in value)
        elif isinstance(value, (set, frozenset)):
            text = "、".join(sorted(_plain(v) for v in value))
        else:
            text = _plain(value)
        return f"{text} {self.unit}".strip()

    def as_json(self) -> dict:
        return {"key": self.key, "section": self.section, "label": self.label, "value": _json(self.value),
                "unit": self.unit, "source": self.source, "kind": self.kind, "note": self.note}


RANGE_UNITS = {"元（最低–最高）"}
RULEBOOK: dict[str, Rule] = {}


def rule(key: str, label: str, default, unit: str, source: str, *, section: str, kind: str = "law", note: str = "",
         bounds: tuple | None = None) -> Rule:
    if key in RULEBOOK:
        raise ValueError(f"rule {key} is declared twice")
    if kind not in KINDS:
        raise ValueError(f"rule {key}: kind must be one of {', '.join(KINDS)}")
    if kind == "local_practice" and not source.startswith("地方实践"):
        raise ValueError(f"rule {key}: a local-practice rule's source starts with 地方实践")
    declared = Rule(key, section, label, default, unit, source, kind, note, bounds)
    RULEBOOK[key] = declared
    return declared


def all_rules() -> list[Rule]:
    for name in RULE_MODULES:
        importlib.import_module(name)
    return list(RULEBOOK.values())


def check_overrides(overrides: dict) -> None:
    """At start-up: an override names a local-practice rule and fits its type and bounds, or the platform
    refuses to start with a message that says which."""
    known = {r.key: r for r in all_rules()}
    for key, value in (overrides or {}).items():
        if key not in known:
            raise ValueError(f"RULE_OVERRIDES：没有名为 {key} 的规则。")
        if known[key].kind != "local_practice":
            raise ValueError(f"RULE_OVERRIDES：{key}（{known[key].label}）由法律规定，不能通过配置修改。")
        _coerce(known[key], value)


def _coerce(rule_: Rule, value):
    default = rule_.default
    try:
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise TypeError
            coerced = value
        elif isinstance(default, int):
            if isinstance(value, bool) or int(value) != value:
                raise TypeError
            coerced = int(value)
        elif isinstance(default, Decimal):
            coerced = Decimal(str(value))
        elif isinstance(default, tuple):
            coerced = tuple(type(d)(v) for d, v in zip(default, value, strict=True))
        elif isinstance(default, (set, frozenset)):
            coerced = frozenset(str(v) for v in value)
        else:
            coerced = type(default)(value)
    except (TypeError, ValueError, ArithmeticError):
        raise ValueError(f"RULE_OVERRIDES：{rule_.key}（{rule_.label}）的值 {value!r} 类型不正确。") from None
    if rule_.bounds and not (rule_.bounds[0] <= coerced <= rule_.bounds[1]):
        raise ValueError(f"RULE_OVERRIDES：{rule_.key}（{rule_.label}）应在 {rule_.bounds[0]}–{rule_.bounds[1]} 之间。")
    return coerced


def _plain(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,}"
    return str(value)


def _json(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (tuple, list)):
        return [_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_json(v) for v in value)
    return value
