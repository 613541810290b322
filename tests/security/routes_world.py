"""The world the security tests walk the URL map in: one user of every role, and one of every object
owned by city A (南宁, 450100), so that each route can be asked for by each role.

Building it takes a second, so it is built once per test module on a copy of the migrated template
database and copied into each test's fresh database (SQLite); on PostgreSQL it is built in each test.
(It cannot use the function-scoped factories of tests/conftest.py for that reason; it builds the
same people — `world`'s attribute names — through the same services.)

    city A 450100   ent_a 南宁甲钢铁有限公司 (user enterprise_a), round_a under evaluation with its report,
                    a scheme (scheme_a, with a change awaiting approval: revision_a), a scheme whose VOCs
                    figure awaits review (scheme_outlier), a panel of three drawn experts (the `expert`
                    user among them) with the province's request to decline for a colleague awaiting a
                    second regulator, four cases:
                    case_overdue (past its rectification deadline, no penalty yet), and three penalised
                    ones whose credit records are published (record_pub, with a pending repair
                    application), awaiting approval (record_pending, entered by the province regulator)
                    and approved with a dead-letter delivery (record_dead); ent_a2, ent_a3 in park_a with
                    no round; service organisation org_a (user service_org) doing round_a's audit (proposed
                    by the enterprise and confirmed by the organisation: engagement_a).
    city B 450200   ent_b 柳州乙化工有限公司 (user enterprise_b), nothing else.
                    training: plan_a and its session_a (next month), kept by regulator_a; the `expert`
                    attended it (enrolment_a, with its certificate); org_a's qualification_a awaits a check.
    everywhere      technologies tech_pub (published) and tech_draft, expert_pending awaiting approval.
"""
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import select, text

from platform.core.dates import beijing_today
from platform.core.extensions import db
from platform.core.access import SYSTEM

PASSWORD = "Passw0rd-test"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ROLES = ("anonymous", "enterprise_a", "enterprise_b", "expert", "service_org", "regulator_a", "regulator_b",
         "province", "admin")
TODAY = beijing_today()  # credit records are public only within their publication period, counted to today
FAR = date(2030, 1, 1)  # "today" for steps taken on the fixed dates of the audit below
# Tables whose rows may change without anyone writing: reference data, and a token's last use.
NOT_WATCHED = {"divisions", "industries", "priority_chemicals", "alembic_version", "api_tokens"}
CSRF_MESSAGE = "表单已过期或来源不明"


def _profile(name: str, employer: str, serial: int) -> dict:
    from platform.enterprises.uscc import make

    return {"name": name, "title": "教授级高级工程师", "employer": employer, "employer_uscc": make("450100", 610000 + serial),
            "industry_codes": "31", "fields": "节能、废水治理", "qualifications": "注册环保工程师",
            "years_of_practice": "15", "phone": f"1391234000{serial}", "email": f"expert{serial}.contact@example.com"}


