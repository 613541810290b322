"""Search in a local SQLite file with FTS5: no server, same results as Elasticsearch.

Each physical index is these tables: ``<p>_docs`` (id, order key, version and
whether the document is live; a deleted one stays as a tombstone that keeps its
version), ``<p>_src`` (the source JSON of live documents, apart so that the
small ``docs`` rows scan fast), ``<p>_t0``, ``<p>_t1`` … (one FTS5 table per
field tier, highest boost first, holding that tier's terms, see ``search.text``
and ``IndexDefinition.tiers``; ``detail=none``, as only whole terms are looked
up, so a term's document list is all FTS5 has to read) and ``<p>_kw`` (one row
per keyword-field value, for filters and facets). ``_aliases`` maps an alias to its
physical index and ``_rebuilding`` to the index a running rebuild fills, which
``bulk`` writes to as well. Every call opens its own connection (WAL mode), so
the backend is safe across threads and processes; a search reads one
consistent snapshot, so a rebuild's swap never shows half-way.

A search asks FTS5 only for the documents holding the query's terms (as one
``group_concat`` string, which is much faster than one Python row each), except
for the terms that many documents hold: a rebuild also stores each such term's
document list as packed integers in ``<p>_post``, read in one step, since
FTS5 costs about 0.1 µs a document (10 ms for a character every document has).
Documents written since (``<p>_dirty``) are checked against their own terms,
and ``bulk`` stores the lists afresh once too many are; the
filters, facet counts, scores and order are numpy operations over a
``_Snapshot`` of the keyword values and id order, kept in memory per process
until the next write to the index (``_generation``). So a broad query over
100,000 documents costs a few milliseconds instead of a scan through SQLite.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

import numpy as np

from search import indexes
from search.backends.base import (
    FACET_SIZE,
    MAX_RESULT_WINDOW,
    IndexAction,
    RebuildFailed,
    ResolvedQuery,
    SearchBackend,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    sort_key,
)
from search.indexes import IndexDefinition
from search.parallel import chunked, default_workers, map_chunks
from search.text import word_frequency

log = logging.getLogger(__name__)

CHUNK_SIZE = 2000
#: An index definition has at most this many boost tiers (one FTS5 table each).
MAX_TIERS = 8
#: Bytes of term look-ups a snapshot keeps for the next queries (see ``_Snapshot.term``).
TERM_CACHE_BYTES = 64 * 1024 * 1024
#: With at most this many hits left, the remaining query terms are checked in the hits' own term
#: lists instead of being looked up (see ``EmbeddedBackend._match``).
NARROW_HITS = 300
#: A rebuild stores the document list of every term held by at least this many documents of a
#: tier (``<p>_post``): FTS5 reads a list of that length in a few milliseconds, a blob in microseconds.
POSTINGS_MIN_DOCS = 5000
#: Past this many documents written since the lists were stored, ``bulk`` stores them afresh.
POSTINGS_MAX_DIRTY = 2000


class Prepared(NamedTuple):
    """An action ready to write: ``source`` is None for a delete; ``failed`` if the document is invalid."""

    id: str
    version: int
    source: str | None
    columns: list[str] | None
    keywords: list[tuple[str, str]] | None
    failed: bool = False


def _prepare(definition: IndexDefinition, action: IndexAction) -> Prepared:
    if action.document is None:
        return Prepared(action.id, action.version, None, None, None)
    try:
        source = dict(action.document)
        source["id"] = action.id
        terms = definition.analyse(source)
        keywords = definition.keyword_values(source)
        source_json = json.dumps(source, ensure_ascii=False)
    except (TypeError, ValueError):
        return Prepared(action.id, action.version, None, None, None, failed=True)
    columns = [terms[tier] for tier in definition.tiers]
    rows = [(field, value) for field, values in keywords.items() for value in values]
    return Prepared(action.id, action.version, source_json, columns, rows)


def _prepare_chunk(name: str, actions: list[IndexAction]) -> list[Prepared]:
    definition = indexes.get(name)
    return [_prepare(definition, action) for action in actions]


def _table(physical: str, kind: str) -> str:
    return '"ix_' + re.sub(r"[^a-z0-9]", "_", physical) + "_" + kind + '"'


def _tables(physical: str) -> tuple[str, str, str]:
    return _table(physical, "docs"), _table(physical, "src"), _table(physical, "kw")


def _tier_tables(physical: str, count: int = MAX_TIERS) -> list[str]:
    return [_table(physical, f"t{number}") for number in range(count)]


def _posting_tables(physical: str) -> tuple[str, str]:
    return _table(physical, "post"), _table(physical, "dirty")


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'




class EmbeddedBackend(SearchBackend):
    kind = "embedded"

    def __init__(self, path: str | Path, *, prefix: str = "", timeout: float = 10.0, workers: int | None = None,
                 narrow_hits: int = NARROW_HITS, postings_min_docs: int = POSTINGS_MIN_DOCS,
                 postings_max_dirty: int = POSTINGS_MAX_DIRTY):
        """``path`` is the SQLite file (created if missing); ``workers`` the processes a big rebuild
        prepares documents in (default: one less than the CPUs, at most 4; 0 = none); ``narrow_hits``
        see ``_match`` (0: always look terms up); ``postings_min_docs`` and ``postings_max_dirty``
        see ``POSTINGS_MIN_DOCS`` and ``POSTINGS_MAX_DIRTY``."""
        super().__init__(prefix=prefix)
        self.narrow_hits = narrow_hits
        self.postings_min_docs = postings_min_docs
        self.postings_max_dirty = postings_max_dirty
        self.path = str(path)
        self.timeout = timeout
        self.workers = default_workers() if workers is None else workers
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS _aliases (alias TEXT PRIMARY KEY, physical TEXT NOT NULL)")
            conn.execute("CREATE TABLE IF NOT EXISTS _rebuilding (alias TEXT PRIMARY KEY, physical TEXT NOT NULL)")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _physical (physical TEXT PRIMARY KEY, alias TEXT NOT NULL, name TEXT NOT NULL)"
            )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _counter (id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL,"
                " n INTEGER NOT NULL)"
            )
            conn.execute("INSERT OR IGNORE INTO _counter VALUES (1, ?, 0)", (uuid.uuid4().hex,))
            conn.execute("CREATE TABLE IF NOT EXISTS _generation (physical TEXT PRIMARY KEY, n INTEGER NOT NULL)")
            self._drop_old_layout(conn)
        self._snapshots: dict[str, _Snapshot] = {}  # alias -> its latest snapshot
        self._snapshot_lock = threading.Lock()

    def _drop_old_layout(self, conn: sqlite3.Connection) -> None:
        """Indexes of the first layout (one ``_fts`` table with a column per tier) cannot be read any
        more: they are dropped, and ``flask search reindex`` (which ``make run`` calls) rebuilds them."""
        with self._transaction(conn):
            for (physical,) in conn.execute("SELECT physical FROM _physical").fetchall():
                old = _table(physical, "fts")[1:-1]
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (old,)).fetchone():
                    log.warning("search index %s has an old layout and was dropped: run `flask search reindex`", physical)
                    self._drop_tables(conn, physical)
                    conn.execute("DELETE FROM _aliases WHERE physical = ?", (physical,))
                    conn.execute("DELETE FROM _rebuilding WHERE physical = ?", (physical,))

    # --- connections --------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            raise SearchUnavailable(str(error)) from error
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA temp_store=MEMORY")
            yield conn
        except sqlite3.OperationalError as error:
            raise SearchUnavailable(str(error)) from error
        finally:
            conn.close()

    @contextmanager
    def _transaction(self, conn: sqlite3.Connection, mode: str = "IMMEDIATE") -> Iterator[None]:
        conn.execute(f"BEGIN {mode}")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # --- schema -------------------------------------------------------------------

    @classmethod
    def _create_tables(
        cls, conn: sqlite3.Connection, definition: IndexDefinition, physical: str, *, with_indexes: bool = True
    ) -> None:
        docs, src, kw = _tables(physical)
        conn.execute(
            f"CREATE TABLE {docs} (rowid INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE,"
            " sort_key TEXT NOT NULL, version INTEGER NOT NULL, live INTEGER NOT NULL)"
        )
        conn.execute(f"CREATE TABLE {src} (rowid INTEGER PRIMARY KEY, source TEXT NOT NULL)")
        for table in _tier_tables(physical, len(definition.tiers)):
            conn.execute(
                f"CREATE VIRTUAL TABLE {table} USING fts5(terms, tokenize='unicode61 remove_diacritics 0',"
                " detail=none, columnsize=0)"
            )
        conn.execute(f"CREATE TABLE {kw} (rowid INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL)")
        cls._create_posting_tables(conn, physical)
        if with_indexes:
            cls._create_indexes(conn, physical)

    @staticmethod
    def _create_posting_tables(conn: sqlite3.Connection, physical: str) -> None:
        """The stored document lists of common terms, and the documents written since (an index made
        before they existed gets them at its next write)."""
        post, dirty = _posting_tables(physical)
        conn.execute(f"CREATE TABLE IF NOT EXISTS {post} (tier INTEGER NOT NULL, term TEXT NOT NULL,"
                     " rowids BLOB NOT NULL, PRIMARY KEY (tier, term)) WITHOUT ROWID")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {dirty} (rowid INTEGER PRIMARY KEY)")

    @staticmethod
    def _create_indexes(conn: sqlite3.Connection, physical: str) -> None:
        """The secondary indexes; a rebuild adds them after loading, which is faster."""
        docs, _, kw = _tables(physical)
        conn.execute(f'CREATE INDEX IF NOT EXISTS {docs[:-1]}_sort" ON {docs} (sort_key)')
        conn.execute(f'CREATE INDEX IF NOT EXISTS {kw[:-1]}_value" ON {kw} (field, value, rowid)')
        conn.execute(f'CREATE INDEX IF NOT EXISTS {kw[:-1]}_row" ON {kw} (rowid, field, value)')

    @staticmethod
    def _drop_tables(conn: sqlite3.Connection, physical: str) -> None:
        for table in (*_tables(physical), *_tier_tables(physical), *_posting_tables(physical),
                      _table(physical, "fts")):  # fts: layout 1
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute("DELETE FROM _physical WHERE physical = ?", (physical,))
        conn.execute("DELETE FROM _generation WHERE physical = ?", (physical,))

    @staticmethod
    def _target(conn: sqlite3.Connection, alias: str) -> str | None:
        row = conn.execute("SELECT physical FROM _aliases WHERE alias = ?", (alias,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def _touch(conn: sqlite3.Connection, physical: str) -> None:
        """Give ``physical`` a new generation (inside the write's transaction): its snapshot is stale."""
        conn.execute("UPDATE _counter SET n = n + 1")
        conn.execute("INSERT OR REPLACE INTO _generation SELECT ?, n FROM _counter", (physical,))

    def _snapshot(self, conn: sqlite3.Connection, physical: str) -> _Snapshot:
        """The in-memory snapshot of ``physical`` at the generation this transaction reads."""
        generation = conn.execute(
            "SELECT c.token, coalesce(g.n, 0) FROM _counter c LEFT JOIN _generation g ON g.physical = ?", (physical,)
        ).fetchone()
        alias = conn.execute("SELECT alias FROM _physical WHERE physical = ?", (physical,)).fetchone()[0]
        with self._snapshot_lock:  # one per alias: a rebuilt index's old snapshot goes with it
            snapshot = self._snapshots.get(alias)
            if snapshot is None or (snapshot.physical, snapshot.generation) != (physical, generation):
                snapshot = self._snapshots[alias] = _Snapshot(conn, physical, generation)
        return snapshot

    def _exists(self, physical: str) -> bool:
        with self._connect() as conn:
            return conn.execute("SELECT 1 FROM _physical WHERE physical = ?", (physical,)).fetchone() is not None

    # --- writing ------------------------------------------------------------------

    def ping(self) -> bool:
        try:
            with self._connect() as conn:
                conn.execute("SELECT count(*) FROM _aliases").fetchone()
            return True
        except (SearchUnavailable, sqlite3.Error):
            return False

    def ensure_index(self, name: str) -> str:
        definition, alias = indexes.get(name), self.alias(name)
        physical = self._new_physical_name(name, self._exists)
        with self._connect() as conn, self._transaction(conn):
            existing = self._target(conn, alias)
            if existing:
                return existing
            self._create_tables(conn, definition, physical)
            conn.execute("INSERT INTO _physical VALUES (?, ?, ?)", (physical, alias, name))
            conn.execute("INSERT INTO _aliases VALUES (?, ?)", (alias, physical))
            self._touch(conn, physical)
        return physical

    def bulk(self, name: str, actions: Iterable[IndexAction], *, refresh: bool = False) -> list[str]:
        definition, alias = indexes.get(name), self.alias(name)
        prepared = _prepare_chunk(name, list(actions))
        if not prepared:
            return []
        with self._connect() as conn:
            if self._target(conn, alias) is None:
                self.ensure_index(name)
            with self._transaction(conn):
                targets = [self._target(conn, alias)]
                rebuilding = conn.execute("SELECT physical FROM _rebuilding WHERE alias = ?", (alias,)).fetchone()
                if rebuilding:
                    targets.append(rebuilding[0])
                for physical in targets:
                    self._touch(conn, physical)
                    self._create_posting_tables(conn, physical)
                    for item in prepared:
                        if not item.failed:
                            self._apply(conn, definition, physical, item)
            live = targets[0]
            if self._dirty_count(conn, live) > self.postings_max_dirty:
                with self._transaction(conn):
                    self._store_postings(conn, live, len(definition.tiers))
                    self._touch(conn, live)
        return [item.id for item in prepared if item.failed]

    @staticmethod
    def _dirty_count(conn: sqlite3.Connection, physical: str) -> int:
        return conn.execute(f"SELECT count(*) FROM {_posting_tables(physical)[1]}").fetchone()[0]

    def _store_postings(self, conn: sqlite3.Connection, physical: str, tier_count: int) -> None:
        """Store afresh, inside the caller's transaction, the document list of every term that at
        least ``postings_min_docs`` documents of a tier hold, and forget the dirty documents."""
        post, dirty = _posting_tables(physical)
        conn.execute(f"DELETE FROM {post}")
        conn.execute(f"DELETE FROM {dirty}")
        common = []
        for number, table in enumerate(_tier_tables(physical, tier_count)):
            conn.execute(f'CREATE VIRTUAL TABLE temp."vocab" USING fts5vocab(main, {table}, row)')
            try:
                common += [(number, table, term) for (term,) in conn.execute(
                    'SELECT term FROM temp."vocab" WHERE doc >= ?', (max(1, self.postings_min_docs),))]
            finally:
                conn.execute('DROP TABLE temp."vocab"')
        if not common:
            return

        def read(part):
            # Other connections read the FTS5 tables as last committed, which this transaction (holding
            # the write lock) has not changed; SQLite works outside the interpreter lock, so two do.
            out = []
            with self._connect() as reader:
                for number, table, term in part:
                    joined = reader.execute(f"SELECT group_concat(rowid) FROM {table} WHERE {table} MATCH ?",
                                            (_fts_string(term),)).fetchone()[0]
                    rowids = _integers(joined)
                    if rowids.size and rowids.max() < 2 ** 32:
                        out.append((number, term, rowids.astype("<u4").tobytes()))
            return out

        with ThreadPoolExecutor(2) as readers:
            for rows in readers.map(read, (common[0::2], common[1::2])):
                conn.executemany(f"INSERT INTO {post} VALUES (?, ?, ?)", rows)

    @staticmethod
    def _apply(conn: sqlite3.Connection, definition: IndexDefinition, physical: str, item: Prepared) -> None:
        """Write one action unless the stored version is newer or equal."""
        docs, src, kw = _tables(physical)
        tiers = _tier_tables(physical, len(definition.tiers))
        live = item.source is not None
        stored = conn.execute(f"SELECT rowid, version, live FROM {docs} WHERE doc_id = ?", (item.id,)).fetchone()
        if stored is not None and stored[1] >= item.version:
            return
        if stored is not None:
            rowid = stored[0]
            if stored[2]:
                for table in (src, *tiers, kw):
                    conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
            conn.execute(f"UPDATE {docs} SET version = ?, live = ? WHERE rowid = ?", (item.version, live, rowid))
        else:
            rowid = conn.execute(
                f"INSERT INTO {docs} (doc_id, sort_key, version, live) VALUES (?, ?, ?, ?)",
                (item.id, sort_key(item.id), item.version, live),
            ).lastrowid
        conn.execute(f"INSERT OR IGNORE INTO {_posting_tables(physical)[1]} VALUES (?)", (rowid,))
        if live:
            conn.execute(f"INSERT INTO {src} VALUES (?, ?)", (rowid, item.source))
            for table, terms in zip(tiers, item.columns):
                if terms:
                    conn.execute(f"INSERT INTO {table} (rowid, terms) VALUES (?, ?)", (rowid, terms))
            conn.executemany(f"INSERT INTO {kw} VALUES (?, ?, ?)", [(rowid, f, v) for f, v in item.keywords])

    def _write_chunk(
        self, conn: sqlite3.Connection, definition: IndexDefinition, physical: str, prepared: list[Prepared]
    ) -> None:
        """Write a rebuild chunk: new ids in a few statements, the rest one by one."""
        docs, src, kw = _tables(physical)
        tiers = _tier_tables(physical, len(definition.tiers))
        ids = [item.id for item in prepared]
        marks = ", ".join("?" for _ in ids)
        taken = {row[0] for row in conn.execute(f"SELECT doc_id FROM {docs} WHERE doc_id IN ({marks})", ids)}
        fresh, others = [], []
        for item in prepared:
            if item.failed:
                continue
            (others if item.id in taken else fresh).append(item)
            taken.add(item.id)
        rowid = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {docs}").fetchone()[0]
        doc_rows, src_rows, kw_rows = [], [], []
        tier_rows: list[list[tuple[int, str]]] = [[] for _ in tiers]
        for item in fresh:
            rowid += 1
            doc_rows.append((rowid, item.id, sort_key(item.id), item.version, item.source is not None))
            if item.source is not None:
                src_rows.append((rowid, item.source))
                for rows, terms in zip(tier_rows, item.columns):
                    if terms:
                        rows.append((rowid, terms))
                kw_rows.extend((rowid, field, value) for field, value in item.keywords)
        conn.executemany(f"INSERT INTO {docs} (rowid, doc_id, sort_key, version, live) VALUES (?, ?, ?, ?, ?)", doc_rows)
        conn.executemany(f"INSERT INTO {src} VALUES (?, ?)", src_rows)
        for table, rows in zip(tiers, tier_rows):
            conn.executemany(f"INSERT INTO {table} (rowid, terms) VALUES (?, ?)", rows)
        conn.executemany(f"INSERT INTO {kw} VALUES (?, ?, ?)", kw_rows)
        for item in others:
            self._apply(conn, definition, physical, item)

    def rebuild(self, name: str, documents: Iterable[tuple[str, int, Mapping[str, Any]]]) -> str:
        definition, alias = indexes.get(name), self.alias(name)
        physical = self._new_physical_name(name, self._exists)
        with self._connect() as conn:
            with self._transaction(conn):
                stale = conn.execute("SELECT physical FROM _rebuilding WHERE alias = ?", (alias,)).fetchone()
                if stale and stale[0] != self._target(conn, alias):
                    self._drop_tables(conn, stale[0])
                self._create_tables(conn, definition, physical, with_indexes=False)
                conn.execute("INSERT INTO _physical VALUES (?, ?, ?)", (physical, alias, name))
                conn.execute("INSERT OR REPLACE INTO _rebuilding VALUES (?, ?)", (alias, physical))
            try:
                failed: list[str] = []
                actions = (IndexAction(doc_id, version, document) for doc_id, version, document in documents)
                for prepared in map_chunks(_prepare_chunk, name, chunked(actions, CHUNK_SIZE), self.workers):
                    with self._transaction(conn):
                        self._write_chunk(conn, definition, physical, prepared)
                    failed += [item.id for item in prepared if item.failed]
                if failed:
                    raise RebuildFailed(failed)
                with self._transaction(conn):
                    self._create_indexes(conn, physical)
                    self._store_postings(conn, physical, len(definition.tiers))
            except BaseException:
                with self._transaction(conn):
                    conn.execute("DELETE FROM _rebuilding WHERE alias = ? AND physical = ?", (alias, physical))
                    self._drop_tables(conn, physical)
                raise
            with self._transaction(conn):
                old = self._target(conn, alias)
                conn.execute("INSERT OR REPLACE INTO _aliases VALUES (?, ?)", (alias, physical))
                conn.execute("DELETE FROM _rebuilding WHERE alias = ?", (alias,))
                self._touch(conn, physical)
                if old and old != physical:
                    self._drop_tables(conn, old)
        return physical

    def delete_all(self) -> None:
        like = self.prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._connect() as conn, self._transaction(conn):
            for (physical,) in conn.execute(
                "SELECT physical FROM _physical WHERE alias LIKE ? ESCAPE '\\'", (like,)
            ).fetchall():
                self._drop_tables(conn, physical)
            conn.execute("DELETE FROM _aliases WHERE alias LIKE ? ESCAPE '\\'", (like,))
            conn.execute("DELETE FROM _rebuilding WHERE alias LIKE ? ESCAPE '\\'", (like,))

    # --- reading ------------------------------------------------------------------

    def count(self, name: str) -> int:
        with self._connect() as conn:
            physical = self._target(conn, self.alias(name))
            if physical is None:
                return 0
            docs = _tables(physical)[0]
            return conn.execute(f"SELECT count(*) FROM {docs} WHERE live").fetchone()[0]

    def search(self, name: str, query: SearchQuery) -> SearchResult:
        """FTS5 finds each query term's documents per tier; matching, filters, facets, scores and
        order are array operations over an in-memory ``_Snapshot`` of the index."""
        resolved = self.resolve(name, query)
        with self._connect() as conn, self._transaction(conn, "DEFERRED"):
            physical = self._target(conn, self.alias(name))
            if physical is None:
                return self.empty_result(resolved)
            snapshot = self._snapshot(conn, physical)
            docs, src, _ = _tables(physical)
            hits = np.ones(snapshot.size, dtype=bool)
            for field, values in resolved.filters.items():
                hits &= snapshot.having(conn, field, values)
            scores = None
            if not resolved.parsed.is_empty:
                tiers = _tier_tables(physical, len(resolved.definition.tiers))
                lists = self._match(conn, snapshot, tiers, resolved.parsed.terms, hits)
                if hits.any():
                    scores = self._scores(conn, snapshot, resolved, tiers, lists)
            ranks = np.flatnonzero(hits)
            facets = {field: snapshot.facet(conn, field, hits) for field in resolved.facets}
            found = []
            if query.offset < MAX_RESULT_WINDOW and ranks.size:
                size = min(query.per_page, MAX_RESULT_WINDOW - query.offset)
                page = self._ordered(conn, snapshot, resolved, ranks, scores)[query.offset:query.offset + size]
                rowids = [int(rowid) for rowid in snapshot.rowids[page]]
                marks = ", ".join("?" for _ in rowids)
                stored = {
                    rowid: (doc_id, source)
                    for rowid, doc_id, source in conn.execute(
                        f"SELECT d.rowid, d.doc_id, s.source FROM {docs} d JOIN {src} s ON s.rowid = d.rowid"
                        f" WHERE d.rowid IN ({marks})",
                        rowids,
                    )
                }
                found = [(stored[rowid], 0 if scores is None else int(scores[rank])) for rowid, rank in zip(rowids, page)]
        hits_out = [self.make_hit(resolved, doc_id, score, json.loads(source)) for (doc_id, source), score in found]
        return SearchResult(int(ranks.size), hits_out, facets, query.page, query.per_page)

    def _match(self, conn: sqlite3.Connection, snapshot: _Snapshot, tiers: list[str], terms, hits: np.ndarray):
        """Keep in ``hits`` the documents holding every term in some tier.

        Terms are looked up cached ones first, then the likely rarer ones (longer, less common in
        Chinese). Once at most ``narrow_hits`` documents are left, the remaining terms are checked
        in those documents' own term lists, which are then returned (rank -> one " term term "
        string per tier): reading a few hundred lists beats reading the document list of a term
        that nearly every document holds (业, 技术), which costs tens of milliseconds.
        """
        pending = sorted(terms, key=lambda t: (not snapshot.knows(tiers, t), len(t) < 2, word_frequency(t), t))
        while pending and hits.any():
            if not snapshot.knows(tiers, pending[0]) and np.count_nonzero(hits) <= self.narrow_hits:
                break
            term = pending.pop(0)
            hits &= np.logical_or.reduce([snapshot.term(conn, table, term) for table in tiers])
        if not pending or not hits.any():
            return None
        ranks = np.flatnonzero(hits)
        rowids = [int(rowid) for rowid in snapshot.rowids[ranks]]
        rank_of = dict(zip(rowids, ranks.tolist()))
        lists = {rank: [""] * len(tiers) for rank in rank_of.values()}
        marks = ", ".join("?" for _ in rowids)
        for number, table in enumerate(tiers):
            for rowid, text in conn.execute(f"SELECT rowid, terms FROM {table} WHERE rowid IN ({marks})", rowids):
                lists[rank_of[rowid]][number] = f" {text} "
        for rank, texts in lists.items():
            if not all(any(f" {term} " in text for text in texts) for term in pending):
                hits[rank] = False
        return lists

    @staticmethod
    def _scores(conn: sqlite3.Connection, snapshot: _Snapshot, resolved: ResolvedQuery, tiers: list[str],
                lists: dict[int, list[str]] | None) -> np.ndarray:
        """Each document's score: per clause, the boost of the best tier holding all its terms, summed
        (from the hits' term lists when ``_match`` read them, else from the terms' look-ups)."""
        definition = resolved.definition
        boosts = [definition.tier_boost(tier) for tier in definition.tiers]
        total = np.zeros(snapshot.size, dtype=np.int32)
        if lists is not None:
            for rank, texts in lists.items():
                total[rank] = sum(
                    next((boost for text, boost in zip(texts, boosts) if all(f" {t} " in text for t in clause)), 0)
                    for clause in resolved.parsed.clauses
                )
            return total
        for clause in resolved.parsed.clauses:
            best = np.zeros(snapshot.size, dtype=np.int32)
            for table, boost in reversed(list(zip(tiers, boosts))):  # lowest boost first, higher ones overwrite
                best[np.logical_and.reduce([snapshot.term(conn, table, term) for term in clause])] = boost
            total += best
        return total

    @staticmethod
    def _ordered(conn, snapshot: _Snapshot, resolved: ResolvedQuery, ranks: np.ndarray, scores) -> np.ndarray:
        """The hits' ranks in result order (``ranks`` comes in id order)."""
        if resolved.sort is None:
            rank = resolved.definition.rank_field
            if rank is None:
                return ranks if scores is None else ranks[np.argsort(-scores[ranks], kind="stable")]
            codes = snapshot.sort_codes(conn, rank)[ranks]  # -1 where the field is missing: last
            tiers = np.where(codes < 0, np.iinfo(np.int32).max, codes)
            relevance = np.zeros(ranks.size, dtype=np.int64) if scores is None else -scores[ranks].astype(np.int64)
            return ranks[np.lexsort((relevance, tiers))]  # stable: ties stay in id order
        key, descending = resolved.sort
        if key == "id":
            return ranks[::-1] if descending else ranks
        codes = snapshot.sort_codes(conn, key)[ranks]  # -1 where the field is missing
        primary = np.where(codes < 0, np.iinfo(np.int32).max, -codes if descending else codes)
        return ranks[np.argsort(primary, kind="stable")]


def _integers(joined: str | None) -> np.ndarray:
    """SQLite's ``group_concat`` of integers as an array: one string crosses into Python, not one row each."""
    if not joined:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")


class _Snapshot:
    """One generation of a physical index, held in memory for filtering, facets and ordering.

    Live documents are numbered by *rank*, their position in id order. Keyword fields and sort
    keys are loaded on first use. A snapshot is only used while the index's generation (bumped
    by every write, see ``EmbeddedBackend._touch``) is the one it was built at, so it never
    disagrees with the tables a search reads in the same transaction.
    """

    def __init__(self, conn: sqlite3.Connection, physical: str, generation: tuple):
        self.physical, self.generation = physical, generation
        docs = _tables(physical)[0]
        self.rowids = _integers(
            conn.execute(f"SELECT group_concat(rowid) FROM (SELECT rowid FROM {docs} WHERE live ORDER BY sort_key)").fetchone()[0]
        )
        self.size = int(self.rowids.size)
        self.rank_of = np.full(int(self.rowids.max(initial=0)) + 1, -1, dtype=np.int64)
        self.rank_of[self.rowids] = np.arange(self.size)
        self._fields: dict[str, tuple[dict[str, int], list[str], np.ndarray, np.ndarray]] = {}
        self._sorts: dict[str, np.ndarray] = {}
        self._masks: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        # The stored lists of common terms, and the live documents written since they were stored.
        post, dirty = _posting_tables(physical)
        self._posted: set[tuple[str, str]] = set()
        self._dirty = np.empty(0, dtype=np.int64)
        self._dirty_terms: dict[str, dict[int, str]] = {}
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (dirty[1:-1],)).fetchone():
            tiers = _tier_tables(physical)
            self._posted = {(tiers[number], term) for number, term in conn.execute(f"SELECT tier, term FROM {post}")}
            self._dirty = self.ranks(_integers(conn.execute(f"SELECT group_concat(rowid) FROM {dirty}").fetchone()[0]))

    def ranks(self, rowids: np.ndarray) -> np.ndarray:
        rowids = rowids[rowids < self.rank_of.size]
        ranks = self.rank_of[rowids]
        return ranks[ranks >= 0]

    def mask(self, ranks: np.ndarray) -> np.ndarray:
        out = np.zeros(self.size, dtype=bool)
        out[ranks] = True
        return out

    def knows(self, tables: list[str], term: str) -> bool:
        """Whether ``term`` is cached for every tier table (so using it costs nothing)."""
        return all((table, term) in self._masks for table in tables)

    def term(self, conn: sqlite3.Connection, table: str, term: str) -> np.ndarray:
        """Which documents hold ``term`` in the tier FTS5 ``table``; the latest look-ups are kept,
        as Elasticsearch caches its filters, because a term list of most documents costs a few
        milliseconds to read and popular words come back in query after query."""
        def look_up():
            if (table, term) in self._posted:
                return self._posted_mask(conn, table, term)
            joined = conn.execute(f"SELECT group_concat(rowid) FROM {table} WHERE {table} MATCH ?",
                                  (_fts_string(term),)).fetchone()[0]
            return self.mask(self.ranks(_integers(joined)))

        return self._cached((table, term), look_up)

    def _posted_mask(self, conn: sqlite3.Connection, table: str, term: str) -> np.ndarray:
        """A common term's documents from its stored list, the documents written since checked against
        their own terms (a deleted one is no longer live, so it has no rank)."""
        post = _posting_tables(self.physical)[0]
        number = _tier_tables(self.physical).index(table)
        blob = conn.execute(f"SELECT rowids FROM {post} WHERE tier = ? AND term = ?", (number, term)).fetchone()[0]
        mask = self.mask(self.ranks(np.frombuffer(blob, dtype="<u4").astype(np.int64)))
        if self._dirty.size:
            texts = self._dirty_lists(conn, table)
            padded = f" {term} "
            mask[self._dirty] = [padded in texts.get(int(rank), "") for rank in self._dirty]
        return mask

    def _dirty_lists(self, conn: sqlite3.Connection, table: str) -> dict[int, str]:
        """rank -> " term term " of the documents written since the lists were stored, for one tier."""
        if table not in self._dirty_terms:
            rowids = [int(rowid) for rowid in self.rowids[self._dirty]]
            texts = {}
            for start in range(0, len(rowids), 500):
                part = rowids[start:start + 500]
                marks = ", ".join("?" for _ in part)
                for rowid, text in conn.execute(f"SELECT rowid, terms FROM {table} WHERE rowid IN ({marks})", part):
                    texts[int(self.rank_of[rowid])] = f" {text} "
            self._dirty_terms[table] = texts
        return self._dirty_terms[table]

    def _cached(self, key: tuple, compute) -> np.ndarray:
        """A mask from the snapshot's cache (least recently used dropped past TERM_CACHE_BYTES)."""
        with self._lock:
            mask = self._masks.get(key)
            if mask is not None:
                self._masks.move_to_end(key)
                return mask
        mask = compute()
        with self._lock:
            self._masks[key] = mask
            while len(self._masks) * max(self.size, 1) > TERM_CACHE_BYTES:
                self._masks.popitem(last=False)
        return mask

    def field(self, conn: sqlite3.Connection, name: str):
        """(value -> code, values by code, rank of each entry, code of each entry) of a keyword field;
        codes follow the values' order, so sorting codes sorts values."""
        if name not in self._fields:
            kw = _tables(self.physical)[2]
            values, ranks, codes = [], [], []
            for code, (value, joined) in enumerate(conn.execute(
                f"SELECT value, group_concat(rowid) FROM {kw} WHERE field = ? GROUP BY value ORDER BY value", (name,)
            )):
                values.append(value)
                found = self.ranks(_integers(joined))
                ranks.append(found)
                codes.append(np.full(found.size, code, dtype=np.int64))
            self._fields[name] = (
                {value: code for code, value in enumerate(values)},
                values,
                np.concatenate(ranks) if ranks else np.empty(0, dtype=np.int64),
                np.concatenate(codes) if codes else np.empty(0, dtype=np.int64),
            )
        return self._fields[name]

    def having(self, conn: sqlite3.Connection, name: str, values: list[str]) -> np.ndarray:
        """Which documents have any of ``values`` in keyword field ``name``."""
        def select():
            code_of, _, ranks, codes = self.field(conn, name)
            wanted = [code_of[value] for value in values if value in code_of]
            return self.mask(ranks[np.isin(codes, wanted)])

        return self._cached(("=", name, *sorted(values)), select)

    def facet(self, conn: sqlite3.Connection, name: str, hits: np.ndarray) -> list[tuple[str, int]]:
        """The values of ``name`` among ``hits``: count descending, then value, at most FACET_SIZE."""
        _, values, ranks, codes = self.field(conn, name)
        counts = np.bincount(codes[hits[ranks]], minlength=len(values))
        present = np.flatnonzero(counts)
        top = present[np.lexsort((present, -counts[present]))][:FACET_SIZE]
        return [(values[code], int(counts[code])) for code in top]

    def sort_codes(self, conn: sqlite3.Connection, key: str) -> np.ndarray:
        """Per rank, the position of the document's ``key`` among the distinct values (-1 if missing),
        compared as text as Elasticsearch compares keywords."""
        if key not in self._sorts:
            docs, src, _ = _tables(self.physical)
            text_of = dict(conn.execute(
                f"SELECT d.rowid, CAST(json_extract(s.source, '$.' || ?) AS TEXT) FROM {docs} d"
                f" JOIN {src} s ON s.rowid = d.rowid WHERE d.live", (key,)
            ))
            texts = [text_of.get(int(rowid)) for rowid in self.rowids]
            code_of = {value: code for code, value in enumerate(sorted({t for t in texts if t is not None}))}
            self._sorts[key] = np.array([-1 if t is None else code_of[t] for t in texts], dtype=np.int64)
        return self._sorts[key]
