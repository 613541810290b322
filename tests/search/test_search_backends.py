"""The search contract, run against both backends (see conftest.backend)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from markupsafe import Markup

from search import IndexAction, RebuildFailed, SearchQuery, SearchUnavailable, make_backend
from search.indexes import INDEXES

from search_test_data import seed_technologies

TECH = "technologies"


def load(backend, documents, index=TECH):
    failed = backend.bulk(index, [IndexAction(*document) for document in documents], refresh=True)
    assert failed == []


def ids(backend, text="", index=TECH, **options):
    return backend.search(index, SearchQuery(text, per_page=200, **options)).ids


def tech(name, **fields):
    return {"name": name, "category": "过程控制", "status": "published", **fields}


@pytest.fixture
def seeded(backend):
    load(backend, seed_technologies())
    return backend


def seed_id(name):
    return next(doc_id for doc_id, _, document in seed_technologies() if document["name"] == name)


# --- relevance --------------------------------------------------------------------

def test_waste_heat_recovery_finds_words_that_are_apart(seeded):
    assert seed_id("余热高效回收利用技术") in ids(seeded, "余热回收")


def test_electric_furnace_steelmaking_finds_the_arc_furnace_short_process(seeded):
    found = ids(seeded, "电炉炼钢")
    assert seed_id("全废钢电弧炉短流程炼钢技术") in found
    assert seed_id("全废钢电炉炼钢工艺") in found


def test_every_query_word_must_be_present(seeded):
    assert ids(seeded, "电炉 废水") == []
    found = ids(seeded, "废水 回用")
    assert set(found) == {seed_id("钢铁工业废水联合再生回用技术"), seed_id("煤化工浓盐废水深度处理及回用技术"),
                          seed_id("工业废水深度治理回用技术")}


def test_characters_scattered_in_a_document_do_not_make_a_word(backend):
    load(backend, [("1", 1, tech("电解铝加热炉改造"))])
    assert ids(backend, "电炉") == []


def test_a_name_match_ranks_above_a_match_in_other_fields(backend):
    load(backend, [
        ("1", 1, tech("陶瓷原料干法制粉技术", principle="采用高效膜分离单元")),
        ("2", 1, tech("高效膜分离技术")),
        ("3", 1, tech("废水处理", case="某厂应用膜分离后节水")),
    ])
    result = backend.search(TECH, SearchQuery("膜分离"))
    assert result.ids == ["2", "1", "3"]
    assert result.hits[0].score > result.hits[1].score >= result.hits[2].score


def test_equal_scores_are_ordered_by_id_numbers_first(backend):
    load(backend, [(doc_id, 1, tech("低氮燃烧技术")) for doc_id in ("b", "10", "a", "9")])
    assert ids(backend, "低氮燃烧") == ["9", "10", "a", "b"]
    assert ids(backend, sort="-id") == ["b", "a", "10", "9"]


def test_an_empty_query_matches_everything_in_id_order(seeded):
    assert ids(seeded) == [str(number) for number in range(1, 31)]


def test_a_latin_word_longer_than_a_term_is_found_by_its_first_characters(backend):
    """Elasticsearch's whitespace analyzer cuts a token at 255 characters; terms are cut there on both."""
    word = "x" * 200 + "y" * 200
    load(backend, [("1", 1, tech(f"{word}技术")), ("2", 1, tech("x" * 255 + "z" * 10))])
    assert ids(backend, word) == ["1"]
    assert ids(backend, "x" * 200 + "y" * 55) == ["1"]
    assert ids(backend, "x" * 255 + "w" * 50) == ["2"]  # the same first 255 characters
    assert ids(backend, "y" * 200) == []


def test_a_search_of_an_index_never_created_finds_nothing(backend):
    result = backend.search("experts", SearchQuery("余热", facets=["status"]))
    assert (result.total, result.hits, result.facets) == (0, [], {"status": []})
    assert backend.count("experts") == 0


# --- filters, facets, sorting, pages ------------------------------------------------

def test_filters_narrow_the_hits_and_facets_count_them(seeded):
    result = seeded.search(TECH, SearchQuery("技术", filters={"category": "末端治理"}, facets=["category", "industry_codes"]))
    assert result.total == 7
    assert result.facets["category"] == [("末端治理", 7)]
    assert result.facets["industry_codes"] == [("26", 2), ("25", 1), ("31", 1)]


