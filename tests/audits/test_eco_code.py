"""The 《生态环境法典》 repeals the 《清洁生产促进法》 from 2026-08-15: the public 规则与依据 page says so,
on its own line and on every rule that still cites the 促进法."""
from platform.audits.rules import ECO_CODE, PENALTIES, PROMOTION_LAW_SUPERSEDED
from platform.core.rulebook import all_rules

PROMOTION_LAW = "《中华人民共和国清洁生产促进法》"


def _citing_the_promotion_law():
    return [r for r in all_rules() if PROMOTION_LAW in r.source]


def test_every_rule_citing_the_promotion_law_says_the_code_replaced_it_from_2026_08_15():
    citing = _citing_the_promotion_law()
    # the mandatory causes (第二十七条), disclosure and audit fines (第三十六、三十九条), the causes table,
    # the three listing causes, green procurement (第十六条) and the public library (第十、十一条)
    assert {r.key for r in citing} >= {
        "audits.mandatory_causes", "penalties.art36_fine", "penalties.art39_fine", "penalties.causes",
        "listing.cause_over_discharge", "listing.cause_over_energy", "listing.cause_toxic",
        "results.green_procurement", "knowledge.public_library"}
    for r in citing:
        assert PROMOTION_LAW_SUPERSEDED in r.note, f"{r.key} cites the repealed 促进法 without saying so"
        assert "2026年8月15日" in r.note and "尚未核对" in r.note


def test_the_fine_rules_say_which_law_a_violation_is_judged_by():
    for key in ("penalties.art36_fine", "penalties.art39_fine", "penalties.causes"):
        note = next(r.note for r in all_rules() if r.key == key)
        assert "《行政处罚法》第三十七条" in note and "以前的，依原促进法处罚" in note


def test_the_code_has_its_own_line_in_the_penalties_section(client):
    assert ECO_CODE.kind == "law" and ECO_CODE.section == PENALTIES
    assert "第一千二百四十二条" in ECO_CODE.source and "2026年3月12日" in ECO_CODE.source
    item = next(i for i in client.get("/api/v1/rules").get_json()["items"] if i["key"] == "penalties.eco_code")
    assert item["value"] == "2026年8月15日起" and item["kind"] == "law" and item["section"] == "违规情形与处罚"
    page = client.get("/rules").get_data(as_text=True)
    line = page[page.index('id="penalties.eco_code"'):]
    line = line[:line.index("</tr>")]
    assert "《清洁生产促进法》同时废止" in line and "2026年8月15日起" in line and "第一千二百四十二条" in line
    # the note of a rule still citing the 促进法 is on the page too
    art39 = page[page.index('id="penalties.art39_fine"'):]
    assert PROMOTION_LAW_SUPERSEDED in art39[:art39.index("</tr>")]
