"""`flask demo load`: reference data, a few hundred enterprises across Guangxi, a user per role.

Deterministic (fixed seed) and idempotent: running it twice changes nothing the second time.
"""
import random

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from .accounts import services as accounts
from .accounts.models import User
from .core.cli import unit_of_work
from .enterprises import services as enterprises
from .enterprises.models import Enterprise, Park
from .enterprises.uscc import make as make_uscc
from .core.extensions import db
from .core.reference.services import cities, load_reference_data
from .core.dates import beijing_today
from .core.access import SYSTEM

DEMO_PASSWORD = "Demo2026gx"
ENTERPRISES_PER_CITY = 22
# Industries the Guangxi plan names, weighted toward the province's heavy sectors.
DEMO_INDUSTRIES = ["3110", "3120", "3130", "3216", "3011", "2211", "1340", "2614", "2710", "3360", "1713", "4411", "2511", "2319"]
NAME_WORDS = ["鑫源", "华盛", "桂冠", "恒达", "宏远", "南方", "金海", "永泰", "红水河", "西江", "北部湾", "八桂", "汇丰", "银海", "东兴", "龙腾"]
KINDS = {"31": "钢铁", "32": "有色金属", "30": "建材", "22": "纸业", "13": "糖业", "26": "化工", "27": "制药", "33": "电镀",
         "17": "印染", "44": "电力", "25": "石化", "23": "印务"}

# username, role, display name, division scope
DEMO_USERS = [
    ("admin", "admin", "系统管理员", None),
    ("gx-regulator", "regulator", "自治区生态环境厅", "450000"),
    ("nn-regulator", "regulator", "南宁市生态环境局", "450100"),
    ("lz-regulator", "regulator", "柳州市生态环境局", "450200"),
    ("expert", "expert", "李明（教授级高工）", None),
    ("consultant", "service_org", "广西绿源清洁生产咨询有限公司", None),
    ("citizen", "public", "公众用户", None),
    # Departments other than ecology and environment report the sectors' 2025 targets (platform/sectors).
    ("gx-agriculture", "regulator", "自治区农业农村厅", "450000", "agriculture"),
    ("nn-agriculture", "regulator", "南宁市农业农村局", "450100", "agriculture"),
    ("gx-housing", "regulator", "自治区住房和城乡建设厅", "450000", "housing"),
    # The 两高 project register's departments besides ecology and environment (platform/projects), and the
    # energy department that proposes and confirms lists for energy over the quota (platform/listing).
    ("gx-development", "regulator", "自治区发展和改革委员会", "450000", "development_reform"),
    ("gx-industry", "regulator", "自治区工业和信息化厅", "450000", "industry_it"),
    ("lz-development", "regulator", "柳州市发展和改革委员会", "450200", "development_reform"),
]


