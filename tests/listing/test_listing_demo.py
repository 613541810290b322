"""The demo's lists: built from the sample files through the importer, one published with its 文号 and
one awaiting the province; loading again changes nothing."""
from sqlalchemy import select

from platform import demo
from platform.core.extensions import db
from platform.listing.demo import DOCUMENT_NO, PUBLISHED_ON
from platform.listing.models import DischargePermit, ListProposal


def test_the_demo_publishes_a_list_from_the_sample_files_and_leaves_one_to_confirm(client):
    created = demo.load_demo()
    db.session.commit()
    assert created["list_proposals"] == 3
    proposals = {(p.city_code, p.department): p for p in db.session.scalars(select(ListProposal))}
    published = proposals[("450200", "ecology_environment")]
    assert published.state == "published" and published.batch.document_no == DOCUMENT_NO
    assert {r.listed_on for r in published.batch.rounds} == {PUBLISHED_ON}
    dropped = [e for e in published.entries if not e.included]
    assert len(dropped) == 1 and dropped[0].round_id is None and "停产" in dropped[0].reason
    assert proposals[("450200", "development_reform")].batch_id == published.batch_id
    assert proposals[("450100", "ecology_environment")].state == "submitted"
    assert db.session.query(DischargePermit).count() == 8
    assert DOCUMENT_NO in client.get("/lists").text
    assert demo.load_demo()["list_proposals"] == 0