def test_a_list_filter_matches_any_value_and_fields_are_combined(seeded):
    steel_or_cement = ids(seeded, filters={"industry_codes": ["31", "30"]})
    assert len(steel_or_cement) == 11
    assert len(ids(seeded, filters={"industry_codes": ["31", "30"], "category": "过程控制"})) == 4


def test_facets_over_all_documents(seeded):
    result = seeded.search(TECH, SearchQuery(facets=["category", "status"]))
    assert result.facets["category"] == [("过程控制", 15), ("末端治理", 9), ("源头减量", 6)]
    assert result.facets["status"] == [("published", 27), ("draft", 3)]


def test_filtering_on_an_unknown_field_is_refused(seeded):
    with pytest.raises(ValueError):
        seeded.search(TECH, SearchQuery("技术", filters={"secret": "x"}))
    with pytest.raises(ValueError):
        seeded.search(TECH, SearchQuery("技术", sort="scope"))


def test_sort_by_a_field_then_by_id(seeded):
    newest_first = ids(seeded, sort="-source_year")
    assert newest_first[:9] == [str(number) for number in range(22, 31)]
    by_name = seeded.search(TECH, SearchQuery("技术", sort="name", per_page=200))
    names = [hit.source["name"] for hit in by_name.hits]
    assert names == sorted(names, key=lambda name: name.encode())


def test_pages_cover_the_hits_once(seeded):
    everything = ids(seeded, "技术")
    pages = []
    for page in range(1, 5):
        result = seeded.search(TECH, SearchQuery("技术", page=page, per_page=7))
        assert result.total == len(everything) == 24
        assert result.pages == 4
        pages.extend(result.ids)
    assert pages == everything
    assert seeded.search(TECH, SearchQuery("技术", page=5, per_page=7)).ids == []


# --- highlights -----------------------------------------------------------------------

def test_highlights_mark_the_query_words_and_escape_the_rest(backend):
    load(backend, [("1", 1, tech("<script>alert(1)</script>余热回收装置", principle="回收烟气余热。" + "说明" * 80))])
    hit = backend.search(TECH, SearchQuery("余热回收")).hits[0]
    name = hit.highlights["name"]
    assert isinstance(name, Markup)
    assert name == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>余热回收</mark>装置"
    assert hit.source["name"] == "<script>alert(1)</script>余热回收装置"
    principle = hit.highlights["principle"]
    assert principle.startswith("<mark>回收</mark>烟气<mark>余热</mark>。") and principle.endswith("…")
    assert "scope" not in hit.highlights


def test_a_word_found_through_its_characters_is_highlighted_whole(seeded):
    hit = seeded.search(TECH, SearchQuery("电炉炼钢", filters={"source": "（十四）重点推广技术装备"})).hits[0]
    assert hit.highlights["name"] == "全废钢<mark>电弧炉</mark>短流程<mark>炼钢</mark>技术"


# --- versions -------------------------------------------------------------------------

def test_a_stale_write_is_ignored(backend):
    load(backend, [("7", 2, tech("富氧燃烧技术 第二版"))])
    load(backend, [("7", 1, tech("富氧燃烧技术 第一版")), ("7", 2, tech("富氧燃烧技术 重复"))])
    assert backend.search(TECH, SearchQuery("富氧燃烧")).hits[0].source["name"] == "富氧燃烧技术 第二版"


def test_what_a_search_shows_follows_every_write(seeded):
    """Filters, facets and term matches see each write at once, however recently they were asked."""
    query = SearchQuery("余热", filters={"category": "末端治理"}, facets=["category"])
    before = seeded.search(TECH, query)
    load(seeded, [("900", 1, tech("焦炉余热深度利用技术", category="末端治理"))])
    after = seeded.search(TECH, query)
    assert after.total == before.total + 1 and "900" in after.ids
    assert after.facets["category"] == [("末端治理", before.total + 1)]
    load(seeded, [("900", 2, tech("焦炉煤气净化技术", category="末端治理"))])
    assert "900" not in seeded.search(TECH, query).ids
    load(seeded, [("900", 3, None)])
    assert seeded.search(TECH, SearchQuery("焦炉煤气")).total == 0


