"""Demo schemes for the demo rounds (platform/demo.py): what Guangxi's audited sectors typically
propose, with investments and results of a plausible size (within the ceilings of schemes/rules.py),
so that the dashboards mean something. Rounds past their report get the schemes they had entered
during their audit. On the first load, the regulators' review pages get an example each: a scheme
whose VOCs figure is far above its ceiling (held out of the statistics until reviewed), and a demo
enterprise's change request on a frozen scheme, if its round is past its report.

Idempotent: a round that has schemes is left alone.
"""
import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import User
from ..audits.models import AuditRound
from ..core.extensions import db
from . import review, services
from .models import Scheme
from ..core.dates import beijing_today

# (name, investment range 万元, {result: range}) — no/low-cost schemes every sector proposes.
LOW_COST = [
    ("空压机系统变频节能改造", (3, 25), {"energy_tce": (20, 150), "electricity_kwh": (50_000, 400_000),
                                   "co2_t": (50, 400), "economic_benefit_wan_yuan": (5, 40)}),
    ("照明系统LED节能改造", (1, 12), {"energy_tce": (5, 40), "electricity_kwh": (15_000, 120_000), "co2_t": (15, 100),
                                "economic_benefit_wan_yuan": (1.5, 12)}),
    ("跑冒滴漏治理与管道保温", (0.5, 8), {"water_t": (2_000, 30_000), "energy_tce": (5, 50), "cod_t": (0.5, 5),
                                  "economic_benefit_wan_yuan": (2, 15)}),
    ("冷却水循环利用改造", (2, 20), {"water_t": (10_000, 120_000), "cod_t": (1, 8), "economic_benefit_wan_yuan": (3, 25)}),
    ("完善能源计量与清洁生产管理制度", (0.5, 5), {"energy_tce": (5, 60), "economic_benefit_wan_yuan": (2, 20)}),
    ("危险废物分类收集与源头减量", (1, 10), {"hazardous_waste_t": (2, 40), "economic_benefit_wan_yuan": (1, 8)}),
    ("原料堆场封闭与抑尘", (2, 18), {"particulates_t": (1, 12), "economic_benefit_wan_yuan": (0.5, 4)}),
    ("员工清洁生产培训与岗位考核", (0.2, 2), {"energy_tce": (2, 20), "water_t": (500, 5_000),
                                     "economic_benefit_wan_yuan": (1, 6)}),
]
# Medium/high-cost schemes by industry division (GB/T 4754 two-digit code).
HIGH_COST = {
    "13": [("蔗渣锅炉烟气余热回收", (120, 600), {"energy_tce": (800, 3_000), "co2_t": (2_000, 8_000), "nox_t": (5, 30),
                                          "economic_benefit_wan_yuan": (60, 300)}),
           ("制糖废水深度处理与回用", (200, 900), {"water_t": (100_000, 600_000), "cod_t": (50, 400), "nh3n_t": (2, 20),
                                           "economic_benefit_wan_yuan": (30, 150)})],
    "22": [("造纸白水封闭循环回用", (150, 800), {"water_t": (200_000, 1_000_000), "cod_t": (80, 600),
                                         "economic_benefit_wan_yuan": (50, 260)}),
           ("碱回收炉升级改造", (600, 2_500), {"energy_tce": (1_500, 6_000), "cod_t": (100, 500), "so2_t": (20, 120),
                                        "economic_benefit_wan_yuan": (150, 700)})],
    "31": [("高炉煤气余压发电（TRT）改造", (800, 3_000), {"energy_tce": (5_000, 20_000), "co2_t": (12_000, 50_000),
                                                "economic_benefit_wan_yuan": (400, 1_800)}),
           ("烧结烟气循环与超低排放改造", (1_000, 4_000), {"nox_t": (100, 600), "so2_t": (80, 500),
                                               "particulates_t": (30, 200), "economic_benefit_wan_yuan": (20, 120)})],
    "32": [("铝电解槽节能改造", (500, 2_000), {"energy_tce": (1_500, 6_000), "electricity_kwh": (4_000_000, 18_000_000),
                                        "co2_t": (4_000, 15_000), "economic_benefit_wan_yuan": (300, 1_200)}),
           ("冶炼烟气制酸系统改造", (400, 1_800), {"so2_t": (200, 1_500), "economic_benefit_wan_yuan": (80, 400)})],
    "30": [("水泥窑低氮燃烧与SNCR脱硝改造", (300, 1_200), {"nox_t": (150, 900), "economic_benefit_wan_yuan": (10, 60)}),
           ("窑头窑尾余热发电改造", (1_500, 5_000), {"energy_tce": (3_000, 12_000), "co2_t": (8_000, 30_000),
                                           "economic_benefit_wan_yuan": (500, 1_600)})],
    "26": [("VOCs无组织排放收集与RTO治理", (200, 900), {"vocs_t": (20, 200), "economic_benefit_wan_yuan": (5, 40)}),
           ("工艺废水预处理与回用", (150, 700), {"water_t": (50_000, 300_000), "cod_t": (40, 300), "nh3n_t": (5, 40),
                                          "economic_benefit_wan_yuan": (20, 120)})],
    "27": [("有机溶剂回收系统改造", (100, 600), {"vocs_t": (10, 80), "hazardous_waste_t": (20, 150),
                                         "economic_benefit_wan_yuan": (40, 220)})],
    "33": [("电镀漂洗水逆流回用", (80, 400), {"water_t": (10_000, 80_000), "cod_t": (5, 30), "hazardous_waste_t": (5, 40),
                                        "economic_benefit_wan_yuan": (15, 90)})],
    "17": [("印染废水分质处理与中水回用", (200, 1_000), {"water_t": (100_000, 500_000), "cod_t": (50, 300),
                                              "nh3n_t": (3, 20), "economic_benefit_wan_yuan": (40, 200)})],
    "44": [("燃煤机组超低排放改造", (2_000, 8_000), {"so2_t": (300, 2_000), "nox_t": (300, 1_500),
                                            "particulates_t": (50, 300), "economic_benefit_wan_yuan": (50, 300)})],
    "25": [("储罐与装卸油气回收", (300, 1_200), {"vocs_t": (30, 300), "economic_benefit_wan_yuan": (30, 200)}),
           ("加热炉低氮改造与烟气余热回收", (400, 1_500), {"nox_t": (40, 250), "energy_tce": (1_000, 5_000),
                                               "economic_benefit_wan_yuan": (100, 500)})],
    "23": [("水性油墨替代与废气收集", (50, 300), {"vocs_t": (5, 40), "economic_benefit_wan_yuan": (5, 30)})],
}
GENERIC_HIGH_COST = [("锅炉节能与低氮燃烧改造", (100, 600), {"energy_tce": (300, 1_500), "nox_t": (10, 60), "co2_t": (800, 4_000),
                                                    "economic_benefit_wan_yuan": (40, 200)})]

