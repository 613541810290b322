"""Demo data of the differentiated procedure and of certification as an audit, loaded by platform/demo.py:
`load_rounds` after the demo rounds (so the schemes' demo gives the round its schemes), `load_reviews`
after the expert pool — a simplified round under its combined review in Nanning, its panel being scored;
a certification confirmed in Liuzhou that closed a listing, and one in Nanning waiting for its regulator."""
import copy
from datetime import date, timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..core.access import SYSTEM
from ..core.dates import beijing_today
from ..core.errors import DomainError
from ..core.extensions import db
from ..enterprises import services as enterprises
from ..enterprises.uscc import make as make_uscc
from ..reviews import rules as review_rules
from ..reviews import services as panels
from . import certifications, disclosures, services
from ..enterprises.models import Enterprise
from .models import AuditRound, Certification

PDF = b"%PDF-1.4\n% demo certificate\n%%EOF\n"
SIMPLE_FIRM = {"name": "南宁八桂彩印包装有限公司", "uscc": make_uscc("450100", 45019901), "division_code": "450103",
               "industry_code": "2319", "legal_representative": "黄敏", "address": "南宁市西乡塘区某某路 18 号",
               "permit_no": "91450100DEMO2319P", "permit_class": "simplified", "contact_person": "联系人",
               "contact_phone": "0771-5550231"}


# Realistic shapes of each §11 form (审核办法 第十一条第（一）至（三）项), with the firm's own facts filled in.
SAMPLE_FORMS = {
    "over_discharge": {
        "exceedance_note": "2024 年第三季度废水总排口化学需氧量两次监测超过排放限值，年排放总量超过许可排放量约 6%；"
                           "已停产检修生化处理系统并完成提标改造。",
        "pollutants": [
            {"pollutant": "化学需氧量", "discharge_mode": "经厂内污水处理站处理后排入市政管网", "concentration": "96",
             "concentration_unit": "mg/L", "limit_value": "80", "annual_total_t": "53.2", "permitted_total_t": "50"},
            {"pollutant": "氨氮", "discharge_mode": "经厂内污水处理站处理后排入市政管网", "concentration": "6.1",
             "concentration_unit": "mg/L", "limit_value": "8", "annual_total_t": "3.4", "permitted_total_t": "5"},
            {"pollutant": "二氧化硫", "discharge_mode": "有组织排放（锅炉烟囱 45 米）", "concentration": "42",
             "concentration_unit": "mg/m³", "limit_value": "50", "annual_total_t": "18.6", "permitted_total_t": "25"},
        ],
    },
    "over_energy": {
        "total_tce": "48650", "output_value_consumption": "0.86",
        "over_quota_note": "主导产品单位产品综合能耗超过国家限额标准约 4%，原因是窑炉余热未回收；已列入本轮审核中/高费方案。",
        "energy_sources": [
            {"energy": "原煤", "amount": "52300", "unit": "t"},
            {"energy": "电力", "amount": "6120", "unit": "万 kWh"},
            {"energy": "天然气", "amount": "310", "unit": "万 m³"},
        ],
        "products": [
            {"product": "水泥熟料", "unit_consumption": "114", "unit": "kgce/t", "quota_value": "109",
             "quota_standard": "GB 16780-2021"},
        ],
    },
    "toxic": {
        "risk_measures": "已编制突发环境事件应急预案并备案，设置事故应急池 800 m³，危险化学品仓库防渗并安装泄漏报警；每年演练两次。",
        "toxic_materials": [
            {"name": "三氯甲烷", "cas": "67-66-3", "amount_t": "12.5", "purpose": "萃取溶剂"},
            {"name": "重铬酸钾", "cas": "7778-50-9", "amount_t": "0.8", "purpose": "表面处理"},
        ],
        "toxic_discharges": [
            {"name": "总铬", "concentration": "0.21", "concentration_unit": "mg/L", "amount_t": "0.004"},
        ],
        "hazardous_wastes": [
            {"name": "废有机溶剂", "code": "HW06", "generated_t": "35.2", "disposed_t": "35.2",
             "disposal": "委托持危险废物经营许可证单位焚烧处置"},
            {"name": "含铬污泥", "code": "HW21", "generated_t": "8.6", "disposed_t": "8.1",
             "disposal": "委托有资质单位安全填埋，余量厂内规范贮存"},
        ],
    },
}


def sample_form(round_: AuditRound, cause: str) -> dict:
    """The cause's sample, with the firm's name, representative and address from the register where given."""
    known = {k: v for k, v in disclosures.prefill(round_, cause).items() if v}
    city = round_.enterprise.city.name if round_.enterprise.city else "广西"
    return {"legal_representative": "李建华", "address": f"{city}工业园区创业大道 8 号", **known,
            **copy.deepcopy(SAMPLE_FORMS[cause])}