def build_world() -> dict:
    """Build the world in the current app context; returns the ids, names and API tokens tests need."""
    from platform.accounts.models import ApiToken
    from platform.accounts.services import create_user, issue_token, start_session
    from platform.audits import cases, certifications, services as audits
    from platform.catalogue import services as catalogue
    from platform.audits.rules import ART39
    from platform.credit import jobs as credit_jobs, services as credit
    from platform.credit.models import CreditDelivery
    from platform.enterprises import services as enterprises
    from platform.enterprises.models import Park
    from platform.enterprises.uscc import make
    from platform.experts import engagements, services as experts
    from platform.reviews import services as panels
    from platform.schemes import review as scheme_review, services as schemes
    from platform.sectors import services as sectors
    from platform.projects import services as two_high
    from platform.experts import accountability
    from platform.training import services as training

    park_a = Park(name="南宁测试工业园区", city_code="450100")
    db.session.add(park_a)
    db.session.flush()

    def enterprise(name, city, serial, **fields):
        return enterprises.create(SYSTEM, {"name": name, "uscc": make(city, 9000 + serial), "division_code": city,
                                         "industry_code": "3130", **fields})

    ent_a = enterprise("南宁甲钢铁有限公司", "450100", 1, contact_person="甲联系人", contact_phone="0771-5550001")
    ent_b = enterprise("柳州乙化工有限公司", "450200", 2)
    ent_a2 = enterprise("南宁丙冶金有限公司", "450100", 3, park_id=park_a.id)
    ent_a3 = enterprise("南宁丁材料有限公司", "450100", 4, park_id=park_a.id)
    db.session.flush()

    def user(username, role, city=None, enterprise_id=None):
        return create_user(SYSTEM, username=username, password=PASSWORD, role=role, division_code=city,
                           enterprise_id=enterprise_id)

    users = {
        "enterprise_a": user("enterprise-a", "enterprise", enterprise_id=ent_a.id),
        "enterprise_b": user("enterprise-b", "enterprise", enterprise_id=ent_b.id),
        "expert": user("expert", "expert"),
        "service_org": user("service-org", "service_org"),
        "regulator_a": user("regulator-a", "regulator", "450100"),
        "regulator_b": user("regulator-b", "regulator", "450200"),
        "province": user("province", "regulator", "450000"),
        "admin": user("admin", "admin"),
    }
    db.session.flush()

    # The expert pool: the `expert` user and two colleagues approved in industry 31 (exactly a panel),
    # and one applicant awaiting the province's decision.
    expert = experts.add_profile(users["expert"], _profile("甲专家", "广西大学", 1))
    experts.decide(SYSTEM, expert, "approve")
    own_conflict = experts.declare_conflict(SYSTEM, expert, uscc=make("450300", 777001), organisation="桂林某咨询公司")
    colleague = experts.create_by_operator(_profile("乙专家", "广西环境科学研究院", 2), username="expert-2",
                                           password=PASSWORD)
    others_conflict = experts.declare_conflict(SYSTEM, colleague, uscc=make("450300", 777002), organisation="梧州某公司")
    experts.create_by_operator(_profile("丙专家", "桂林理工大学", 3), username="expert-3", password=PASSWORD)
    expert_pending = experts.create_by_operator(_profile("丁专家", "广西民族大学", 4), username="expert-4",
                                                password=PASSWORD, status="pending")
    org_a = experts.create_service_org(SYSTEM, {"name": "南宁清洁生产咨询有限公司", "uscc": make("450100", 700001),
                                              "division_code": "450100", "contact_phone": "0771-5550199",
                                              "contact_person": "机构联系人",
                                              "username": "service-org"})

    tech_pub = catalogue.create(SYSTEM, {"name": "烧结烟气循环技术", "industry_codes": "31", "category": "过程控制",
                                       "source": "测试目录"}, status="published")
    # A yearly figure of the sectors' 2025 targets for city A (reported by the platform: the world's
    # regulators are ecology and environment's, who report none).
    figure_a = sectors.report(SYSTEM, {"indicator": "straw_utilization_rate", "division_code": "450100", "year": 2024,
                                       "value": "85"})
    # City A's proposed mandatory list (ecology and environment, a draft): ent_a2 exceeded a limit.
    from decimal import Decimal

    from platform.listing import services as listing
    from platform.listing.models import MonitoringRecord

    db.session.add(MonitoringRecord(enterprise_id=ent_a2.id, pollutant="化学需氧量", measured_on=TODAY - timedelta(days=10),
                                    measured_value=Decimal("90"), limit_value=Decimal("60"), unit="mg/L"))
    db.session.flush()
    proposal_a = listing.start(users["regulator_a"], as_of=TODAY)
    # A planned 两高 steel project of city A (recorded by the platform, so the enterprise is two_high).
    project_a = two_high.create(SYSTEM, {"uscc": ent_a.uscc, "name": "南宁转炉炼钢项目", "sector": "steel_bof",
                                         "capacity": "120", "capacity_unit": "万吨/年", "stage": "planned"})
    tech_draft = catalogue.create(SYSTEM, {"name": "草稿中的技术", "industry_codes": "31", "category": "源头减量",
                                         "source": "测试目录"})
    # The knowledge base: a published guide with its PDF, and city A's regulator's draft and submitted one.
    from platform.knowledge import services as knowledge

    def document(title):
        return {"kind": "audit_guide", "title": title, "issuer": "生态环境部", "issued_on": "2018-04-12",
                "summary": f"{title}的摘要", "body": "正文"}

    doc_pub = knowledge.create(SYSTEM, document("清洁生产审核评估与验收指南"), pdf=(PDF, "guide.pdf"))
    knowledge.submit(SYSTEM, doc_pub)
    knowledge.approve(SYSTEM, doc_pub)
    doc_draft = knowledge.create(users["regulator_a"], document("起草中的审核指南"))
    doc_pending = knowledge.create(users["regulator_a"], document("待审批的审核指南"))
    knowledge.submit(users["regulator_a"], doc_pending)

    # City A's round: listed, disclosed, audited with a scheme, report submitted, under evaluation.
    batch_a = audits.publish_batch(users["regulator_a"], title="南宁市2025年第一批强制性清洁生产审核名单",
                                   published_on=date(2025, 3, 1), usccs=[ent_a.uscc], today=date(2025, 3, 1))
    round_a = batch_a.rounds[0]
    audits.disclose(users["enterprise_a"], round_a, on=date(2025, 3, 20), today=date(2025, 3, 20))
    # Recorded long after the declared day: a backdated step awaiting a regulator's confirmation.
    audits.start_audit(users["enterprise_a"], round_a, on=date(2025, 4, 10), today=FAR)
    engagement_a = engagements.propose(users["enterprise_a"], round_a, org_a.id)
    engagements.confirm(users["service_org"], engagement_a)
    scheme_a = schemes.create(users["enterprise_a"], round_a, {
        "code": "F-01", "name": "余热回收改造", "category": "low_cost", "status": "completed",
        "completed_on": date(2025, 6, 30), "energy_tce": "12.5", "investment_wan_yuan": "3"}, today=FAR)
    # Above the VOCs ceiling (schemes/rules.py): accepted, and awaiting a regulator's review.
    scheme_outlier = schemes.create(users["enterprise_a"], round_a, {
        "code": "F-02", "name": "储罐油气回收", "category": "high_cost", "status": "completed",
        "completed_on": date(2025, 9, 30), "vocs_t": "9999", "investment_wan_yuan": "300"}, today=FAR)
    report_a = audits.submit_report(users["enterprise_a"], round_a, on=date(2026, 2, 1), data=PDF,
                                    filename="审核报告.pdf", today=date(2026, 2, 1))
    audits.begin_evaluation(users["regulator_a"], round_a, on=date(2026, 3, 1), today=FAR)
    # A certification of enterprise A waiting for its regulator (评价认证视同审核).
    cert_a = certifications.record(users["enterprise_a"], ent_a, certificate_no="CQC-A-001", certifying_body="中国质量认证中心",
                                   certified_on=TODAY - timedelta(days=30), scope="全厂", data=PDF, filename="证书.pdf",
                                   today=TODAY)
    panel_a = panels.draw_panel(users["regulator_a"], round_a, size=3, seed=20260301, today=date(2026, 3, 2))
    # The report is in, so the schemes are frozen: a change waits for the regulator's decision.
    revision_a = scheme_review.request_change(users["enterprise_a"], scheme_a, {"energy_tce": "15"},
                                              "复核计量数据后更正节能量。", today=FAR)
    colleague_member = next(m for m in panel_a.members if m.expert_id == colleague.id)
    assert {m.expert_id for m in panel_a.members} >= {expert.id, colleague.id}
    # The province asked to decline for the colleague: a request awaiting a second regulator.
    request_pending = panels.decline(users["province"], colleague_member, "该专家近期与企业有业务往来")

    # Four cases on the round, each past a rectification deadline (as the daily scan would mark them).
    ordered_on, deadline = TODAY - timedelta(days=260), TODAY - timedelta(days=230)
    decided_on = TODAY - timedelta(days=200)  # the minimum publication period (3 months) has passed

    def overdue_case(cause):
        case = cases.open_case(users["regulator_a"], round_a, cause=cause, today=ordered_on)
        cases.order_rectification(users["regulator_a"], case, deadline=deadline, today=ordered_on)
        case.state = "overdue"
        return case

    def penalty(case, by, number):
        return credit.record_penalty(by, case, decision_no=f"南环罚〔2026〕{number}号", decided_on=decided_on,
                                     facts="列入强制性清洁生产审核名单后逾期未开展审核，经责令限期整改仍未改正。",
                                     legal_basis=ART39.legal_basis, fine_yuan="100000", severity="general",
                                     today=decided_on).record

    case_overdue = overdue_case("start_overdue")
    record_pub = penalty(overdue_case("disclosure_overdue"), users["regulator_a"], 1)
    record_pending = penalty(overdue_case("report_overdue"), users["province"], 2)
    record_dead = penalty(overdue_case("acceptance_overdue"), users["regulator_a"], 3)
    credit.approve(users["province"], record_pub, today=decided_on)
    db.session.commit()
    credit_jobs.publish()
    credit.approve(users["province"], record_dead, today=decided_on)
    db.session.flush()
    dead = record_dead.delivery("publish")
    dead.status, dead.attempts, dead.last_error = "dead", 1, "HTTP 422: 字段不符合规范"
    repair = credit.apply_for_repair(users["enterprise_a"], record_pub, correction="已完成审核并缴纳罚款。",
                                     commitment="本企业承诺守法经营。", commitment_public=True, data=PDF,
                                     filename="整改证明.pdf", paid_yuan=record_pub.decision.fine_yuan,
                                     paid_on=record_pub.decision.decided_on, voucher=PDF,
                                     voucher_filename="缴款凭证.pdf", today=TODAY)
    from platform.accounts import requests as account_requests

    account_request = account_requests.submit(
        uscc=ent_a2.uscc, enterprise_name=ent_a2.name, username="ent-a2", contact_person="丙联系人",
        contact_phone="0771-5550003", contact_email="a2.contact@example.com", data=PDF, filename="营业执照.pdf")
    db.session.commit()
    assert record_pub.state == "published" and record_pending.state == "pending"
    assert db.session.get(CreditDelivery, dead.id).status == "dead"

    # Training in city A: an expert class next month, which the `expert` attended (its certificate, as
    # recorded on its first day); and a 第十六条 qualification record of org_a awaiting a regulator.
    starts = TODAY + timedelta(days=30)
    plan_a = training.create_plan(users["regulator_a"], {"title": "南宁市专家培训", "audience": "experts",
                                                         "year": starts.year, "hours": 8})
    session_a = training.add_session(users["regulator_a"], plan_a, {
        "title": "第一期", "starts_on": starts, "ends_on": starts, "place": "南宁", "capacity": 30, "hours": 8})
    enrolment_a = training.enrol_self(users["expert"], session_a, today=TODAY)
    training.record_attendance(users["regulator_a"], enrolment_a, True, today=starts)
    qualification_a = accountability.submit_qualification(users["service_org"], org_a, "audit_staff",
                                                          "清洁生产审核师 3 名")

    tokens = {role: issue_token(SYSTEM, u, "matrix") for role, u in users.items()}
    sessions = {role: start_session(u, "127.0.0.1") for role, u in users.items()}
    db.session.commit()
    return {
        "users": {role: u.id for role, u in users.items()},
        "tokens": tokens, "sessions": sessions,
        "token_reg_a": db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == users["regulator_a"].id)),
        "ent_a": ent_a.id, "ent_a_uscc": ent_a.uscc, "ent_a_name": ent_a.name, "ent_b": ent_b.id,
        "ent_b_uscc": ent_b.uscc, "ent_a2_uscc": ent_a2.uscc, "ent_a3_uscc": ent_a3.uscc, "park_a": park_a.id,
        "batch_a": batch_a.id, "batch_a_title": batch_a.title, "round_a": round_a.id, "report_a": report_a.id,
        "scheme_a": scheme_a.id, "scheme_outlier": scheme_outlier.id, "revision_a": revision_a.id,
        "panel_a": panel_a.id, "member_colleague": colleague_member.id,
        "request_pending": request_pending.id, "engagement_a": engagement_a.id,
        "expert": expert.id, "expert_pending": expert_pending.id, "own_conflict": own_conflict.id,
        "others_conflict": others_conflict.id, "org_a": org_a.id, "tech_pub": tech_pub.id, "figure_a": figure_a.id,
        "proposal_a": proposal_a.id, "entry_a": proposal_a.entries[0].id,
        "project_a": project_a.id,
        "tech_draft": tech_draft.id, "doc_pub": doc_pub.id, "doc_draft": doc_draft.id, "doc_pending": doc_pending.id,
        "case_overdue": case_overdue.id, "record_pub": record_pub.id,
        "record_pub_key": record_pub.idempotency_key, "record_pending": record_pending.id,
        "record_dead": record_dead.id, "delivery_dead": dead.id, "repair": repair.id,
        "decision_no_pub": record_pub.decision.decision_no,
        "step_a": round_a.step_records[0].id, "cert_a": cert_a.id,
        "fine_pub": str(record_pub.decision.fine_yuan), "decided_pub": record_pub.decision.decided_on.isoformat(),
        "expert_phone": expert.phone, "expert_email": expert.email, "ent_a_phone": ent_a.contact_phone,
        "org_phone": org_a.contact_phone, "account_request": account_request.id,
        "plan_a": plan_a.id, "session_a": session_a.id, "enrolment_a": enrolment_a.id,
        "certificate_a": enrolment_a.certificate_code, "qualification_a": qualification_a.id,
    }


