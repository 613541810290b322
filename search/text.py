"""Chinese text analysis shared by both search backends.

Neither backend analyses Chinese itself: the Elasticsearch test node only has
the ``standard`` analyzer (one token per character) and SQLite's ``unicode61``
tokenizer keeps a whole run of Chinese characters as one token. So this module
turns every text into *terms*, the same way for both, and the backends only
store and look up whole terms (Elasticsearch ``keyword`` arrays, space-separated
FTS5 columns).

Matching scheme
---------------
A text is indexed under

* every Chinese character (unigrams),
* every pair of adjacent Chinese characters (bigrams),
* every in-order pair of characters inside one jieba word of 3 to 8 characters
  ("skip pairs"): the word 电弧炉 gives 电炉 besides 电弧 and 弧炉, so the query
  电炉 finds 电弧炉, while 电 and 炉 in unrelated places (电解铝加热炉) do not match;
* lower-cased Latin and digit tokens (COD, SO2; PM2.5 gives ``pm2`` and ``5``), cut to
  ``MAX_TERM_CHARS``.

A query is cut with jieba's precise mode (with the domain words in ``dict.txt``). Each query word becomes a *clause* of terms that must all be
present:

* a word of one or two characters is itself the term, which therefore matches
  wherever the characters stand together in the document (bigram) or inside
  one document word (skip pair), however jieba cut the document;
* a longer word is split into its *parts*: jieba's most probable segmentation
  of the word into smaller dictionary words, split again until no part is
  longer than two characters (余热回收 -> 余热 + 回收, 清洁生产审核 -> 清洁 +
  生产 + 审核, 电弧炉 -> 电弧 + 炉). The parts may stand apart in the document:
  余热回收 finds 余热高效回收利用技术.

Every part of a longer word is itself a substring of it, so a document that
contains the whole word always matches; indexing jieba's longer words as well
would add nothing. Common function words (的, 与, 及 …) are dropped from a
query unless nothing else is left.

A document matches when every clause's terms are present in its text fields
taken together (AND). For ranking, a clause scores the boost of the
highest-boosted field group (``IndexDefinition.tiers``) that holds all its
terms, 0 if none does alone; a document's score is the sum over its clauses,
ties broken by id. Highlights are computed here from the same terms, so both
backends mark the same words.

Cutting is done by jieba-rs (``rjieba``), the Rust port of jieba: the same
dictionary, the same DAG and HMM, the same words (checked against jieba on the
catalogue's texts), some twenty times faster, which is most of what a rebuild
costs. The dictionary's word frequencies, which ``_parts`` and
``word_frequency`` read, still come from jieba itself (jieba-rs does not expose
them); the domain words are added to both.
"""

from __future__ import annotations

import functools
import logging
import math
import operator
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import jieba
import rjieba
from markupsafe import Markup

USER_DICT = Path(__file__).with_name("dict.txt")

#: Words too common to require in a query.
STOPWORDS = frozenset("的 了 和 与 及 或 等 之 在 对 是 并 其 以及 及其 或者 一种 相关".split())