# Round state -> (share of no/low-cost schemes completed, share of medium/high-cost schemes completed,
#                 status of the rest: implementing or planned)
PROGRESS = {
    "auditing": (.45, 0, "planned"),
    "report_submitted": (.8, 0, "planned"),
    "evaluation": (.85, 0, "planned"),
    "evaluation_failed": (.8, 0, "planned"),
    "evaluation_passed": (.95, .35, "implementing"),
    "acceptance": (.95, .9, "implementing"),
    "acceptance_failed": (.95, .8, "implementing"),
    "accepted": (.97, .9, "implementing"),
    # the simplified procedure's combined review comes after the schemes are done (audits/procedures.py)
    "review": (.95, .8, "implementing"),
    "review_failed": (.9, .6, "implementing"),
}


def _amount(rng: random.Random, low, high) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 2)))


def _completion_date(rng: random.Random, round_: AuditRound, latest: date) -> date:
    start = round_.started_on
    end = max(start, min(latest, beijing_today()))
    return start + timedelta(days=rng.randint(0, (end - start).days))


def load_demo(rng: random.Random) -> int:
    """Schemes for every demo round whose audit has started; returns how many were created."""
    today = beijing_today()
    with_schemes = set(db.session.scalars(select(Scheme.round_id).distinct()))
    rounds = list(db.session.scalars(
        select(AuditRound).where(AuditRound.state.in_(PROGRESS)).order_by(AuditRound.id)))
    created = 0
    for round_ in rounds:
        if round_.id in with_schemes or round_.started_on is None:
            continue
        low_share, high_share, rest = PROGRESS[round_.state]
        high_cost = HIGH_COST.get(round_.enterprise.industry_code, GENERIC_HIGH_COST)
        picks = ([("low_cost", t) for t in rng.sample(LOW_COST, rng.randint(4, 7))]
                 + [("high_cost", t) for t in rng.sample(high_cost, min(len(high_cost), rng.randint(1, 2)))])
        for number, (category, (name, investment, results)) in enumerate(picks, start=1):
            share = low_share if category == "low_cost" else high_share
            roll = rng.random()
            status = "completed" if roll < share else ("abandoned" if roll > .985 else rest)
            # No/low-cost schemes are done during the audit; medium/high-cost ones after evaluation.
            latest = round_.report_submitted_on if category == "low_cost" else round_.acceptance_requested_on
            raw = {"code": f"{'W' if category == 'low_cost' else 'Z'}{number:02d}", "name": name,
                   "category": category, "status": status,
                   "investment_wan_yuan": _amount(rng, *investment),
                   **{key: _amount(rng, *span) for key, span in results.items()}}
            if status == "completed":
                raw["completed_on"] = _completion_date(rng, round_, latest or today)
            else:
                raw["planned_completion_on"] = today + timedelta(days=rng.randint(30, 300))
            services.load_entered(round_, raw, today=today)
            created += 1
    if created:
        _review_examples(rounds, today)
    return created


def _review_examples(rounds: list[AuditRound], today: date) -> None:
    """One figure to review in Nanning (a unit slip: kg entered as t), and a pending change request
    from whichever demo enterprise's round is past its report."""
    nanning = next((r for r in rounds if r.state == "accepted" and r.enterprise.city_code == "450100"), None)
    if nanning is not None:
        services.load_entered(nanning, {
            "code": "Z09", "name": "喷涂线废气收集与活性炭吸附", "category": "high_cost", "status": "completed",
            "completed_on": nanning.started_on, "investment_wan_yuan": Decimal("85"), "vocs_t": Decimal("9999"),
            "economic_benefit_wan_yuan": Decimal("6")}, today=today)
    for username in ("lz-enterprise", "nn-enterprise"):
        user = db.session.scalar(select(User).where(User.username == username))
        round_ = next((r for r in rounds if user is not None and r.enterprise_id == user.enterprise_id
                       and r.state in services.FROZEN_STATES and r.state != "cancelled"), None)
        scheme = round_ and db.session.scalar(select(Scheme).where(Scheme.round_id == round_.id).order_by(Scheme.code))
        if scheme is not None:
            review.request_change(user, scheme, {"investment_wan_yuan": scheme.investment_wan_yuan + 1},
                                  "按竣工结算更正投资额。", today=today)
            return
