"""Factories for the schemes and statistics tests (imported by tests/schemes and tests/stats conftests).

`drive(round, until)` takes a round through the audit's steps, each on a fixed date, from wherever
it stands; `add_scheme(round, ...)` enters a scheme as the CLI operator would; `stats_world` builds
the known set of rounds and schemes that the statistics tests check figure by figure.
"""
import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from platform.audits import services as audits
from platform.core.extensions import db
from platform.schemes import review, services as schemes
from platform.core.access import SYSTEM

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FAR = date(2030, 1, 1)  # "today" for steps taken on the fixed dates below
TODAY = date(2026, 11, 28)  # "today" for scheme completion dates
STEPS = ["listed", "disclosed", "auditing", "report_submitted", "evaluation", "evaluation_passed", "acceptance",
         "accepted"]
DATES = {"disclosed": date(2025, 3, 20), "auditing": date(2025, 4, 10), "report_submitted": date(2026, 2, 1),
         "evaluation": date(2026, 3, 1), "evaluation_passed": date(2026, 3, 1), "acceptance": date(2026, 10, 1),
         "accepted": date(2026, 11, 1)}


@pytest.fixture(autouse=True)
def unsynced_sqlite():
    """A test database is thrown away after the test: skip the fsync of every commit."""
    def no_fsync(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    event.listen(Pool, "connect", no_fsync)
    yield
    event.remove(Pool, "connect", no_fsync)


def _step(round_, state: str, on: date):
    if state == "disclosed":
        audits.disclose(SYSTEM, round_, on=on, today=on)
    elif state == "auditing":
        audits.start_audit(SYSTEM, round_, on=on, today=on)
    elif state == "report_submitted":
        audits.submit_report(SYSTEM, round_, on=on, data=PDF, filename="审核报告.pdf", today=on)
    elif state == "evaluation":
        audits.begin_evaluation(SYSTEM, round_, on=on, today=FAR)
    elif state == "evaluation_passed":
        audits.conclude_evaluation(SYSTEM, round_, on=on, passed=True, today=FAR)
    elif state == "acceptance":
        audits.request_acceptance(SYSTEM, round_, on=on, today=on)
    elif state == "accepted":
        audits.conclude_acceptance(SYSTEM, round_, on=on, passed=True, today=FAR)


def drive(round_, until: str, *, fail: str | None = None, **dates):
    """Move a round forward to `until`; `fail="evaluation"` or `"acceptance"` ends it with that failure."""
    on = {**DATES, **dates}
    target = {"evaluation": "evaluation", "acceptance": "acceptance"}.get(fail, until)
    for state in STEPS[STEPS.index(round_.state) + 1: STEPS.index(target) + 1]:
        _step(round_, state, on[state])
    if fail == "evaluation":
        audits.conclude_evaluation(SYSTEM, round_, on=on["evaluation_passed"], passed=False, opinion="报告不规范。",
                                   today=FAR)
    elif fail == "acceptance":
        audits.conclude_acceptance(SYSTEM, round_, on=on["accepted"], passed=False, opinion="绩效未达到。", today=FAR)
    db.session.commit()
    return round_


def list_enterprise(enterprise, on: date = date(2025, 3, 1)):
    audits.list_from_import(SYSTEM, enterprise, on, "测试列入")
    db.session.commit()
    return audits.current_round(enterprise.id)


def add_scheme(round_, code: str, category: str = "low_cost", status: str = "completed", *,
               completed_on: date | None = date(2025, 6, 30), **amounts):
    raw = {"code": code, "name": f"方案{code}", "category": category, "status": status,
           "completed_on": completed_on if status == "completed" else None,
           **{k: Decimal(str(v)) for k, v in amounts.items()}}
    scheme = schemes.create(SYSTEM, round_, raw, today=TODAY)
    db.session.commit()
    return scheme


@pytest.fixture
def started(world):
    """`started(enterprise)`: the enterprise listed on 2025-03-01 and its audit under way (审核中)."""
    def factory(enterprise):
        return drive(list_enterprise(enterprise), "auditing")
    return factory


def build_stats_world() -> dict:
    """The known world of the statistics tests (A = 南宁 450100, B = 柳州 450200); returns its ids.

    round   city industry park  entered        state                 schemes
    a1      A    31       PA    listed 2025-03  accepted              W01 W02 Z01 done, Z02 abandoned (W01's COD
                                                                        and W02's NH3-N above their ceilings, confirmed)
    a2      A    26       -     listed 2025-03  evaluation_passed     W01 done, Z01 implementing
    a3      A    31       -     listed 2026-01  cancelled             W01 done (never counts)
    a4      A    26       -     listed 2026-01  listed                -
    b1      B    31       PB    listed 2025-06  evaluation_failed     W01 done, W02 planned
    b2      B    22       -     started 2026-02 auditing (voluntary)  W01 done
    b3      B    22       -     listed 2025-03  acceptance_failed     W01 Z01 done, Z02 abandoned
    """
    from platform.accounts.services import create_user
    from platform.enterprises import services as enterprises
    from platform.enterprises.models import Park
    from platform.enterprises.uscc import make

    park_a, park_b = Park(name="南宁测试园区", city_code="450100"), Park(name="柳州测试园区", city_code="450200")
    db.session.add_all([park_a, park_b])
    db.session.flush()
    plan = {"a1": ("450100", "3130", park_a.id), "a2": ("450100", "2614", None), "a3": ("450100", "3130", None),
            "a4": ("450100", "2614", None), "b1": ("450200", "3130", park_b.id), "b2": ("450200", "2211", None),
            "b3": ("450200", "2211", None)}
    e = {key: enterprises.create(SYSTEM, {"name": f"统计测试企业{key.upper()}有限公司", "uscc": make(city, 8000 + n),
                                        "division_code": city, "industry_code": industry, "park_id": park})
         for n, (key, (city, industry, park)) in enumerate(plan.items())}
    regulator_a = create_user(SYSTEM, username="stats-regulator-a", password="Passw0rd-test", role="regulator",
                              division_code="450100")
    db.session.commit()
    r = {}
    r["a1"] = drive(list_enterprise(e["a1"]), "auditing")
    large = [add_scheme(r["a1"], "W01", energy_tce="10.1", water_t="100.2", cod_t="4620.1", co2_t="20.05",
                        investment_wan_yuan="1.5", economic_benefit_wan_yuan="2.5"),
             add_scheme(r["a1"], "W02", cod_t="0.2", nh3n_t="1600.0125", investment_wan_yuan="0.3",
                        economic_benefit_wan_yuan="0.4")]
    # Above the plausible ceilings (schemes/rules.py): counted once the city's regulator confirms them.
    for scheme in large:
        review.review_figures(regulator_a, scheme, confirm=True, note="经核实，监测数据支持该削减量。")
    db.session.commit()
    add_scheme(r["a1"], "Z01", "high_cost", energy_tce="1200.3333", nox_t="35.5", so2_t="12.25", vocs_t="0.0001",
               co2_t="3000", investment_wan_yuan="250.75", economic_benefit_wan_yuan="180")
    add_scheme(r["a1"], "Z02", "high_cost", "abandoned", nox_t="99", investment_wan_yuan="500")
    drive(r["a1"], "accepted")

    r["a2"] = drive(list_enterprise(e["a2"]), "auditing")
    add_scheme(r["a2"], "W01", water_t="5000", cod_t="1.75", investment_wan_yuan="2", economic_benefit_wan_yuan="3")
    add_scheme(r["a2"], "Z01", "high_cost", "implementing", nox_t="50", investment_wan_yuan="800")
    drive(r["a2"], "evaluation_passed")

    r["a3"] = list_enterprise(e["a3"], date(2026, 1, 15))
    add_scheme(r["a3"], "W01", completed_on=date(2026, 2, 1), cod_t="999", investment_wan_yuan="99")
    audits.cancel(regulator_a, r["a3"], reason="误列入名单", today=date(2026, 3, 1))
    db.session.commit()

    r["a4"] = list_enterprise(e["a4"], date(2026, 1, 15))

    r["b1"] = drive(list_enterprise(e["b1"], date(2025, 6, 1)), "auditing", disclosed=date(2025, 6, 10),
                    auditing=date(2025, 7, 1))
    add_scheme(r["b1"], "W01", completed_on=date(2025, 9, 1), energy_tce="5.5", cod_t="0.3333",
               investment_wan_yuan="0.8", economic_benefit_wan_yuan="1")
    add_scheme(r["b1"], "W02", status="planned", energy_tce="3", investment_wan_yuan="1")
    drive(r["b1"], "evaluation", fail="evaluation")

    r["b2"] = audits.start_voluntary(_enterprise_user(e["b2"]), kind="voluntary", started_on=date(2026, 2, 1),
                                     today=date(2026, 2, 1))
    db.session.commit()
    add_scheme(r["b2"], "W01", completed_on=date(2026, 5, 1), water_t="300", vocs_t="0.5", investment_wan_yuan="0.2",
               economic_benefit_wan_yuan="0.1")

    r["b3"] = drive(list_enterprise(e["b3"]), "auditing")
    add_scheme(r["b3"], "W01", nh3n_t="2.5", investment_wan_yuan="4", economic_benefit_wan_yuan="6")
    add_scheme(r["b3"], "Z01", "high_cost", so2_t="150.125", nox_t="20", investment_wan_yuan="1000",
               economic_benefit_wan_yuan="90")
    add_scheme(r["b3"], "Z02", "high_cost", "abandoned", investment_wan_yuan="20")
    drive(r["b3"], "acceptance", fail="acceptance")
    return {"enterprises": {k: v.id for k, v in e.items()}, "rounds": {k: v.id for k, v in r.items()},
            "parks": {"a": park_a.id, "b": park_b.id}}


def stats_template(template_db, tmp_path_factory) -> tuple:
    """Build the statistics world once per session on a copy of the migrated template (SQLite);
    each test then starts from a copy of that. Returns (path, ids), or (None, None) on PostgreSQL."""
    import shutil

    from platform import create_app

    if template_db is None:
        return None, None
    tmp = tmp_path_factory.mktemp("stats-template")
    path = tmp / "stats.db"
    shutil.copy(template_db, path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True,
                      "UPLOAD_DIR": str(tmp / "uploads"), "SEARCH_EMBEDDED_PATH": str(tmp / "search.sqlite3"),
                      "CREDIT_DROP_DIR": str(tmp / "drop"),
                      "SEARCH_INDEX_AFTER_COMMIT": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}, "test")
    with app.app_context():
        ids = build_stats_world()
        db.session.remove()
        db.engine.dispose()
    return path, ids


class StatsWorld:
    """The statistics world's rows, loaded in the test's own session."""

    def __init__(self, ids: dict, people):
        from platform.audits.models import AuditRound
        from platform.enterprises.models import Enterprise, Park

        self.enterprises = {k: db.session.get(Enterprise, v) for k, v in ids["enterprises"].items()}
        self.rounds = {k: db.session.get(AuditRound, v) for k, v in ids["rounds"].items()}
        self.parks = {k: db.session.get(Park, v) for k, v in ids["parks"].items()}
        self.people = people


def _enterprise_user(enterprise):
    from platform.accounts.services import create_user

    user = create_user(SYSTEM, username=f"ent-{enterprise.id}", password="Passw0rd-test", role="enterprise",
                       enterprise_id=enterprise.id)
    db.session.commit()
    return user