# --- the world on disk, and in each test ---------------------------------------------------------------

def world_config(url: str, home: Path) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False,
            "UPLOAD_DIR": str(home / "uploads"), "SEARCH_EMBEDDED_PATH": str(home / "search.sqlite3"),
            "CREDIT_DROP_DIR": str(home / "credit-drop"), "SEARCH_INDEX_AFTER_COMMIT": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


@pytest.fixture(scope="module")
def built_world(template_db, tmp_path_factory):
    """(database file, uploads folder, ids) of the world built once for the module; None on PostgreSQL."""
    from platform import create_app

    if template_db is None:
        return None
    home = tmp_path_factory.mktemp("routes-world")
    path = home / "world.db"
    shutil.copy(template_db, path)
    app = create_app(world_config(f"sqlite:///{path}", home), "test")
    with app.app_context():
        ids = build_world()
        db.session.remove()
        db.engine.dispose()
    return path, home / "uploads", ids


def _sqlite_path(app) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


class Walker:
    """Requests as each role makes them: a session for pages, a bearer token for /api/v1."""

    def __init__(self, app, built):
        self.app, self.built = app, built
        self._session_cookies = {}
        self.reset()

    def reset(self) -> None:
        """The world as built: copied afresh into the test's database (SQLite), or built again (PostgreSQL)."""
        db.session.remove()
        forget_request_globals()
        if self.built is None:
            _truncate()
            self.ids = build_world()
        else:
            path, uploads, self.ids = self.built
            db.engine.dispose()
            shutil.copy(path, _sqlite_path(self.app))
            shutil.copytree(uploads, self.app.config["UPLOAD_DIR"], dirs_exist_ok=True)
        self._clients = {}

    def client(self, role: str, *, api: bool = False):
        """The role's browser, signed in as Flask-Login's test client signs in (kept until the next
        reset: logging in and out happen only in the last requests of a check); the API's clients
        carry no session at all."""
        key = "api" if api else role
        if key not in self._clients:
            client = self.app.test_client()
            if role != "anonymous" and not api:
                client.set_cookie("session", self._session_cookie(role), domain="localhost")
            self._clients[key] = client
        return self._clients[key]

    def _session_cookie(self, role: str) -> str:
        token = self.ids["sessions"][role]
        if token not in self._session_cookies:  # signed once: the world's login sessions survive a reset
            client = self.app.test_client()
            with client.session_transaction() as session:
                session["_user_id"], session["_fresh"] = token, True
            self._session_cookies[token] = client.get_cookie("session", domain="localhost").value
        return self._session_cookies[token]

    def headers(self, role: str, path: str) -> dict:
        if path.startswith("/api/") and role != "anonymous":
            return {"Authorization": f"Bearer {self.ids['tokens'][role]}"}
        return {}

    def request(self, role: str, method: str, path: str, *, data=None, json_body=None, client=None, bearer=True):
        forget_request_globals()
        client = client or self.client(role, api=path.startswith("/api/"))
        kwargs = {"headers": self.headers(role, path) if bearer else {}}
        if json_body is not None:
            kwargs["json"] = json_body
        elif data is not None:
            kwargs["data"] = data() if callable(data) else data
        return client.open(path, method=method, **kwargs)

    def index_for_search(self) -> None:
        """Send the world's queued search documents to the test's own search index (for the pages
        that list experts and technologies through search)."""
        from platform.core.indexing.services import drain

        drain()

    def fill(self, value):
        """`{round_a}` and the like, replaced by the world's ids (in strings, dicts and lists)."""
        if isinstance(value, str):
            return value.format(**self.ids)
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.fill(v) for v in value)
        return value


