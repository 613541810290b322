"""统一社会信用代码 (GB 32100-2015): the one validator, and the pilot-code override."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foundation_helpers import audit_entries, count
from platform.enterprises import services
from platform.enterprises.models import Enterprise
from platform.enterprises.uscc import ALPHABET, check_character, is_valid, make, validate
from platform.core.errors import InvalidFields, PermissionDenied, ValidationError
from platform.core.access import SYSTEM

# Codes published by the enterprises themselves (business licences, annual reports).
GENUINE_CODES = {
    "91350100M000100Y43": "the GB 32100 worked example",
    "91440300708461136T": "深圳市腾讯计算机系统有限公司",
    "91330100799655058B": "阿里巴巴（中国）有限公司",
    "914403001922038216": "华为技术有限公司 (check character is a digit)",
    "91110108551385082Q": "小米科技有限责任公司",
}
GUANGXI_CITIES = ["450100", "450200", "450300", "450400", "450500", "450600", "450700",
                  "450800", "450900", "451000", "451100", "451200", "451300", "451400"]


def _refusal(value) -> str:
    with pytest.raises(ValidationError) as caught:
        validate(value)
    assert caught.value.field == "uscc"
    return caught.value.message


@pytest.mark.parametrize("code", GENUINE_CODES)
def test_genuine_published_codes_are_valid(code):
    assert validate(code) == code
    assert is_valid(code)


def test_a_wrong_check_character_names_position_18_and_the_expected_character():
    message = _refusal("91350100M000100Y44")
    assert "第 18 位" in message
    assert "“3”" in message and "“4”" in message


@pytest.mark.parametrize("code", GENUINE_CODES)
def test_every_other_check_character_is_refused(code):
    for wrong in ALPHABET.replace(code[17], ""):
        assert not is_valid(code[:17] + wrong)


@pytest.mark.parametrize("value, length", [("91350100M000100Y4", 17), ("91350100M000100Y433", 19), ("9", 1)])
def test_a_code_of_the_wrong_length_is_refused_with_its_length(value, length):
    message = _refusal(value)
    assert "18 位" in message and f"{length} 位" in message


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_the_standard_leaves_out_are_refused(letter):
    message = _refusal("91350100M000100" + letter + "43")
    assert f"“{letter}”" in message
    assert "不得使用 I、O、S、V、Z" in message


@pytest.mark.parametrize("value", ["", None, "   "])
def test_an_empty_code_asks_for_one(value):
    assert _refusal(value) == "请填写统一社会信用代码。"


def test_positions_3_to_8_must_be_a_division_code():
    code = "91A50100M000100Y4"
    assert "第 3–8 位" in _refusal(code + check_character(code))


def test_lowercase_and_surrounding_spaces_are_normalised():
    assert validate("  91350100m000100y43 ") == "91350100M000100Y43"


@settings(max_examples=200, deadline=None)
@given(city=st.sampled_from(GUANGXI_CITIES), serial=st.integers(min_value=0, max_value=31**9 - 1))
def test_make_builds_valid_codes_in_the_given_division(city, serial):
    code = make(city, serial)
    assert len(code) == 18
    assert validate(code) == code
    assert code[2:8] == city


@settings(max_examples=100, deadline=None)
@given(serial=st.integers(min_value=0, max_value=31**9 - 1), position=st.integers(0, 16),
       replacement=st.sampled_from(ALPHABET))
def test_changing_any_one_character_breaks_the_check(serial, position, replacement):
    code = make("450100", serial)
    altered = code[:position] + replacement + code[position + 1:]
    if altered != code and altered[2:8].isdigit():
        assert not is_valid(altered)


# --- the pilot-code override -------------------------------------------------------------------

PILOT_CODE = "91450100MA5K000001"  # well-formed, but its check character should not be 1


def _pilot_raw(**fields):
    return {"name": "南宁早期试点企业有限公司", "uscc": PILOT_CODE, "division_code": "450102",
            "industry_code": "3130", **fields}


def test_the_pilot_code_fails_the_check():
    assert not is_valid(PILOT_CODE)


def test_without_the_override_even_a_regulator_cannot_register_a_pilot_code(world):
    with pytest.raises(InvalidFields) as caught:
        services.create(world.regulator_a, _pilot_raw())
    assert "第 18 位" in caught.value.errors["uscc"]
    assert count(Enterprise, Enterprise.uscc == PILOT_CODE) == 0


@pytest.mark.parametrize("role", ["regulator_a", "province", "admin"])
def test_a_regulator_or_admin_registers_a_pilot_code_flagged_and_logged_with_a_note(world, role):
    actor = getattr(world, role)
    enterprise = services.create(actor, _pilot_raw(), allow_bad_check=True)
    assert enterprise.uscc == PILOT_CODE
    assert enterprise.uscc_check_overridden is True
    [entry] = [e for e in audit_entries("enterprise.create") if e.object_id == str(enterprise.id)]
    assert entry.actor_id == actor.id
    assert "试点" in entry.note and "校验位" in entry.note


@pytest.mark.parametrize("role", ["enterprise_a", "expert", "service_org"])
def test_nobody_else_may_use_the_override(world, role):
    with pytest.raises(PermissionDenied):
        services.create(getattr(world, role), _pilot_raw(), allow_bad_check=True)
    assert count(Enterprise, Enterprise.uscc == PILOT_CODE) == 0


def test_the_command_line_cannot_use_the_override_either(app):
    with pytest.raises(PermissionDenied):
        services.create(SYSTEM, _pilot_raw(), allow_bad_check=True)


def test_a_regulator_of_another_city_cannot_register_a_pilot_code_here(world):
    with pytest.raises(PermissionDenied):
        services.create(world.regulator_b, _pilot_raw(), allow_bad_check=True)
    assert count(Enterprise, Enterprise.uscc == PILOT_CODE) == 0


def test_the_override_on_a_valid_code_is_not_flagged(world):
    enterprise = services.create(world.regulator_a, _pilot_raw(uscc=make("450100", 77)), allow_bad_check=True)
    assert enterprise.uscc_check_overridden is False
    assert audit_entries("enterprise.create")[-1].note is None


def test_the_override_still_refuses_a_malformed_code(world):
    with pytest.raises(InvalidFields) as caught:
        services.create(world.regulator_a, _pilot_raw(uscc="91450100MA5K00000"), allow_bad_check=True)
    assert "18 位" in caught.value.errors["uscc"]


def test_a_registered_pilot_enterprise_can_be_edited_later(world):
    enterprise = services.create(world.regulator_a, _pilot_raw(), allow_bad_check=True)
    assert services.update(world.regulator_a, enterprise, {"address": "南宁市青秀区民族大道 1 号"})
    assert enterprise.address == "南宁市青秀区民族大道 1 号"
