"""Which public figures are withheld so that no one can read or work out the figures of fewer than
`stats.min_group_size` enterprises (stats/rules.py): statistical disclosure control, in plain Python
over a few thousand counts that one SQL statement gives (services._census).

**Cells.** Every published figure belongs to a cell: a year, city, industry and park, each fixed or
"all" (`ANY`). The summary `?city=450100&industry=13` is the cell (ANY, "450100", "13", ANY); row 2025
of its breakdown by year is (2025, "450100", "13", ANY); the province is (ANY, ANY, ANY, ANY); a park of
None is the "不在园区" row of a breakdown by park. A cell has one status wherever it is shown — the
summary, any breakdown, an export, a chart, the API — so a figure withheld in one place cannot be read
in another. An enterprise is *in* a cell when it has a counted round there. N is the rule's value; an
empty cell shows zeros, which disclose nothing.

**Which cells are withheld.**

1. *Too few enterprises* (primary suppression): fewer than N.
2. *Complement*: a cell lies in broader cells (some of its fixed values set back to "all": the city of
   a city and industry, the province). If a broader cell less this one — or the part of the broader
   cell that differs from this one on every value this one adds, which the cells between the two give
   by inclusion and exclusion — holds some but fewer than N enterprises, this cell is withheld: the
   city less its industry 13 would be one enterprise's figures. This holds whether or not the broader
   cell is itself shown, since a withheld figure may still be worked out from others.
3. *Overlapping cells*: two broader cells whose overlap is a cell (the city, and the industry, of a
   city and industry) differ by the parts outside the overlap. If those hold some but fewer than N
   enterprises together, one enterprise of the city outside the industry could subtract its own
   figures and read another's: the smaller of the two cells is withheld.
4. *Secondary suppression*: a breakdown is a cell split along one dimension, its rows adding up to
   it. If the cell is shown, its withheld rows are none, or at least two holding at least N
   enterprises together (so neither the total less the shown rows nor one withheld row can be worked
   out); the smallest shown rows are withheld until that holds, and when no row is left, the cell
   itself. If the cell is withheld, at least one of its rows is, or the rows would add up to it.
   Rule 4 is applied to every breakdown of every cell of the province until nothing changes:
   withholding a row for one breakdown can leave another breakdown of the same row exposed.

Withholding only ever grows, in a fixed order, so every process withholds the same cells, and the
result for a census is computed once (`withheld` is cached).

**Counting.** City, industry and park belong to the enterprise, the year to the round, so an
enterprise can be in several years. The census counts enterprises per (year, city, industry, park)
from the distinct (enterprise, year) pairs, and per (city, industry, park) once each, noting those
whose every round is in one year: the enterprises of a cell without a year that lie wholly inside a
cell with that year are exactly those. Where withheld rows of a breakdown by year must hold N
enterprises together, the largest row stands for them all: an enterprise in two years cannot inflate it.

**Not covered.** These are the threshold rule and complementary suppression that statistical offices
apply to tables, extended to the filter combinations a caller can ask for; they are not an audit of
every linear combination of every cell. Combining many shown cells of two crossed breakdowns (the
margins of a table of industries by parks within one city and year, say) can still, for an unlucky
pattern of small groups, isolate one or two enterprises: a complete guarantee needs a linear-programming
audit of the published cells, or perturbed figures, as flexible online table tools use. Nor is there a
dominance rule for a cell of N or more enterprises of which one makes up nearly all.
"""
from collections import defaultdict, deque
from functools import lru_cache
from itertools import product
from typing import NamedTuple

YEAR, CITY, INDUSTRY, PARK = range(4)
DIMS = ("year", "city", "industry", "park")


class _Any:
    """A dimension not fixed: every year, city, industry or park."""
    __slots__ = ()

    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()

SMALL, COMPLEMENT, SECONDARY = "small", "complement", "secondary"


class Census(NamedTuple):
    """per_year: (year, city, industry, park, enterprises with a round that year);
    per_firm: (every round in one year?, that year or None, city, industry, park, enterprises)."""
    per_year: frozenset
    per_firm: frozenset


def cell(year=ANY, city=ANY, industry=ANY, park=ANY) -> tuple:
    return (year, city, industry, park)


