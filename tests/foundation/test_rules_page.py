"""The public 规则与依据 page and GET /api/v1/rules: every rule the platform applies, with its source."""
import importlib
from datetime import date
from decimal import Decimal

import pytest

from platform import create_app
from platform.core.rulebook import RULE_MODULES, Rule, all_rules


def test_every_rule_is_on_the_page_and_in_the_api_with_its_source_and_kind(client):
    rules = all_rules()
    assert len(rules) >= 20
    page = client.get("/rules").get_data(as_text=True)
    body = client.get("/api/v1/rules").get_json()
    listed = {item["key"]: item for item in body["items"]}
    for rule in rules:
        assert f'id="{rule.key}"' in page, f"{rule.key} has no line on /rules"
        assert rule.source in page
        item = listed[rule.key]
        assert item["kind"] in ("law", "local_practice") and item["source"] == rule.source and item["label"]
        if item["kind"] == "local_practice":
            assert item["source"].startswith("地方实践")
    assert body["total"] == len(rules)


def test_the_page_lists_the_numbers_the_issue_names(client):
    body = {i["key"]: i for i in client.get("/api/v1/rules").get_json()["items"]}
    assert body["penalties.art36_fine"]["value"] == [0, 100000]
    assert body["penalties.art39_fine"]["value"] == [50000, 500000]
    assert body["audits.acceptance_months"]["kind"] == "local_practice"
    assert body["reviews.pass_mark"]["value"] == 70 and body["reviews.pass_mark"]["kind"] == "local_practice"
    assert body["reviews.min_panel_size"]["value"] == 3
    assert body["credit.period_serious"]["value"] == [12, 36]
    assert "第十二条" in body["audits.next_round_months"]["source"]
    assert "第三十六条" in body["penalties.art36_fine"]["source"]


def _bare_rule_values(module) -> list[str]:
    """Module-level numbers, dates and collections of them that are not declared with rule()."""
    def is_rule_like(value):
        if isinstance(value, bool):
            return False
        if isinstance(value, (int, float, Decimal, date)):
            return True
        if isinstance(value, (tuple, list, set, frozenset)) and value:
            return all(is_rule_like(v) or isinstance(v, str) and v.isdigit() for v in value)
        return False

    return [name for name, value in vars(module).items()
            if name.isupper() and not isinstance(value, Rule) and is_rule_like(value)]


@pytest.mark.parametrize("name", RULE_MODULES)
def test_a_rules_module_holds_no_number_without_a_line_on_the_page(name):
    """A deadline, amount, period or threshold written as a bare constant would be applied without
    appearing on the public page: every one is declared with rule()."""
    assert _bare_rule_values(importlib.import_module(name)) == []


def test_the_check_catches_a_bare_constant():
    class Module:
        PASS_MARK = 70
        LABELS = {"a": "b"}
        WINDOW = (30, 7, 1)

    assert sorted(_bare_rule_values(Module)) == ["PASS_MARK", "WINDOW"]


def test_a_local_practice_override_changes_the_rule_and_its_line_and_a_law_cannot_be_overridden(tmp_path):
    from tests.conftest import _test_config

    config = _test_config(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    app = create_app({**config, "RULE_OVERRIDES": {"reviews.pass_mark": 75}}, "test")
    with app.app_context():
        from platform.reviews.rules import PASS_MARK

        assert PASS_MARK.value == 75 and PASS_MARK.display() == "75 分"
    with pytest.raises(ValueError, match="由法律规定"):
        create_app({**config, "RULE_OVERRIDES": {"penalties.art39_fine": [0, 1]}}, "test")
    with pytest.raises(ValueError, match="应在"):
        create_app({**config, "RULE_OVERRIDES": {"audits.acceptance_months": 36}}, "test")
    with pytest.raises(ValueError, match="没有名为"):
        create_app({**config, "RULE_OVERRIDES": {"audits.no_such_rule": 1}}, "test")
