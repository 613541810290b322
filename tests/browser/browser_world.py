"""The people and enterprises the browser tests meet (a module of its own, so tests can import it)."""
from platform.core.extensions import db
from platform.core.access import SYSTEM

PASSWORD = "Passw0rd-test"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# username -> (role, city); the enterprise user belongs to the enterprise of its city.
PEOPLE = {
    "gx-admin": ("admin", None),
    "gx-province": ("regulator", "450000"),
    "nn-regulator": ("regulator", "450100"),
    "nn-enterprise": ("enterprise", "450100"),
    "gx-expert": ("expert", None),
    "gx-consultant": ("service_org", None),
}
ENTERPRISES = {"450100": "南宁浏览器测试钢铁有限公司", "450200": "柳州浏览器测试化工有限公司"}


def seed() -> None:
    from platform.accounts.services import create_user
    from platform.enterprises.services import create
    from platform.enterprises.uscc import make

    enterprise_of = {}
    for serial, (city, name) in enumerate(ENTERPRISES.items(), start=1):
        enterprise_of[city] = create(SYSTEM, {"name": name, "uscc": make(city, 7700 + serial),
                                            "division_code": city, "industry_code": "3130"})
    # 南宁's firm is on a mandatory list for toxic substances: its §11 disclosure form is to be filled.
    from datetime import date

    from platform.audits.services import list_from_import

    enterprise_of["450100"].toxic_substances = True
    list_from_import(SYSTEM, enterprise_of["450100"], date(2026, 11, 2), "使用或排放有毒有害物质")
    for username, (role, city) in PEOPLE.items():
        create_user(SYSTEM, username=username, password=PASSWORD, role=role, display_name=username,
                    division_code=city if role == "regulator" else None,
                    enterprise_id=enterprise_of[city].id if role == "enterprise" else None)
    db.session.commit()