def reason(kind: str, threshold: int) -> str:
    return {SMALL: f"涉及企业少于 {threshold} 家，不公开。",
            COMPLEMENT: f"与上一级合计相减会得出少于 {threshold} 家企业的数据，不公开。",
            SECONDARY: f"为防止由合计和其他公开数据推算出少于 {threshold} 家企业的数据，一并不公开。"}[kind]


def label(kind: str, threshold: int) -> str:
    """What a page or an export shows in place of a withheld figure."""
    return f"<{threshold}家，不公开" if kind == SMALL else "不公开（防推算）"


@lru_cache(maxsize=4)
def withheld(census: Census, threshold: int) -> dict[tuple, str]:
    """Cell -> why it is withheld (SMALL, COMPLEMENT or SECONDARY), for every withheld cell. Computed
    once for each census: the counts change only when a round is listed, started or cancelled or an
    enterprise moves. The result is shared: read it, do not change it."""
    return _withheld(census, threshold)


# --- the computation -----------------------------------------------------------------------------

MASKS = tuple(product((False, True), repeat=len(DIMS)))


def _project(values: tuple, mask: tuple) -> tuple:
    return tuple(v if keep else ANY for v, keep in zip(values, mask))


def _counts(census: Census) -> tuple[dict, dict]:
    """n: cell -> its enterprises; m: cell with a year -> its enterprises whose every round is in that year."""
    n, m = defaultdict(int), defaultdict(int)
    for year, city, industry, park, count in census.per_year:
        for mask in MASKS:
            if mask[YEAR]:
                n[_project((year, city, industry, park), mask)] += count
    for single, year, city, industry, park, count in census.per_firm:
        for mask in MASKS:
            if not mask[YEAR]:
                n[_project((year, city, industry, park), mask)] += count
            elif single:
                m[_project((year, city, industry, park), mask)] += count
    return dict(n), dict(m)


def _rank(value) -> tuple:
    """A total order over the values of a dimension (ints, strings, None and ANY), so that the result
    never depends on the order of a set."""
    if value is ANY:
        return (0, 0, "")
    if value is None:
        return (1, 0, "")
    if isinstance(value, int):
        return (2, value, "")
    return (3, 0, str(value))


def _order(c: tuple) -> tuple:
    return tuple(_rank(v) for v in c)


def _mask(c: tuple) -> int:
    """The fixed dimensions of a cell, as bits (year = 1, city = 2, industry = 4, park = 8)."""
    return sum(1 << d for d, v in enumerate(c) if v is not ANY)


# mask -> its proper subsets: the broader cells a cell with those fixed dimensions lies in.
PROPER_SUBSETS = {mask: tuple(sub for sub in range(mask) if sub & mask == sub) for mask in range(1 << len(DIMS))}


def _keep(c: tuple, sub: int) -> tuple:
    return tuple(v if sub >> d & 1 else ANY for d, v in enumerate(c))


def _outside(c: tuple, broader: tuple, n: dict, m: dict) -> int:
    """How many enterprises of `broader` have a round outside `c` (the figure broader − c is theirs):
    all of broader's but c's own, unless c fixes a year broader does not — then all but those of c
    whose every round is in that year."""
    inside = m.get(c, 0) if c[YEAR] is not ANY and broader[YEAR] is ANY else n[c]
    return n[broader] - inside


def _elsewhere(c: tuple, sub: int, n: dict, m: dict) -> int:
    """How many enterprises of the broader cell `_keep(c, sub)` have a round that differs from `c` on every
    value `c` adds: by inclusion and exclusion over the cells between the two, so those in the middle
    — and with them the figure — can be worked out from them when they are all shown."""
    extra = _mask(c) ^ sub
    firm_level = extra & ~(1 << YEAR)
    total = 0
    for between in range(firm_level + 1):
        if between & firm_level != between:
            continue
        term = n.get(_keep(c, sub | between), 0)
        if extra >> YEAR & 1:  # less those whose every round is in c's year: they have none outside it
            term -= m.get(_keep(c, sub | between | 1 << YEAR), 0)
        total += -term if between.bit_count() % 2 else term
    return total


