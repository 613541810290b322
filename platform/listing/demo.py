"""Demo: the sample evidence imported (data/samples/listing), 柳州's lists proposed, confirmed and
published with a 文号, and 南宁's ecology list proposed and awaiting the province's confirmation."""
import csv
from datetime import date, timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..audits import disclosures
from ..audits.demo import sample_form
from ..core.access import SYSTEM
from ..core.dates import beijing_today
from ..core.extensions import db
from ..core.reference.services import DATA_DIR
from ..enterprises import services as enterprises
from . import services
from .importer import import_file
from .models import ListProposal

SAMPLES = DATA_DIR / "samples" / "listing"
AS_OF = date(2026, 11, 30)
PUBLISHED_ON = date(2026, 12, 1)
DOCUMENT_NO = "桂环函〔2026〕215号"


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _sample_firms_registered() -> bool:
    """The sample files name the full demo's firms; a reduced demo (fewer firms a city) has not all of them."""
    codes = set()
    for kind in ("permits", "monitoring", "energy", "chemicals"):
        with open(SAMPLES / f"{kind}.csv", encoding="utf-8") as f:
            codes |= {row["统一社会信用代码"] for row in csv.DictReader(f)}
    return len(enterprises.by_usccs(codes)) == len(codes)


def load_demo() -> int:
    """Returns the number of proposals made (0 when the demo's lists exist already)."""
    if db.session.scalar(select(func.count(ListProposal.id))) or not _sample_firms_registered():
        return 0
    for kind in ("permits", "monitoring", "energy", "chemicals"):
        path = SAMPLES / f"{kind}.csv"
        report = import_file(SYSTEM, kind, path.read_bytes(), path.name)
        if report.errors:
            raise RuntimeError(f"{path.name}: {report.errors[:3]}")
    province, province_energy = _user("gx-regulator"), _user("gx-development")
    liuzhou, liuzhou_energy, nanning = _user("lz-regulator"), _user("lz-development"), _user("nn-regulator")

    ecology = services.start(liuzhou, as_of=AS_OF)
    for entry in ecology.entries:
        if entry.enterprise.name.startswith("柳州东兴有色金属"):
            services.decide_entry(liuzhou, ecology, entry, included=False,
                                  reason="该企业已于 2026 年 11 月停产关闭，排污许可证到期未延续，另按执法程序处理超标问题。")
    energy = services.start(liuzhou_energy, as_of=AS_OF)
    for proposal, city, confirmer in ((ecology, liuzhou, province), (energy, liuzhou_energy, province_energy)):
        services.submit(city, proposal)
        services.confirm(confirmer, proposal)
    batch = services.publish(province, [ecology.id, energy.id], document_no=DOCUMENT_NO, published_on=PUBLISHED_ON,
                             title="柳州市2026年强制性清洁生产审核名单")
    # The listed firms file their §11 disclosure forms a few days later; the last one has filed only
    # its first form, so its disclosure is not yet complete (it cannot register disclosure yet).
    filed_on = min(PUBLISHED_ON + timedelta(days=3), beijing_today())
    for i, round_ in enumerate(batch.rounds):
        causes = round_.required_disclosures
        if i == len(batch.rounds) - 1 and len(causes) > 1:
            causes = causes[:1]
        for cause in causes:
            disclosures.save(SYSTEM, round_, cause, sample_form(round_, cause), today=filed_on)

    pending = services.start(nanning, as_of=AS_OF)
    services.add_entry(nanning, pending, uscc="914501000001HNTL3Y", cause="toxic",
                       reason="群众举报该企业使用含重金属染料，执法检查核实后增补。",
                       evidence_note="2026-11-12 南宁市生态环境局现场检查笔录（南环执〔2026〕311号）及原料台账")
    services.submit(nanning, pending)
    return 3
