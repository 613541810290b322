"""Demo training (platform/demo.py, through experts/demo.py so that it comes before the demo panels are
drawn): a plan for each audience with past and coming sessions, attendance and certificates.

Three demo experts are given an earlier registration date (2022) and so are subject to the training
requirement at the demo draws: two have attended enough expert training, one (demo-expert-01) has not,
and is left out of the demo draws for that reason where their industry matches. Every other demo
expert registered today and is in their first period (training/services.py in_first_period).
Deterministic and idempotent: plans are found by title, enrolments by person and session.
"""
from datetime import date, datetime

from sqlalchemy import select

from ..accounts.models import User
from ..core.access import SYSTEM
from ..core.extensions import db
from ..experts.models import Expert
from . import services
from .models import Enrolment, TrainingPlan

# title, audience, year, hours, content, [(session title, start, end, place, capacity, hours)]
PLANS = [
    ("2026年度清洁生产审核评估验收专家培训", "experts", 2026, 16,
     "《清洁生产审核办法》《清洁生产审核评估与验收指南》解读；评分表与否决项的把握；典型报告评析。",
     [("第一期（南宁）", date(2026, 4, 16), date(2026, 4, 17), "南宁市青秀区民族大道 广西生态环境培训中心", 60, 8),
      ("第二期（柳州）", date(2026, 9, 10), date(2026, 9, 10), "柳州市城中区 柳州市生态环境局会议中心", 40, 4)]),
    ("2027年度清洁生产审核评估验收专家培训", "experts", 2027, 16,
     "差别化审核（简化程序）评估要点；碳减排纳入审核的核算方法。",
     [("第一期（南宁）", date(2027, 3, 18), date(2027, 3, 19), "南宁市青秀区民族大道 广西生态环境培训中心", 60, 8)]),
    ("2026年度清洁生产行政管理人员培训", "officials", 2026, 8,
     "强制性清洁生产审核名单的确定与公布；违规案件的立案、整改与处罚；信用信息的归集与修复。",
     [("全区培训班", date(2026, 6, 11), date(2026, 6, 11), "南宁市 自治区生态环境厅三楼会议室", 80, 8)]),
    ("2026年度审核咨询服务机构从业人员培训", "consultants", 2026, 24,
     "审核七个阶段的规范开展；物料、能量和水平衡测试；报告编制常见问题与弄虚作假的法律责任。",
     [("从业人员能力提升班", date(2026, 5, 20), date(2026, 5, 22), "桂林市七星区 桂林理工大学继续教育学院", 50, 24)]),
    ("2026年度重点企业负责人清洁生产培训", "enterprise_heads", 2026, 4,
     "企业在强制性清洁生产审核中的义务；信息公开；无/低费方案的组织实施。",
     [("南宁专场", date(2026, 7, 8), date(2026, 7, 8), "南宁市 南宁市生态环境局报告厅", 120, 4),
      ("年末专场", date(2026, 12, 28), date(2026, 12, 28), "南宁市 南宁市生态环境局报告厅", 2, 4)]),
]
# The experts subject to the requirement at the demo draws, and the sessions they attended.
EARLY_EXPERTS = {"demo-expert-01": [], "demo-expert-02": [0, 1], "demo-expert-03": [0, 1]}
REGISTERED = datetime(2022, 3, 1, 2, 0)  # UTC


def _plans(organiser) -> list[TrainingPlan]:
    out = []
    for title, audience, year, hours, content, sessions in PLANS:
        plan = db.session.scalar(select(TrainingPlan).where(TrainingPlan.title == title))
        if plan is None:
            plan = services.create_plan(organiser, {"title": title, "audience": audience, "year": year,
                                                    "hours": hours, "content": content})
            for name, start, end, place, capacity, session_hours in sessions:
                services.add_session(organiser, plan, {"title": name, "starts_on": start, "ends_on": end,
                                                       "place": place, "capacity": capacity, "hours": session_hours})
        out.append(plan)
    return out


def _attend(organiser, session, username: str) -> None:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or db.session.scalar(select(Enrolment.id).where(Enrolment.session_id == session.id,
                                                                    Enrolment.user_id == user.id)):
        return
    enrolment = services.enrol_by_organiser(organiser, session, username, today=session.starts_on)
    services.record_attendance(organiser, enrolment, True, today=session.ends_on)


def load_demo() -> int:
    """Returns the number of plans there are."""
    organiser = db.session.scalar(select(User).where(User.username == "gx-regulator", User.role == "regulator"))
    if organiser is None:
        organiser = SYSTEM
    plans = _plans(organiser)
    experts_2026 = plans[0].sessions
    for username, attended in EARLY_EXPERTS.items():
        expert = db.session.scalar(select(Expert).join(User, User.id == Expert.user_id).where(User.username == username))
        if expert is None:
            continue
        expert.created_at = REGISTERED
        for n in attended:
            _attend(organiser, experts_2026[n], username)
    _attend(organiser, experts_2026[0], "expert")
    _attend(organiser, plans[3].sessions[0], "consultant")
    _attend(organiser, plans[4].sessions[0], "nn-enterprise")
    _attend(organiser, plans[2].sessions[0], "nn-regulator")
    return len(plans)