def load_demo() -> dict:
    load_reference_data()
    db.session.flush()
    rng = random.Random(2026)
    created = {"enterprises": 0, "users": 0, "parks": 0}
    for city_code, city_name in cities().items():
        park_name = f"{city_name.removesuffix('市')}工业园区"
        park = db.session.scalar(select(Park).where(Park.name == park_name))
        if park is None:
            park = Park(name=park_name, city_code=city_code)
            db.session.add(park)
            db.session.flush()
            created["parks"] += 1
        for i in range(ENTERPRISES_PER_CITY):
            industry = rng.choice(DEMO_INDUSTRIES)
            county = f"{city_code[:4]}{rng.choice(['02', '03', '21', '22', '81'])}"
            code = make_uscc(city_code, int(city_code) * 100 + i)
            flags = {flag: rng.random() < share for flag, share in
                     (("over_discharge", .2), ("over_energy_quota", .15), ("toxic_substances", .3), ("two_high", .2))}
            raw = {
                "name": f"{city_name.removesuffix('市')}{rng.choice(NAME_WORDS)}{KINDS.get(industry[:2], '实业')}有限公司{i + 1:02d}",
                "uscc": code, "division_code": county, "industry_code": industry,
                "legal_representative": rng.choice("王李张刘陈杨黄赵周吴") + rng.choice(["伟", "芳", "强", "敏", "军", "丽", "勇"]),
                "address": f"{city_name}某某路 {rng.randint(1, 999)} 号",
                "permit_no": f"{code}001{rng.choice('PVQ')}", "permit_class": rng.choice(["key", "simplified"]),
                "park_id": park.id if rng.random() < .4 else None,
                "contact_person": "联系人", "contact_phone": f"0771-{rng.randint(1000000, 9999999)}", **flags,
            }
            if enterprises.by_uscc(code) is None:
                enterprises.create(SYSTEM, raw)
                created["enterprises"] += 1
    # The demo enterprises' accounts belong to listed enterprises, so that they have rounds to follow.
    listed_first = (Enterprise.over_discharge | Enterprise.toxic_substances | Enterprise.over_energy_quota).desc()
    first = db.session.scalar(select(Enterprise).where(Enterprise.city_code == "450100").order_by(listed_first, Enterprise.id))
    second = db.session.scalar(select(Enterprise).where(Enterprise.city_code == "450200").order_by(listed_first, Enterprise.id))
    users = DEMO_USERS + [("nn-enterprise", "enterprise", first.name, None), ("lz-enterprise", "enterprise", second.name, None)]
    for username, role, name, scope, *department in users:
        if db.session.scalar(select(func.count(User.id)).where(User.username == username)):
            continue
        enterprise_id = {"nn-enterprise": first.id, "lz-enterprise": second.id}.get(username)
        accounts.create_user(SYSTEM, username=username, password=DEMO_PASSWORD, role=role, display_name=name,
                             division_code=scope, enterprise_id=enterprise_id,
                             department=department[0] if department else None)
        created["users"] += 1
    created["rounds"] = _demo_rounds(rng)
    from .audits import demo as audit_demo

    created["rounds"] += audit_demo.load_rounds()
    from .schemes.demo import load_demo as load_schemes

    created["schemes"] = load_schemes(rng)
    from .catalogue.demo import load_demo as load_catalogue

    created["technologies"] = load_catalogue()
    from .experts.demo import load_demo as load_experts

    created["experts"] = load_experts()
    created["reviews_and_certifications"] = audit_demo.load_reviews()
    from .credit.demo import load_demo as load_credit

    created["credit_records"] = load_credit()
    from .sectors.demo import load_demo as load_sectors

    created["sector_figures"] = load_sectors()
    from .listing.demo import load_demo as load_listing

    created["list_proposals"] = load_listing()
    from .projects.demo import load_demo as load_projects

    created["two_high_projects"] = load_projects()
    from .knowledge.demo import load_demo as load_knowledge

    created["documents"] = load_knowledge()
    created["account_requests"], created["subscriptions"] = _demo_requests_and_subscriptions()
    return created


# The clean-production level an accepted demo round is rated (audits.models.LEVELS), by enterprise id:
# a few leading firms, more advanced and ordinary ones, some rated before levels were recorded.
DEMO_LEVELS = ("I", "II", "II", "III", "II", "III", None, "II", "III", "I")


DEMO_PROOF = b"%PDF-1.4\n% demo: business licence\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _demo_requests_and_subscriptions() -> tuple[int, int]:
    """An enterprise of 南宁 without an account asks for one (nn-regulator sees it on the workbench),
    and a reader follows 南宁 (confirmed a week ago, so `flask subscriptions digest` with SMTP set
    reports the week's events)."""
    from datetime import timedelta

    from .accounts import requests as account_requests
    from .accounts.models import AccountRequest
    from .core.models_base import utcnow
    from .subscriptions.models import Subscription

    made = [0, 0]
    if db.session.scalar(select(func.count(AccountRequest.id))) == 0:
        has_account = select(User.enterprise_id).where(User.enterprise_id.is_not(None))
        firm = db.session.scalar(select(Enterprise).where(Enterprise.city_code == "450100", Enterprise.id.not_in(has_account))
                                 .order_by(Enterprise.id.desc()))
        account_requests.submit(uscc=firm.uscc, enterprise_name=firm.name, username="nn-new-enterprise",
                                contact_person="韦经理", contact_phone="0771-5550123", contact_email="wei.manager@example.com",
                                data=DEMO_PROOF, filename="营业执照副本.pdf")
        made[0] = 1
    if db.session.scalar(select(func.count(Subscription.id))) == 0:
        week_ago = utcnow() - timedelta(days=8)
        db.session.add(Subscription(email="reader@example.com", kind="city", value="450100", created_at=week_ago,
                                    confirm_sent_at=week_ago, confirmed_at=week_ago, digested_until=week_ago))
        made[1] = 1
    return made[0], made[1]


