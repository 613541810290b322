"""Demo expert pool (platform/demo.py): ~40 approved experts across the plan's industries, three service
organisations serving demo rounds, and review panels on a few rounds — one passed, one failed on a veto item,
one being scored, and an acceptance panel just drawn.

Deterministic and idempotent: experts and organisations are found by username and USCC, and panels are
drawn only while there are none.
"""
import random
from datetime import date, timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..audits import services as audits
from ..audits.models import AuditRound
from ..enterprises.uscc import make as make_uscc
from ..core.errors import ValidationError
from ..core.extensions import db
from ..audits import cases
from ..training.demo import load_demo as load_training
from . import accountability, engagements, services
from ..reviews import services as panels
from ..reviews import rules
from .models import Expert, ServiceOrg
from ..reviews.models import Panel
from ..core.dates import beijing_today
from ..core.access import SYSTEM

DEMO_PASSWORD = "Demo2026gx"  # the same as every demo account (platform/demo.py)
# The industries of the demo enterprises (platform/demo.py DEMO_INDUSTRIES, two-digit divisions).
INDUSTRIES = ["31", "32", "30", "22", "13", "26", "27", "33", "17", "44", "25", "23"]
FIELDS = {"31": "冶金节能、烧结烟气治理", "32": "有色冶炼、重金属污染防治", "30": "水泥窑协同处置、余热发电",
          "22": "制浆造纸、白水回用", "13": "制糖工艺、糖厂废水治理", "26": "化工过程安全、VOCs 治理",
          "27": "原料药清洁工艺、溶剂回收", "33": "电镀清洁生产、含重金属废水", "17": "印染节水、染色工艺",
          "44": "火电节能、超低排放", "25": "石化节能、LDAR", "23": "包装印刷、低 VOCs 油墨"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒙莫陆"
GIVEN = ["建华", "志强", "秀兰", "海燕", "国平", "文斌", "丽娟", "振宇", "晓东", "春梅", "卫东", "明辉", "桂芳", "永康"]
TITLES = ["教授级高级工程师", "高级工程师", "教授", "研究员", "副教授", "高级工程师"]
EMPLOYERS = ["广西大学", "桂林理工大学", "广西科技大学", "广西壮族自治区环境保护科学研究院", "广西节能监察中心",
             "广西化工研究院有限公司", "广西糖业科学研究所", "柳州钢铁设计研究院", "广西电力科学研究院", "北部湾大学"]
ORGS = [  # name, city, serial of its USCC
    ("广西绿源清洁生产咨询有限公司", "450100", 880001),
    ("柳州蓝天环境技术咨询有限公司", "450200", 880002),
    ("桂林漓江节能环保科技有限公司", "450300", 880003),
]


def load_demo() -> int:
    """Returns the number of experts created."""
    orgs = _service_orgs()
    created = _experts(orgs)
    load_training()  # before the draws: they read the experts' training hours
    _link_rounds(orgs)
    _panels(orgs)
    _accountability(orgs)
    return created


def _service_orgs() -> list[ServiceOrg]:
    out = []
    consultant = db.session.scalar(select(User).where(User.username == "consultant", User.role == "service_org"))
    for i, (name, city, serial) in enumerate(ORGS):
        uscc = make_uscc(city, serial)
        org = db.session.scalar(select(ServiceOrg).where(ServiceOrg.uscc == uscc))
        if org is None:
            linked = consultant.username if consultant is not None and i == 0 else ""
            org = services.create_service_org(SYSTEM, {
                "name": name, "uscc": uscc, "division_code": city, "address": f"{name[:2]}市高新区科园大道 {10 + i} 号",
                "contact_person": "项目经理", "contact_phone": f"0771-58{serial % 100000:05d}", "username": linked})
        out.append(org)
    return out


def _profile(i: int, rng: random.Random, orgs: list[ServiceOrg]) -> dict:
    first, second = INDUSTRIES[i % len(INDUSTRIES)], INDUSTRIES[(i + 5) % len(INDUSTRIES)]
    if i % 9 == 4:  # a few consultants: their organisation's rounds are never theirs to review
        org = orgs[i % len(orgs)]
        employer, employer_uscc = org.name, org.uscc
    else:
        n = i % len(EMPLOYERS)
        employer, employer_uscc = EMPLOYERS[n], make_uscc("450100", 870000 + n, "1", "2")
    return {
        "name": SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 5) % len(GIVEN)], "title": TITLES[i % len(TITLES)],
        "employer": employer, "employer_uscc": employer_uscc, "industry_codes": [first, second],
        "fields": f"{FIELDS[first]}、清洁生产审核", "qualifications": "长期从事清洁生产审核与评估工作",
        "years_of_practice": str(8 + rng.randint(0, 22)), "phone": f"139{rng.randint(10_000_000, 99_999_999)}",
        "email": f"demo.expert{i:02d}@example.com",
    }


def _experts(orgs: list[ServiceOrg]) -> int:
    rng = random.Random(5)
    created = 0
    for i in range(44):
        profile = _profile(i, rng, orgs)  # drawn for every i, so the sequence does not depend on what exists
        username = f"demo-expert-{i + 1:02d}"
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        status = "pending" if i >= 41 else "suspended" if i == 40 else "approved"
        services.create_by_operator(profile, username=username, password=DEMO_PASSWORD, status=status,
                                    reason="未按时提交评审意见，暂停一年" if status == "suspended" else None)
        created += 1
    # The demo account `expert` gets a profile of its own, in the province's two largest sectors.
    user = db.session.scalar(select(User).where(User.username == "expert", User.role == "expert"))
    if user is not None and not db.session.scalar(select(Expert.id).where(Expert.user_id == user.id)):
        expert = services.add_profile(user, {
            "name": "李明", "title": "教授级高级工程师", "employer": "广西壮族自治区环境保护科学研究院",
            "employer_uscc": make_uscc("450100", 870003, "1", "2"), "industry_codes": ["31", "32", "30"],
            "fields": "冶金节能、清洁生产审核", "years_of_practice": "21", "phone": "13977100000",
            "email": "liming@example.com"})
        services.decide(SYSTEM, expert, "approve")
        created += 1
    return created