# jieba treats a run of these as one block and cuts each block on its own
# (jieba.re_han_default); caching per block keeps repeated phrases cheap.
_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")
_PIECE = re.compile(r"[\u4e00-\u9fff]+|[^\W_\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
#: What ``_PIECE`` finds inside the blocks ``_BLOCK`` finds, in one pass: a block's Chinese runs
#: and its runs of ASCII letters and digits (its other characters separate them).
_BLOCK_PIECE = re.compile(r"[\u4E00-\u9FD5]+|[a-zA-Z0-9]+")
_MAX_SKIP_WORD = 8
#: A Latin or digit term is cut to this many characters, in documents and queries alike: the
#: whitespace analyzer that splits stored terms in Elasticsearch cuts longer tokens there.
MAX_TERM_CHARS = 255

_dictionary: jieba.Tokenizer | None = None
_segmenter: rjieba.Jieba | None = None
_lock = threading.Lock()


def _jieba() -> jieba.Tokenizer:
    """jieba's dictionary with the domain words (for word frequencies), loaded once and quietly."""
    global _dictionary
    if _dictionary is None:
        with _lock:
            if _dictionary is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                tokenizer.load_userdict(str(USER_DICT))
                _dictionary = tokenizer
    return _dictionary


def _cutter() -> rjieba.Jieba:
    """The jieba-rs segmenter with the domain words, built once."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                segmenter = rjieba.Jieba()
                for line in USER_DICT.read_text(encoding="utf-8").splitlines():
                    word, *rest = line.split() or [""]
                    if word:  # "word [frequency] [tag]", as jieba.load_userdict reads it
                        frequency = int(rest[0]) if rest and rest[0].isdigit() else None
                        segmenter.add_word(word, frequency, rest[-1] if rest and not rest[-1].isdigit() else None)
                _segmenter = segmenter
    return _segmenter


def normalize(text: str) -> str:
    """NFKC and lower case: how text is compared, in documents and queries alike."""
    return unicodedata.normalize("NFKC", text).lower()


def fold(text: str) -> str:
    """``normalize`` character by character, keeping the length (and so offsets)."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        lowered = text.lower()
        if len(lowered) == len(text):
            return lowered
    return "".join(map(_fold_char, text))


@functools.lru_cache(maxsize=20_000)
def _fold_char(char: str) -> str:
    folded = normalize(char)
    if len(folded) != 1:
        folded = char.lower() if len(char.lower()) == 1 else char
    return folded


def _is_cjk(piece: str) -> bool:
    return bool(_CJK.match(piece))


@functools.lru_cache(maxsize=200_000)
def _cut_block(block: str) -> tuple[str, ...]:
    """jieba's precise-mode words of one block, split into Chinese and Latin pieces."""
    words = []
    for word in _cutter().cut(block, True):
        words.extend(_PIECE.findall(word))
    return tuple(words)


def words(text: str) -> list[str]:
    """jieba's precise-mode words of ``text``, normalised, without punctuation or spaces."""
    return [word for block in _BLOCK.findall(normalize(text or "")) for word in _cut_block(block)]


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens of ``text``: lower-cased, no punctuation or spaces.

    Each precise-mode word is preceded by the dictionary words of two and three
    characters inside it, as ``jieba.cut_for_search`` does.
    """
    freq = _jieba().FREQ
    out = []
    for word in words(text):
        if _is_cjk(word) and len(word) > 2:
            out.extend(word[i:i + 2] for i in range(len(word) - 1) if freq.get(word[i:i + 2]))
            if len(word) > 3:
                out.extend(word[i:i + 3] for i in range(len(word) - 2) if freq.get(word[i:i + 3]))
        out.append(word)
    return out


@functools.lru_cache(maxsize=200_000)
def _run_terms(run: str) -> frozenset[str]:
    """The terms of one run of Chinese characters: its characters, their adjacent pairs, and the
    in-order pairs inside each of its jieba words of 3 to 8 characters.

    Cut run by run, not block by block: numbers split text into runs that recur (年节约标准煤 in
    年节约标准煤1200吨), so the cache spares most of jieba's work, which is most of a rebuild's.
    """
    terms = set(run)
    terms.update(map(operator.add, run, run[1:]))
    for word in _cut_block(run):
        if 3 <= len(word) <= _MAX_SKIP_WORD:
            terms.update(word[i] + word[j] for i in range(len(word)) for j in range(i + 2, len(word)))
    return frozenset(terms)


def index_terms(text: str | Iterable[str] | None) -> frozenset[str]:
    """Every term under which a field holding ``text`` is found (see the module doc)."""
    if text is None:
        return frozenset()
    if not isinstance(text, str):
        text = "\n".join(str(item) for item in text if item is not None)
    terms: set[str] = set()
    for piece in _BLOCK_PIECE.findall(normalize(text)):
        if piece[0] >= "\u4e00":
            terms |= _run_terms(piece)
        else:
            terms.add(piece[:MAX_TERM_CHARS])
    return frozenset(terms)


def word_frequency(term: str) -> int:
    """How common ``term`` is in general Chinese (jieba's dictionary count; 0 if unknown): a cheap
    guess, before any look-up, of how many documents hold it."""
    return _jieba().FREQ.get(term) or 0


def _parts(word: str) -> tuple[str, ...]:
    """``word`` split into pieces of at most two characters.

    Uses jieba's own route scoring (log word frequencies) over the word's
    proper sub-words found in the dictionary, then splits any piece longer
    than two characters again.
    """
    if len(word) <= 2:
        return (word,)
    tokenizer = _jieba()
    freq, log_total = tokenizer.FREQ, math.log(tokenizer.total)
    n = len(word)
    best: list[tuple[float, int]] = [(0.0, n)] * (n + 1)
    for i in range(n - 1, -1, -1):
        best[i] = max(
            (math.log(freq.get(word[i:j]) or 1) - log_total + best[j][0], j)
            for j in range(i + 1, n + 1)
            if j - i < n and (j - i == 1 or freq.get(word[i:j]))
        )
    pieces, i = [], 0
    while i < n:
        j = best[i][1]
        pieces.extend(_parts(word[i:j]))
        i = j
    return tuple(dict.fromkeys(pieces))


@dataclass(frozen=True)
class ParsedQuery:
    """A query as clauses, one per query word; each clause is the terms that must all be present."""

    clauses: tuple[tuple[str, ...], ...]

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    @property
    def terms(self) -> frozenset[str]:
        """Every term of the query: what a document must have, and what highlighting marks."""
        return frozenset(term for clause in self.clauses for term in clause)


@functools.lru_cache(maxsize=4096)
def parse_query(text: str | None) -> ParsedQuery:
    query_words = list(dict.fromkeys(words(text or "")))
    kept = [word for word in query_words if word not in STOPWORDS] or query_words
    clauses = (_parts(word) if _is_cjk(word) else (word[:MAX_TERM_CHARS],) for word in kept)
    return ParsedQuery(tuple(dict.fromkeys(clauses)))


# --- highlighting -----------------------------------------------------------

def _pair_spans(folded: str, pairs: set[str]) -> Iterable[tuple[int, int]]:
    """Spans of the words of 3 to 8 characters that hold one of ``pairs`` apart (电炉 in 电弧炉).

    Only a block holding both characters of a pair in order is cut into words: cutting with
    jieba is what highlighting costs, and most blocks of a hit hold no such pair.
    """
    pairs = [pair for pair in pairs if _may_stand_apart(folded, pair)]
    if not pairs:
        return
    for match in _BLOCK.finditer(folded):
        block = match.group()
        candidates = [pair for pair in pairs if _may_stand_apart(block, pair)]
        if not candidates:
            continue
        offset = match.start()
        for start, end, word in _long_words(block):
            if any(pair not in word and _has_pair(word, pair) for pair in candidates):
                yield offset + start, offset + end


@functools.lru_cache(maxsize=200_000)
def _long_words(block: str) -> tuple[tuple[int, int, str], ...]:
    """The words of 3 to 8 characters of ``block``'s Chinese runs (cut as ``_run_terms`` cuts them)."""
    out = []
    for run in _CJK_RUN.finditer(block):
        position = 0
        for word in _cut_block(run.group()):
            start = run.group().index(word, position)
            position = start + len(word)
            if 3 <= len(word) <= _MAX_SKIP_WORD:
                out.append((run.start() + start, run.start() + position, word))
    return tuple(out)


def _may_stand_apart(block: str, pair: str) -> bool:
    """Whether ``block`` has the pair's first character somewhere before its second, not next to it."""
    first = block.find(pair[0])
    return first != -1 and block.rfind(pair[1]) > first + 1


def _has_pair(word: str, pair: str) -> bool:
    first = word.find(pair[0])
    return first != -1 and word.find(pair[1], first + 1) != -1


def highlight_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of ``text`` that match any of ``terms``, merged and sorted."""
    folded = fold(text or "")
    spans: list[tuple[int, int]] = []
    pairs = set()
    for term in set(terms):
        if not term:
            continue
        if _is_cjk(term):
            start = folded.find(term)
            while start != -1:
                spans.append((start, start + len(term)))
                start = folded.find(term, start + 1)
            if len(term) == 2:
                pairs.add(term)
        else:
            pattern = r"(?<![^\W_])" + re.escape(term) + r"(?![^\W_])"
            spans.extend(match.span() for match in re.finditer(pattern, folded))
    if pairs:  # a pair found apart inside one word marks the whole word (电炉 -> 电弧炉)
        spans.extend(_pair_spans(folded, pairs))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, query_tokens: Iterable[str], max_chars: int | None = None) -> Markup:
    """``text`` as safe HTML with the words matching ``query_tokens`` in ``<mark>``.

    ``query_tokens`` may be ``parse_query(q).terms`` or simply ``tokenize(q)``.
    Everything else is HTML-escaped. With ``max_chars``, a longer text is cut to
    a window of that size around the first match, with ``…`` at the cuts.
    """
    return mark_spans(text or "", highlight_spans(text, query_tokens), max_chars)


def mark_spans(text: str, spans: list[tuple[int, int]], max_chars: int | None = None) -> Markup:
    """``text`` as safe HTML with ``spans`` (from ``highlight_spans``) in ``<mark>``; see ``highlight``."""
    start, end = 0, len(text)
    if max_chars and len(text) > max_chars:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - max_chars // 4, len(text) - max_chars))
        end = start + max_chars
    out, position = ["…" if start > 0 else ""], start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        out += (text[position:span_start].translate(_HTML), "<mark>", text[span_start:span_end].translate(_HTML), "</mark>")
        position = span_end
    out += (text[position:end].translate(_HTML), "…" if end < len(text) else "")
    return Markup("".join(out))


#: What markupsafe.escape replaces, as one str.translate table (one call per piece, no objects).
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})
