"""Segmentation, query parsing and highlighting, shared by both backends."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from search import text as search_text
from search.text import highlight, index_terms, parse_query, tokenize
from search_test_data import seed_technologies

SEED_TEXT = "".join(document["name"] for _, _, document in seed_technologies())


def matches(text: str, query: str) -> bool:
    """The backends' rule: the document has every term of the query."""
    return parse_query(query).terms <= index_terms(text)


def test_tokenize_lowercases_and_drops_punctuation():
    assert tokenize("SO2、PM2.5 排放！") == ["so2", "pm2", "5", "排放"]


def test_domain_words_stay_whole_and_give_their_parts():
    assert tokenize("余热回收与电弧炉") == ["余热", "回收", "余热回收", "与", "电弧", "电弧炉"]


def test_tokenize_is_deterministic():
    text = "全废钢电弧炉短流程炼钢技术在柳州的清洁生产审核中应用"
    assert len({tuple(tokenize(text)) for _ in range(5)}) == 1


def test_jieba_rs_cuts_as_jieba_does():
    """Cutting is done by jieba-rs for speed; it must give jieba's own words, domain words included,
    on the catalogue's texts (a new rjieba or jieba release that disagrees fails here)."""
    blocks = {
        block
        for _, _, document in seed_technologies()
        for value in document.values() if isinstance(value, str)
        for block in search_text._BLOCK.findall(search_text.normalize(value))
    }
    blocks |= {"余热回收与电弧炉", "清洁生产审核", "全废钢电弧炉短流程炼钢技术", "年节约标准煤1200吨"}
    jieba_words = {block: list(search_text._jieba().cut(block, HMM=True)) for block in blocks}
    assert len(blocks) > 100
    assert {block: list(search_text._cutter().cut(block, True)) for block in blocks} == jieba_words


def test_a_long_query_word_is_split_into_parts_of_one_or_two_characters():
    assert parse_query("余热回收").clauses == (("余热", "回收"),)
    assert parse_query("清洁生产审核").clauses == (("清洁", "生产", "审核"),)
    assert parse_query("电弧炉 短流程").clauses == (("电弧", "炉"), ("短", "流程"))
    assert parse_query("电炉炼钢 COD").clauses == (("电炉",), ("炼钢",), ("cod",))


def test_function_words_are_not_required_unless_alone():
    assert parse_query("钢铁的废水").clauses == (("钢铁",), ("废水",))
    assert parse_query("的").clauses == (("的",),)
    assert parse_query("  ，。 ").is_empty


def test_a_document_is_indexed_under_characters_pairs_and_pairs_inside_words():
    assert index_terms("电弧炉，SO2") == {"电", "弧", "炉", "电弧", "弧炉", "电炉", "so2"}


def test_the_matching_rule_on_the_two_reference_queries():
    assert matches("余热高效回收利用技术", "余热回收")
    assert matches("全废钢电弧炉短流程炼钢技术", "电炉炼钢")
    assert not matches("电解铝加热炉改造", "电炉")
    assert not matches("余热高效利用技术", "余热回收")


def test_highlight_escapes_everything_but_the_marks():
    marked = highlight('<b>"余热"</b> & 回收', parse_query("余热回收").terms)
    assert isinstance(marked, Markup)
    assert marked == "&lt;b&gt;&#34;<mark>余热</mark>&#34;&lt;/b&gt; &amp; <mark>回收</mark>"


def test_latin_terms_are_marked_only_as_whole_words():
    assert highlight("COD、SO2 与 so2x", parse_query("so2").terms) == "COD、<mark>SO2</mark> 与 so2x"


def test_a_long_text_is_cut_around_the_first_match():
    text = "甲" * 100 + "余热回收" + "乙" * 100
    fragment = highlight(text, parse_query("余热回收").terms, max_chars=40)
    assert fragment == "…" + "甲" * 10 + "<mark>余热回收</mark>" + "乙" * 26 + "…"


cjk_text = st.text(alphabet=SEED_TEXT, min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(text=cjk_text, data=st.data())
def test_any_piece_of_a_text_finds_it(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    assert matches(text, text[start:end])


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60), query=st.text(alphabet=SEED_TEXT + "<>&\"' abc", max_size=8))
def test_highlighting_never_changes_the_text(text, query):
    marked = highlight(text, parse_query(query).terms)
    assert html.unescape(re.sub(r"</?mark>", "", str(marked))) == text