# (share of the listed enterprises, the step they have reached) for the 2025-03-01 list
DEMO_PROGRESS = [(.15, "listed"), (.1, "disclosed"), (.2, "auditing"), (.2, "report_submitted"),
                 (.1, "evaluation_passed"), (.25, "accepted")]


def _disclose_demo(round_, on) -> None:
    """The round's §11 disclosure forms filed on `on`, then the disclosure recorded that day."""
    from .audits import services as audits
    from .audits.demo import fill_disclosure

    fill_disclosure(SYSTEM, round_, on)
    audits.disclose(SYSTEM, round_, on=on)


def _demo_rounds(rng: random.Random) -> int:
    """Two published lists with rounds at every stage, then today's scan and reminders."""
    from datetime import date, timedelta

    from .audits import services as audits
    from .audits.jobs import compliance_scan, send_reminders
    from .audits.models import AuditRound

    if db.session.scalar(select(func.count(AuditRound.id))):
        return 0
    pdf = b"%PDF-1.4\n% demo report\n%%EOF\n"
    candidates = list(db.session.scalars(select(Enterprise).order_by(Enterprise.id)))
    flagged = [e for e in candidates if e.mandatory_flags]
    first, second = flagged[: len(flagged) * 2 // 3], flagged[len(flagged) * 2 // 3:]
    listed_on = date(2025, 3, 1)
    count = 0
    for enterprise in first:
        audits.list_from_import(SYSTEM, enterprise, listed_on, "；".join(enterprise.mandatory_flags))
        round_ = audits.current_round(enterprise.id)
        roll, goal = rng.random(), "accepted"
        for share, step in DEMO_PROGRESS:
            if roll < share:
                goal = step
                break
            roll -= share
        day = lambda base, spread: base + timedelta(days=rng.randint(0, spread))  # noqa: E731
        steps = [
            ("disclosed", lambda: _disclose_demo(round_, day(date(2025, 3, 5), 40))),
            ("auditing", lambda: audits.start_audit(SYSTEM, round_, on=day(date(2025, 4, 20), 30),
                                                    carbon_in_scope=rng.random() < .3)),
            ("report_submitted", lambda: audits.submit_report(SYSTEM, round_, on=day(date(2026, 1, 5), 70), data=pdf,
                                                              filename=f"{enterprise.name}清洁生产审核报告.pdf")),
            ("evaluation", lambda: audits.begin_evaluation(SYSTEM, round_, on=day(date(2026, 3, 20), 10))),
            ("evaluation_passed", lambda: audits.conclude_evaluation(SYSTEM, round_, on=day(date(2026, 4, 5), 20),
                                                                     passed=True, opinion="审核报告规范，方案可行。")),
            ("acceptance", lambda: audits.request_acceptance(SYSTEM, round_, on=day(date(2026, 8, 1), 30))),
            ("accepted", lambda: audits.conclude_acceptance(SYSTEM, round_, on=day(date(2026, 9, 15), 30), passed=True,
                                                            opinion="方案实施到位，绩效属实。",
                                                            level=DEMO_LEVELS[enterprise.id % len(DEMO_LEVELS)])),
        ]
        if goal != "listed":
            for state, step in steps:
                step()
                if state == goal:
                    break
        count += 1
    for enterprise in second:
        audits.list_from_import(SYSTEM, enterprise, date(2026, 9, 1), "；".join(enterprise.mandatory_flags))
        count += 1
    db.session.flush()
    today = beijing_today()
    compliance_scan(today)
    send_reminders(today)
    return count


demo = AppGroup("demo", help="演示数据")


@demo.command("load")
def load_command():
    """载入演示数据（可重复执行）。"""
    with unit_of_work():
        created = load_demo()
    click.echo("演示数据已就绪：新增企业 {enterprises} 家、园区 {parks} 个、账号 {users} 个、审核轮次 {rounds} 个、方案 {schemes} 项、技术 {technologies} 项、知识库文件 {documents} 份。".format(**created))
    click.echo(f"演示账号的密码均为 {DEMO_PASSWORD}。")
    from .core.indexing.services import drain

    result = drain()
    click.echo("搜索索引：" + ("搜索服务暂不可用，队列将稍后自动同步。" if result["unavailable"] else f"已同步 {result['sent']} 条。"))


def register(app: Flask) -> None:
    app.cli.add_command(demo)