def forget_request_globals() -> None:
    """The test's app context is shared by its requests, so is `g`: Flask-Login caches the user there
    and Flask-WTF the session's CSRF token. In production each request has its own; so here."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def fingerprint() -> dict:
    """Every watched table's rows: two equal fingerprints mean nothing was written in between.
    (Read through the driver's own cursor: it is taken a thousand times a module.)"""
    cursor = db.session.connection().connection.cursor()
    out = {}
    try:
        for name in _watched_tables():
            cursor.execute(f'SELECT * FROM "{name}"')
            out[name] = sorted(repr(row) for row in cursor.fetchall())
    finally:
        cursor.close()
    return out


def _watched_tables() -> list[str]:
    return [t.name for t in db.metadata.sorted_tables if t.name not in NOT_WATCHED]


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def _truncate() -> None:
    """PostgreSQL: empty every table but the reference data (as tests/conftest.py does per test)."""
    names = [t.name for t in reversed(db.metadata.sorted_tables)
             if t.name not in {"divisions", "industries", "alembic_version"}]
    db.session.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def walker(app, built_world):
    """The test's fresh database holding the world, and a Walker over it."""
    return Walker(app, built_world)


def body_text(response) -> str:
    """What a person would read in the answer: pages and JSON as text, spreadsheets cell by cell."""
    mimetype = response.mimetype or ""
    if mimetype == "application/json":
        return json.dumps(response.get_json(silent=True), ensure_ascii=False)
    if "spreadsheetml" in mimetype:
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.get_data()), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    return response.get_data().decode("utf-8", errors="replace")


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")
