"""The database itself refuses what must never be stored, whatever code writes it (STYLE 4)."""
import pytest
from sqlalchemy.exc import IntegrityError

from platform.accounts.models import User
from platform.enterprises.models import Enterprise
from platform.enterprises.uscc import make
from platform.core.extensions import db


def _enterprise(**fields) -> Enterprise:
    return Enterprise(**{"name": "直接写入的企业", "uscc": make("450100", 31337), "city_code": "450100",
                         "industry_code": "31", "industry_class": "3130", **fields})


def _user(**fields) -> User:
    return User(**{"username": "direct", "password_hash": "x", "role": "expert", "display_name": "直接写入", **fields})


def _refused(row) -> None:
    db.session.add(row)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_one_code_one_enterprise(world):
    _refused(_enterprise(uscc=world.ent_a.uscc))


@pytest.mark.parametrize("fields", [{"uscc": "91450100MA5K00000"}, {"permit_class": "strict"}, {"name": None}])
def test_an_enterprise_row_that_breaks_a_constraint_is_refused(app, fields):
    _refused(_enterprise(**fields))


@pytest.mark.parametrize("fields", [
    {"role": "wizard"}, {"role": "regulator"}, {"role": "enterprise"}])
def test_a_user_row_that_breaks_a_constraint_is_refused(app, fields):
    _refused(_user(**fields))


def test_usernames_are_unique(world):
    _refused(_user(username=world.admin.username))