def _link_rounds(orgs: list[ServiceOrg]) -> None:
    """About two rounds in three that got as far as auditing were done with a consultancy: recorded by the
    operator as confirmed engagements (engagements.py), so they count as a confirmed organisation would."""
    rounds = db.session.scalars(select(AuditRound).where(AuditRound.service_org_id.is_(None),
                                                         AuditRound.started_on.is_not(None)).order_by(AuditRound.id))
    for round_ in rounds:
        if round_.id % 3:
            engagements.set_directly(SYSTEM, round_, orgs[round_.id // 3 % len(orgs)].id)


def _panels(orgs: list[ServiceOrg]) -> None:
    if db.session.scalar(select(func.count(Panel.id))):
        return
    waiting = list(db.session.scalars(select(AuditRound).where(AuditRound.state == "report_submitted")
                                      .order_by(AuditRound.id).limit(3)))
    passed = db.session.scalar(select(AuditRound).where(AuditRound.state == "evaluation_passed")
                               .order_by(AuditRound.id))
    # The first review passes, the second fails on a veto item, the third is still being scored.
    for n, round_ in enumerate(waiting):
        started = round_.report_submitted_on + timedelta(days=20)
        if n == 1 and round_.service_org_id is None:  # the vetoed report was written by a consultancy
            engagements.set_directly(SYSTEM, round_, orgs[2].id)
        audits.begin_evaluation(SYSTEM, round_, on=started, today=max(beijing_today(), started))
        panel = _draw(round_, started, seed=20260000 + round_.id)
        if panel is None:
            continue
        signing = panel.active_members if n < 2 else panel.active_members[:-1]
        for k, member in enumerate(signing):
            points = {item.code: str(round(item.max_points * (0.78 + 0.04 * k), 1)) for item in rules.ITEMS["evaluation"]}
            veto = {0: ["low_cost_undone"], 1: ["fake_data"]}.get(k, []) if n == 1 else []
            opinion = ("物料平衡数据与台账不符，部分监测数据系编造；无/低费方案大部分尚未实施。" if veto
                       else "审核程序规范，物料平衡数据基本可信；建议细化中/高费方案的经济分析。")
            panels.submit_scores(member.expert.user, member, points=points, vetoes=veto, opinion=opinion, sign=True,
                                 today=max(beijing_today(), panel.meeting_on or beijing_today()))
        if n < 2:
            on = started + timedelta(days=14)
            panels.conclude(SYSTEM, panel, on=on, today=max(beijing_today(), on),
                            opinion="同意通过评估，按方案实施中/高费项目。" if n == 0 else "请完成无/低费方案后重新提交审核报告。")
    if passed is not None:
        requested = passed.evaluation_concluded_on + timedelta(days=120)
        audits.request_acceptance(SYSTEM, passed, on=requested, today=max(beijing_today(), requested))
        _draw(passed, requested, seed=20269999)


def _accountability(orgs: list[ServiceOrg]) -> None:
    """第十六条 qualification records for the first organisation; for the one whose report a panel vetoed
    for falsified data, a misreporting case and a suspension by the province."""
    regulator = db.session.scalar(select(User).where(User.username == "gx-regulator", User.role == "regulator"))
    if regulator is None or accountability.qualifications(orgs[0]):
        return
    evidence = {"legal_person": "营业执照（统一社会信用代码见上）；质量管理手册 QM-2024 版及项目审核制度",
                "test_equipment": "便携式电能质量分析仪 2 台、超声波流量计 3 台、烟气分析仪 1 台（设备清单附检定证书）",
                "industry_staff": "冶金、化工、制糖行业工艺工程师 6 名（高级职称 4 名）",
                "audit_staff": "清洁生产审核师 5 名，近三年主持审核项目 40 余个"}
    for code, text in evidence.items():
        row = accountability.submit_qualification(SYSTEM, orgs[0], code, text)
        if code != "audit_staff":
            accountability.check_qualification(regulator, row, met=True, note="经核对原件及现场核查，符合要求。")
    failed = db.session.scalars(select(Panel).where(Panel.service_org_id.is_not(None), Panel.state == "concluded",
                                                    Panel.passed.is_(False)).order_by(Panel.id))
    vetoed = next((p for p in failed if "fake_data" in (p.vetoes or [])), None)
    if vetoed is None:
        return
    round_ = vetoed.round
    if round_.kind == "mandatory":
        cases.open_case(regulator, round_, cause="falsified", today=vetoed.concluded_on,
                        note="评估专家组认定审核报告物料平衡数据弄虚作假，依法立案。")
    accountability.suspend(regulator, db.session.get(ServiceOrg, vetoed.service_org_id),
                           "协助编制的审核报告经评估专家组认定数据弄虚作假（一票否决），"
                           "暂停承接新的清洁生产审核，待整改核查后再行决定。", today=vetoed.concluded_on)


def _draw(round_: AuditRound, on: date, seed: int) -> Panel | None:
    """Draw a demo panel, or skip the round when the demo pool cannot staff it."""
    try:
        with db.session.begin_nested():
            return panels.draw_panel(SYSTEM, round_, size=3, meeting_on=on + timedelta(days=7),
                                     location=f"{round_.enterprise.city.name}生态环境局会议室", seed=seed,
                                     today=on)
    except ValidationError:
        return None
