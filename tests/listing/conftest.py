import pytest

from platform.core.access import SYSTEM
from platform.core.extensions import db

PASSWORD = "Passw0rd-test"


@pytest.fixture
def make_regulator(app):
    """`make_regulator(city, department)`: a regulator of a city (or 450000) and a department."""
    from platform.accounts import services

    counter = iter(range(1, 10**6))

    def factory(city: str = "450100", department: str = "ecology_environment"):
        user = services.create_user(SYSTEM, username=f"reg-{department}-{city}-{next(counter)}", password=PASSWORD,
                                    role="regulator", division_code=city, department=department)
        db.session.commit()
        return user

    return factory
