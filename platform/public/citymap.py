"""The map of Guangxi by city (地图): per city, the firms listed for a mandatory audit, the cases not
yet settled and the credit records on public view, each a count taken by the service that keeps the
list it links to."""
from ..audits import cases, services as audits
from ..core.reference.services import cities
from ..credit import services as credit

MEASURES = {
    "listed": "列入强制性审核名单的企业",
    "open_cases": "未结违规案件",
    "credit_records": "公示中的信用记录",
}


def city_figures() -> list[dict]:
    """One row a city, in code order: code, name and each measure of MEASURES."""
    listed, open_cases, records = audits.listed_by_city(), cases.open_by_city(), credit.public_by_city()
    return [{"code": code, "name": name, "listed": listed.get(code, 0), "open_cases": open_cases.get(code, 0),
             "credit_records": records.get(code, 0)} for code, name in cities().items()]