def test_an_embedded_search_sees_what_another_process_wrote(tmp_path):
    """Each process keeps its own in-memory view; a write by another one must still show."""
    path = str(tmp_path / "shared.sqlite3")
    reader, writer = make_backend("embedded", path=path), make_backend("embedded", path=path)
    load(writer, [("1", 1, tech("余热回收技术"))])
    assert ids(reader, "余热") == ["1"]
    load(writer, [("2", 1, tech("余热发电技术")), ("1", 2, None)])
    assert ids(reader, "余热") == ["2"]
    writer.rebuild(TECH, [("3", 1, tech("余热锅炉技术"))])
    assert ids(reader, "余热") == ["3"]


def test_an_embedded_index_of_the_first_layout_is_dropped_for_a_rebuild(tmp_path):
    import sqlite3

    path = str(tmp_path / "old.sqlite3")
    backend = make_backend("embedded", path=path)
    physical = backend.ensure_index(TECH)
    load(backend, [("1", 1, tech("余热回收技术"))])
    table = '"ix_' + physical.replace("-", "_") + '_fts"'
    with sqlite3.connect(path) as conn:  # what the first layout had: one FTS5 table for every tier
        conn.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(boost8)")
    reopened = make_backend("embedded", path=path)
    assert reopened.count(TECH) == 0 and ids(reopened, "余热") == []
    load(reopened, [("1", 1, tech("余热回收技术"))])  # what `flask search reindex` does, in short
    assert ids(reopened, "余热") == ["1"]


def test_a_delete_needs_a_newer_version_and_keeps_it(backend):
    load(backend, [("7", 2, tech("富氧燃烧技术"))])
    load(backend, [("7", 1, None)])
    assert backend.count(TECH) == 1
    load(backend, [("7", 3, None)])
    assert backend.count(TECH) == 0
    load(backend, [("7", 2, tech("富氧燃烧技术 过时"))])
    assert backend.count(TECH) == 0
    load(backend, [("7", 4, tech("富氧燃烧技术 恢复")), ("8", 1, None)])
    assert ids(backend, "富氧燃烧") == ["7"]


def test_an_invalid_document_is_reported_and_the_rest_are_stored(backend):
    failed = backend.bulk(TECH, [
        IndexAction("1", 1, tech("高效膜分离技术")),
        IndexAction("2", 1, tech({"not": "text"})),
        IndexAction("3", 1, tech("高效提取分离技术", industry_codes=[{"bad": 1}])),
    ], refresh=True)
    assert failed == ["2", "3"]
    assert ids(backend, "分离") == ["1"]


# --- rebuild ----------------------------------------------------------------------------

def test_rebuild_swaps_the_alias_without_a_moment_of_failure(backend):
    documents = seed_technologies()
    first = backend.ensure_index(TECH)
    load(backend, documents)
    failures, totals, stop = [], [], threading.Event()

    def keep_searching():
        while not stop.is_set():
            try:
                totals.append(backend.search(TECH, SearchQuery("技术")).total)
            except Exception as error:  # noqa: BLE001 - any failure is what the test looks for
                failures.append(error)

    def slowly(items):
        for item in items:
            time.sleep(0.01)
            yield item

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        many = [(f"x{number:04d}", 1, tech(f"余热回收示范工程{number}")) for number in range(200)]
        second = backend.rebuild(TECH, slowly(documents[:20] + many))
        seen = len(totals)
        deadline = time.monotonic() + 5
        while len(totals) < seen + 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        searcher.join()
    assert failures == []
    before = sum("技术" in document["name"] for _, _, document in documents)
    after = sum("技术" in document["name"] for _, _, document in documents[:20])
    assert totals[0] == before and totals[-1] == after and set(totals) == {before, after}
    assert second != first and second.startswith(f"{backend.alias(TECH)}-v{INDEXES[TECH].version}-")
    assert backend.count(TECH) == 220
    assert backend.ensure_index(TECH) == second


def test_writes_during_a_rebuild_reach_the_new_index(backend):
    load(backend, [("1", 1, tech("高效膜分离技术"))])

    def documents():
        yield "1", 1, tech("高效膜分离技术")
        backend.bulk(TECH, [IndexAction("1", 2, tech("高效膜分离技术 修订")), IndexAction("2", 1, tech("新增技术"))])
        yield "3", 1, tech("陶瓷原料干法制粉技术")

    backend.rebuild(TECH, documents())
    result = backend.search(TECH, SearchQuery())
    assert result.ids == ["1", "2", "3"]
    assert result.hits[0].source["name"] == "高效膜分离技术 修订"