def _assess(c: tuple, n: dict, m: dict, threshold: int) -> tuple[bool, list]:
    """Rule 2 for `c` (whether a broader cell would disclose it), and the pairs of broader cells of rule 3
    whose overlap is `c`. (The parts of two such cells outside their overlap never share an enterprise:
    each part's enterprises fail a city, industry or park of the other cell.)"""
    mask = _mask(c)
    near = []  # (its fixed dimensions, a broader cell, its enterprises outside c) when fewer than N
    for sub in PROPER_SUBSETS[mask]:
        broader = _keep(c, sub)
        outside = _outside(c, broader, n, m)
        if outside < threshold:
            near.append((sub, broader, outside))
    complement = any(outside > 0 for _, _, outside in near) or any(
        0 < _elsewhere(c, sub, n, m) < threshold for sub in PROPER_SUBSETS[mask] if (mask ^ sub).bit_count() > 1)
    pairs = [(first, second) for i, (sub1, first, out1) in enumerate(near) for sub2, second, out2 in near[i + 1:]
             if sub1 | sub2 == mask and 0 < out1 + out2 < threshold]
    return complement, pairs


def _together(rows: list, d: int, n: dict) -> int:
    """How many enterprises withheld rows of a breakdown along `d` hold together, at least: their sum
    along an enterprise's own city, industry or park; the largest row along years."""
    return max(n[r] for r in rows) if d == YEAR else sum(n[r] for r in rows)


def _withheld(census: Census, threshold: int) -> dict[tuple, str]:
    n, m = _counts(census)
    cells = sorted(n, key=_order)
    hidden = {c: SMALL for c in cells if n[c] < threshold}
    pairs = []
    for c in cells:
        complement, overlapping = _assess(c, n, m, threshold)
        if complement and c not in hidden:
            hidden[c] = COMPLEMENT
        pairs += overlapping
    # Rule 3: of two overlapping cells that differ by fewer than N enterprises, the smaller is withheld.
    # Withholding only ever grows, so a pair settled here stays settled.
    for first, second in pairs:
        if first not in hidden and second not in hidden:
            hidden[min(first, second, key=lambda p: (n[p], _order(p)))] = SECONDARY
    breakdowns = defaultdict(list)  # (the broader cell, the dimension it is split along) -> its rows
    for c in cells:
        for d, value in enumerate(c):
            if value is not ANY:
                breakdowns[(c[:d] + (ANY,) + c[d + 1:], d)].append(c)
    for (_, d), rows in breakdowns.items():
        rows.sort(key=lambda r: (n[r], _rank(r[d])))  # smallest first: the next row to withhold
    # Rule 4, breakdown by breakdown; a breakdown is looked at again whenever one of its rows, or the
    # cell it splits, is newly withheld — until every breakdown holds.
    queue = deque(sorted(breakdowns, key=lambda key: (key[1], _order(key[0]))))
    waiting = set(queue)
    while queue:
        key = queue.popleft()
        waiting.discard(key)
        for newly in _protect(key, breakdowns[key], hidden, n, threshold):
            for related in _breakdowns_of(newly):
                if related in breakdowns and related not in waiting:
                    queue.append(related)
                    waiting.add(related)
    return hidden


def _protect(key: tuple, rows: list, hidden: dict, n: dict, threshold: int) -> list[tuple]:
    """Rule 4 for one breakdown: withholds what it must and returns the cells it withheld."""
    whole, d = key
    shown = [r for r in rows if r not in hidden]
    kept_back = [r for r in rows if r in hidden]
    newly = []
    if whole in hidden:
        if not kept_back:  # the rows would add up to the withheld cell
            newly.append(shown[0])
    elif kept_back:
        while len(kept_back) < 2 or _together(kept_back, d, n) < threshold:
            if not shown:
                if len(kept_back) < 2:  # the one row is the cell itself
                    newly.append(whole)
                break  # every row withheld: together they are the published cell
            row = shown.pop(0)
            kept_back.append(row)
            newly.append(row)
    for cell_ in newly:
        hidden[cell_] = SECONDARY
    return newly


def _breakdowns_of(c: tuple):
    """The breakdowns `c` is a row of, and those that split it."""
    for d, value in enumerate(c):
        yield (c[:d] + (ANY,) + c[d + 1:], d) if value is not ANY else (c, d)