def fill_disclosure(actor, round_: AuditRound, on: date) -> int:
    """File every §11 form the round asks for on `on` (the demo's and the tests' listed rounds)."""
    for cause in round_.required_disclosures:
        disclosures.save(actor, round_, cause, sample_form(round_, cause), today=on)
    return len(round_.required_disclosures)


def load_rounds() -> int:
    """A packaging printer listed by its city (a key industry of 环办科财〔2020〕27号, none of the strict
    criteria): the simplified procedure, its report in, its one combined review being scored."""
    if enterprises.by_uscc(SIMPLE_FIRM["uscc"]) is not None:
        return 0
    today = beijing_today()
    firm = enterprises.create(SYSTEM, SIMPLE_FIRM)
    listed_on = today - timedelta(days=175)
    services.list_from_import(SYSTEM, firm, listed_on, "包装印刷行业挥发性有机物重点企业（市级清洁生产审核名单）")
    round_ = services.current_round(firm.id)
    services.disclose(SYSTEM, round_, on=listed_on + timedelta(days=12), url="https://example.com/baguicaiyin/disclosure")
    services.start_audit(SYSTEM, round_, on=listed_on + timedelta(days=40))
    reported = listed_on + timedelta(days=150)
    services.submit_report(SYSTEM, round_, on=reported, data=PDF, filename=f"{firm.name}清洁生产审核报告（简化程序）.pdf")
    started = reported + timedelta(days=10)
    services.begin_evaluation(SYSTEM, round_, on=started)
    return 1


def load_reviews() -> int:
    """The simplified round's combined-review panel, two of three having signed; the certifications."""
    created = 0
    firm = enterprises.by_uscc(SIMPLE_FIRM["uscc"])
    round_ = services.current_round(firm.id) if firm is not None else None
    if round_ is not None and round_.state == "review" and not panels.panels_of_enterprise(firm.id):
        created += _review_panel(round_)
    if not db.session.scalar(select(Certification.id).limit(1)):
        created += _certifications()
    return created


def _review_panel(round_: AuditRound) -> int:
    today = beijing_today()
    started = round_.evaluation_started_on
    try:
        with db.session.begin_nested():
            panel = panels.draw_panel(SYSTEM, round_, meeting_on=started + timedelta(days=7),
                                      location="南宁市生态环境局会议室", seed=20260231, today=started)
    except DomainError:  # a pool too small to staff it: the round waits for its panel
        return 0
    for k, member in enumerate(panel.active_members[:-1]):  # one member has yet to sign
        points = {item.code: str(round(item.max_points * (0.8 + 0.03 * k), 1)) for item in review_rules.ITEMS["review"]}
        panels.submit_scores(member.expert.user, member, points=points, opinion="简化审核报告规范，无/低费方案已实施，绩效可核实。",
                             sign=True, today=max(today, started + timedelta(days=7)))
    return 1


def _regulator(username: str):
    return db.session.scalar(select(User).where(User.username == username))


def _certifications() -> int:
    """Liuzhou: a listed firm certified, confirmed by its regulator (its listing closes); Nanning: one
    waiting in the regulator's queue. A city with no listed firm certifies one with no round under way."""
    today = beijing_today()
    made = 0
    for city, username, confirm in (("450200", "lz-regulator", True), ("450100", "nn-regulator", False)):
        regulator = _regulator(username)
        firm = db.session.scalar(select(Enterprise).join(AuditRound, AuditRound.enterprise_id == Enterprise.id).where(
            AuditRound.state == "listed", AuditRound.kind == "mandatory", Enterprise.city_code == city)
            .order_by(AuditRound.id.desc()))
        if firm is None:
            firm = next((e for e in db.session.scalars(select(Enterprise).where(Enterprise.city_code == city)
                                                       .order_by(Enterprise.id))
                         if services.current_round(e.id) is None), None)
        if regulator is None or firm is None:
            continue
        cert = certifications.record(regulator, firm, certificate_no=f"CQC{today.year % 100:02d}CP{firm.id:05d}",
                                     certifying_body="中国质量认证中心", certified_on=today - timedelta(days=50),
                                     scope=f"{firm.name}主要生产线的清洁生产评价认证", data=PDF,
                                     filename="清洁生产评价认证证书.pdf", today=today - timedelta(days=45))
        if confirm:
            certifications.confirm(regulator, cert, note="已对照证书原件和认证机构公示信息核实。",
                                   today=today - timedelta(days=38))
        made += 1
    return made