def test_a_failed_rebuild_keeps_the_old_index(backend):
    load(backend, [("1", 1, tech("高效膜分离技术"))])
    before = backend.ensure_index(TECH)
    with pytest.raises(RebuildFailed) as failure:
        backend.rebuild(TECH, [("2", 1, tech("新增技术")), ("3", 1, tech(["ok"], scope={"bad": 1}))])
    assert failure.value.failed_ids == ["3"]
    assert backend.ensure_index(TECH) == before
    assert ids(backend) == ["1"]


def test_rebuild_creates_the_index_when_there_is_none(backend):
    physical = backend.rebuild(TECH, [("1", 1, tech("高效膜分离技术"))])
    assert backend.ensure_index(TECH) == physical
    assert ids(backend, "膜分离") == ["1"]


def test_delete_all_removes_this_prefix_only(backend):
    load(backend, seed_technologies()[:3])
    backend.delete_all()
    assert backend.count(TECH) == 0


# --- experts ------------------------------------------------------------------------

def test_experts_are_found_by_specialty_and_filtered_by_status(backend):
    load(backend, [
        ("1", 1, {"name": "张伟", "title": "正高级工程师", "employer": "广西钢铁集团", "specialty_codes": ["31"],
                  "specialty_names": ["黑色金属冶炼和压延加工业"], "fields": ["余热回收", "超低排放"], "status": "approved"}),
        ("2", 1, {"name": "李娜", "title": "教授", "employer": "广西大学", "specialty_codes": ["26"],
                  "specialty_names": ["化学原料和化学制品制造业"], "fields": ["废水深度处理"], "status": "approved"}),
        ("3", 1, {"name": "王强", "title": "高级工程师", "employer": "柳州某厂", "specialty_codes": ["31"],
                  "specialty_names": ["黑色金属冶炼和压延加工业"], "fields": ["余热利用"], "status": "pending"}),
    ], index="experts")
    assert ids(backend, "余热", index="experts") == ["1", "3"]
    result = backend.search("experts", SearchQuery("冶炼", filters={"status": "approved"}, facets=["specialty_codes"]))
    assert result.ids == ["1"] and result.facets == {"specialty_codes": [("31", 1)]}
    assert result.hits[0].highlights["specialty_names"] == "黑色金属<mark>冶炼</mark>和压延加工业"


# --- both backends agree ---------------------------------------------------------------

QUERIES = [
    SearchQuery("余热回收"), SearchQuery("电炉炼钢"), SearchQuery("技术", per_page=50), SearchQuery("废水"),
    SearchQuery("高效 技术"), SearchQuery("钢"), SearchQuery("北海 技术", per_page=50), SearchQuery("水泥窑"),
    SearchQuery("清洁生产审核"), SearchQuery("催化"), SearchQuery("短流程 冶炼"), SearchQuery("黑色金属"),
    SearchQuery("节能", facets=["category", "maturity"], per_page=50),
    SearchQuery("工艺", filters={"category": ["过程控制", "末端治理"]}, facets=["industry_codes"]),
    SearchQuery("", facets=["category", "industry_codes", "source_year"], per_page=50),
    SearchQuery("技术", sort="-source_year", per_page=9, page=2), SearchQuery("", sort="name", per_page=50),
]


def test_both_backends_return_the_same_hits_in_the_same_order(both_backends):
    for search_backend in both_backends:
        load(search_backend, seed_technologies())
    for query in QUERIES:
        embedded, elastic = (search_backend.search(TECH, query) for search_backend in both_backends)
        assert embedded.total == elastic.total, query
        assert [(hit.id, hit.score) for hit in embedded.hits] == [(hit.id, hit.score) for hit in elastic.hits], query
        assert embedded.facets == elastic.facets, query
        assert [hit.highlights for hit in embedded.hits] == [hit.highlights for hit in elastic.hits], query
        assert [hit.source for hit in embedded.hits] == [hit.source for hit in elastic.hits], query


