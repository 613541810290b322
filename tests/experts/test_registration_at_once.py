"""Sign-up names every wrong field in one answer — profile, user name, password, the repeated
password and each wrong conflict line by its number — instead of one rule per submission."""
from sqlalchemy import select

from tests.foundation.foundation_helpers import field_errors
from platform.accounts.models import User
from platform.enterprises.uscc import make as make_uscc
from platform.core.extensions import db
from tests.experts.test_pool import registration


def test_profile_account_and_conflict_errors_come_back_together(client):
    good = make_uscc("450200", 77)
    response = client.post("/experts/register", data=registration(
        username="w", password="short", confirm="other", phone="abc", industry_codes=[],
        conflicts=f"{good} 柳州某钢铁有限公司\n91450100MA5K00000X 某公司 顾问"))
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True))
    assert "3–40 个字符" in errors["username"][0]
    assert errors["password"] == ["密码至少需要 10 个字符，且须同时包含字母和数字。"]
    assert "联系电话格式不正确" in errors["phone"][0] and "请至少选择一个专业行业" in errors["industry_codes"][0]
    assert errors["conflicts"][0].startswith("第 2 行（91450100MA5K00000X）：") and "校验位错误" in errors["conflicts"][0]
    assert db.session.scalar(select(User).where(User.username == "w")) is None


def test_a_mismatched_confirmation_is_named_beside_its_field(client):
    response = client.post("/experts/register", data=registration(confirm="Qingjie2026y"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["confirm"] == ["两次填写的密码不一致。"]


def test_a_one_character_user_name_is_refused_everywhere(world):
    import pytest

    from platform.accounts import services
    from platform.core.errors import ValidationError

    with pytest.raises(ValidationError, match="3–40 个字符"):
        services.create_user(world.admin, username="x", password="Passw0rd-test", role="expert")