# --- failures -------------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_elasticsearch_is_reported_quickly():
    unreachable = make_backend("elasticsearch", url=f"http://127.0.0.1:{_closed_port()}")
    started = time.monotonic()
    assert unreachable.ping() is False
    with pytest.raises(SearchUnavailable) as error:
        unreachable.search(TECH, SearchQuery("余热回收"))
    assert "搜索服务暂时不可用" in str(error.value)
    with pytest.raises(SearchUnavailable):
        unreachable.bulk(TECH, [IndexAction("1", 1, tech("余热回收"))])
    with pytest.raises(SearchUnavailable):
        unreachable.count(TECH)
    assert time.monotonic() - started < 3


def test_an_unreadable_embedded_file_is_reported(tmp_path):
    with pytest.raises(SearchUnavailable):
        make_backend("embedded", path=str(tmp_path))


def test_the_mappings_declare_what_the_registry_says():
    for definition in INDEXES.values():
        properties = definition.mapping["mappings"]["properties"]
        assert properties["id"] == {"type": "keyword"}
        for field in definition.text_fields:
            assert properties[field]["type"] == "text"
            assert properties[field].get("index", True) is False or properties[field]["analyzer"] == "standard"
        assert properties["terms"]["properties"] == {
            tier: {"type": "text", "analyzer": "whitespace", "index_options": "docs", "norms": False}
            for tier in definition.tiers
        }
        for field in definition.keyword_fields:
            assert properties[field] == {"type": "keyword"}
        for key, es_field in definition.sort_fields.items():
            base, _, sub = es_field.partition(".")
            assert properties[base]["type"] == "keyword" or properties[base]["fields"][sub]["type"] == "keyword"
        assert set(properties) == {"id", "id_sort", "terms", *definition.text_fields, *definition.keyword_fields}


# --- the embedded backend's stored term lists ------------------------------------------------

def test_stored_term_lists_and_the_documents_written_since_answer_as_fts5_does(tmp_path):
    """Rebuilt with every term's document list stored, then changed by writes (an update, deletes, new
    documents, one deleted and written again): the answers equal those of an index that looks every
    term up in FTS5, before and after the lists are stored afresh."""
    import sqlite3

    stored = make_backend("embedded", path=str(tmp_path / "stored.sqlite3"), narrow_hits=0, postings_min_docs=1,
                          postings_max_dirty=10_000)
    plain = make_backend("embedded", path=str(tmp_path / "plain.sqlite3"), narrow_hits=0, postings_min_docs=10 ** 9)
    changes = [
        IndexAction("1", 2, tech("余热回收电炉炼钢改造", scope="新的适用范围")),
        IndexAction("2", 2, None),
        IndexAction("3", 2, None),
        IndexAction("31", 1, tech("全废钢电弧炉短流程炼钢技术", category="源头减量")),
        IndexAction("3", 3, tech("高效膜分离废水回用技术")),
    ]
    queries = ["余热回收", "电炉炼钢", "技术", "回收", "废水", "膜分离", "节能", "适用", "", "so2"]

    def answers(backend):
        return [(ids(backend, q), ids(backend, q, filters={"category": "源头减量"})) for q in queries]

    try:
        for backend in (stored, plain):
            backend.rebuild(TECH, seed_technologies())
        physical = stored.ensure_index(TECH)
        with sqlite3.connect(stored.path) as conn:
            table = '"ix_' + physical.replace("-", "_") + '_post"'
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 100
        assert answers(stored) == answers(plain)
        for backend in (stored, plain):
            assert backend.bulk(TECH, changes, refresh=True) == []
        with stored._connect() as conn:
            assert stored._dirty_count(conn, physical) == 4  # 1, 2, 3 and 31
        assert answers(stored) == answers(plain)
        assert ids(stored, "膜分离废水") == ["3"] and "2" not in ids(stored) and ids(stored, "电炉炼钢")[:1] == ["1"]

        stored.postings_max_dirty = 0  # the next write stores the lists afresh
        assert stored.bulk(TECH, [IndexAction("32", 1, tech("低氮燃烧技术"))], refresh=True) == []
        plain.bulk(TECH, [IndexAction("32", 1, tech("低氮燃烧技术"))], refresh=True)
        with stored._connect() as conn:
            assert stored._dirty_count(conn, physical) == 0
        assert answers(stored) == answers(plain)
    finally:
        for backend in (stored, plain):
            backend.delete_all()
            backend.close()
