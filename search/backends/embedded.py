"""Search in a local SQLite file with FTS5: no server, same results as Elasticsearch.

Each physical index is four tables: ``<p>_docs`` (id, order key, version and
whether the document is live; a deleted one stays as a tombstone that keeps its
version), ``<p>_src`` (the source JSON of live documents, apart so that the
small ``docs`` rows scan fast), ``<p>_fts`` (an FTS5 table with one column per
field tier holding that tier's terms, see ``search.text`` and
``IndexDefinition.tiers``) and ``<p>_kw`` (one row per keyword-field value, for
filters and facets). ``_aliases`` maps an alias to its
physical index and ``_rebuilding`` to the index a running rebuild fills, which
``bulk`` writes to as well. Every call opens its own connection (WAL mode), so
the backend is safe across threads and processes; a search reads one
consistent snapshot, so a rebuild's swap never shows half-way.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

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

CHUNK_SIZE = 2000


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
    columns = [" ".join(terms[tier]) for tier in definition.tiers]
    rows = [(field, value) for field, values in keywords.items() for value in values]
    return Prepared(action.id, action.version, source_json, columns, rows)


def _prepare_chunk(name: str, actions: list[IndexAction]) -> list[Prepared]:
    definition = indexes.get(name)
    return [_prepare(definition, action) for action in actions]


def _table(physical: str, kind: str) -> str:
    return '"ix_' + re.sub(r"[^a-z0-9]", "_", physical) + "_" + kind + '"'


def _tables(physical: str) -> tuple[str, str, str, str]:
    return _table(physical, "docs"), _table(physical, "src"), _table(physical, "fts"), _table(physical, "kw")


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _all_of(terms: Iterable[str]) -> str:
    return "(" + " AND ".join(_fts_string(term) for term in terms) + ")"


class EmbeddedBackend(SearchBackend):
    kind = "embedded"

    def __init__(self, path: str | Path, *, prefix: str = "", timeout: float = 10.0, workers: int | None = None):
        """``path`` is the SQLite file (created if missing); ``workers`` the processes a big rebuild
        prepares documents in (default: one less than the CPUs, at most 4; 0 = none)."""
        super().__init__(prefix=prefix)
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
        docs, src, fts, kw = _tables(physical)
        conn.execute(
            f"CREATE TABLE {docs} (rowid INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE,"
            " sort_key TEXT NOT NULL, version INTEGER NOT NULL, live INTEGER NOT NULL)"
        )
        conn.execute(f"CREATE TABLE {src} (rowid INTEGER PRIMARY KEY, source TEXT NOT NULL)")
        columns = ", ".join(definition.tiers)
        conn.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, tokenize='unicode61 remove_diacritics 0')")
        conn.execute(f"CREATE TABLE {kw} (rowid INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL)")
        if with_indexes:
            cls._create_indexes(conn, physical)

    @staticmethod
    def _create_indexes(conn: sqlite3.Connection, physical: str) -> None:
        """The secondary indexes; a rebuild adds them after loading, which is faster."""
        docs, _, _, kw = _tables(physical)
        conn.execute(f'CREATE INDEX IF NOT EXISTS {docs[:-1]}_sort" ON {docs} (sort_key)')
        conn.execute(f'CREATE INDEX IF NOT EXISTS {kw[:-1]}_value" ON {kw} (field, value, rowid)')
        conn.execute(f'CREATE INDEX IF NOT EXISTS {kw[:-1]}_row" ON {kw} (rowid, field, value)')

    @staticmethod
    def _drop_tables(conn: sqlite3.Connection, physical: str) -> None:
        for table in _tables(physical):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute("DELETE FROM _physical WHERE physical = ?", (physical,))

    @staticmethod
    def _target(conn: sqlite3.Connection, alias: str) -> str | None:
        row = conn.execute("SELECT physical FROM _aliases WHERE alias = ?", (alias,)).fetchone()
        return row[0] if row else None

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
                    for item in prepared:
                        if not item.failed:
                            self._apply(conn, definition, physical, item)
        return [item.id for item in prepared if item.failed]

    @staticmethod
    def _apply(conn: sqlite3.Connection, definition: IndexDefinition, physical: str, item: Prepared) -> None:
        """Write one action unless the stored version is newer or equal."""
        docs, src, fts, kw = _tables(physical)
        live = item.source is not None
        stored = conn.execute(f"SELECT rowid, version, live FROM {docs} WHERE doc_id = ?", (item.id,)).fetchone()
        if stored is not None and stored[1] >= item.version:
            return
        if stored is not None:
            rowid = stored[0]
            if stored[2]:
                for table in (src, fts, kw):
                    conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
            conn.execute(f"UPDATE {docs} SET version = ?, live = ? WHERE rowid = ?", (item.version, live, rowid))
        else:
            rowid = conn.execute(
                f"INSERT INTO {docs} (doc_id, sort_key, version, live) VALUES (?, ?, ?, ?)",
                (item.id, sort_key(item.id), item.version, live),
            ).lastrowid
        if live:
            conn.execute(f"INSERT INTO {src} VALUES (?, ?)", (rowid, item.source))
            marks = ", ".join("?" for _ in item.columns)
            columns = ", ".join(definition.tiers)
            conn.execute(f"INSERT INTO {fts} (rowid, {columns}) VALUES (?, {marks})", (rowid, *item.columns))
            conn.executemany(f"INSERT INTO {kw} VALUES (?, ?, ?)", [(rowid, f, v) for f, v in item.keywords])

    def _write_chunk(
        self, conn: sqlite3.Connection, definition: IndexDefinition, physical: str, prepared: list[Prepared]
    ) -> None:
        """Write a rebuild chunk: new ids in a few statements, the rest one by one."""
        docs, src, fts, kw = _tables(physical)
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
        doc_rows, src_rows, fts_rows, kw_rows = [], [], [], []
        for item in fresh:
            rowid += 1
            doc_rows.append((rowid, item.id, sort_key(item.id), item.version, item.source is not None))
            if item.source is not None:
                src_rows.append((rowid, item.source))
                fts_rows.append((rowid, *item.columns))
                kw_rows.extend((rowid, field, value) for field, value in item.keywords)
        conn.executemany(f"INSERT INTO {docs} (rowid, doc_id, sort_key, version, live) VALUES (?, ?, ?, ?, ?)", doc_rows)
        conn.executemany(f"INSERT INTO {src} VALUES (?, ?)", src_rows)
        if fts_rows:
            marks = ", ".join("?" for _ in fts_rows[0])
            columns = ", ".join(definition.tiers)
            conn.executemany(f"INSERT INTO {fts} (rowid, {columns}) VALUES ({marks})", fts_rows)
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
            except BaseException:
                with self._transaction(conn):
                    conn.execute("DELETE FROM _rebuilding WHERE alias = ? AND physical = ?", (alias, physical))
                    self._drop_tables(conn, physical)
                raise
            with self._transaction(conn):
                old = self._target(conn, alias)
                conn.execute("INSERT OR REPLACE INTO _aliases VALUES (?, ?)", (alias, physical))
                conn.execute("DELETE FROM _rebuilding WHERE alias = ?", (alias,))
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
        resolved = self.resolve(name, query)
        with self._connect() as conn, self._transaction(conn, "DEFERRED"):
            physical = self._target(conn, self.alias(name))
            if physical is None:
                return self.empty_result(resolved)
            docs, src, fts, kw = _tables(physical)
            score, score_params = "0", []
            where, params = ["d.live"], []
            if not resolved.parsed.is_empty:
                where.append(f"d.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)")
                params.append(" AND ".join(_fts_string(term) for term in sorted(resolved.parsed.terms)))
                score = " + ".join(
                    self._clause_score(resolved.definition, fts, clause, score_params) for clause in resolved.parsed.clauses
                )
            for field, values in resolved.filters.items():
                marks = ", ".join("?" for _ in values)
                where.append(f"d.rowid IN (SELECT rowid FROM {kw} WHERE field = ? AND value IN ({marks}))")
                params.extend([field, *values])
            conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS hits (rid INTEGER PRIMARY KEY, score REAL NOT NULL, sort_key TEXT NOT NULL)"
            )
            conn.execute("DELETE FROM temp.hits")
            conn.execute(
                f"INSERT INTO temp.hits SELECT d.rowid, {score}, d.sort_key FROM {docs} d WHERE {' AND '.join(where)}",
                score_params + params,
            )
            total = conn.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
            hits = []
            if query.offset < MAX_RESULT_WINDOW:
                size = min(query.per_page, MAX_RESULT_WINDOW - query.offset)
                order, needs_source = self._order(resolved)
                page = (
                    f"SELECT h.rid, h.score FROM temp.hits h"
                    f"{f' JOIN {src} s ON s.rowid = h.rid' if needs_source else ''}"
                    f" ORDER BY {order} LIMIT ? OFFSET ?"
                )
                ranked = conn.execute(page, (size, query.offset)).fetchall()
                marks = ", ".join("?" for _ in ranked)
                found = {
                    rowid: (doc_id, source)
                    for rowid, doc_id, source in conn.execute(
                        f"SELECT d.rowid, d.doc_id, s.source FROM {docs} d JOIN {src} s ON s.rowid = d.rowid"
                        f" WHERE d.rowid IN ({marks})",
                        [rowid for rowid, _ in ranked],
                    )
                }
                hits = [
                    self.make_hit(resolved, found[rowid][0], score, json.loads(found[rowid][1]))
                    for rowid, score in ranked
                ]
            facets = {
                field: conn.execute(
                    f"SELECT k.value, count(*) AS n FROM temp.hits h JOIN {kw} k ON k.rowid = h.rid"
                    " WHERE k.field = ? GROUP BY k.value ORDER BY n DESC, k.value LIMIT ?",
                    (field, FACET_SIZE),
                ).fetchall()
                for field in resolved.facets
            }
            conn.execute("DELETE FROM temp.hits")
        return SearchResult(total, hits, {f: [tuple(row) for row in rows] for f, rows in facets.items()},
                            query.page, query.per_page)

    @staticmethod
    def _clause_score(definition: IndexDefinition, fts: str, clause: tuple[str, ...], params: list) -> str:
        """SQL for one clause's score: the boost of the best tier holding all its terms."""
        cases = []
        for tier in definition.tiers:
            cases.append(f"WHEN d.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?) THEN {definition.tier_boost(tier)}")
            params.append(f"{tier} : {_all_of(clause)}")
        return "(CASE " + " ".join(cases) + " ELSE 0 END)"

    @staticmethod
    def _order(resolved: ResolvedQuery) -> tuple[str, bool]:
        """ORDER BY over temp.hits h (and the source s when the second value is true)."""
        if resolved.sort is None:
            return ("h.sort_key" if resolved.parsed.is_empty else "h.score DESC, h.sort_key"), False
        key, descending = resolved.sort
        direction = "DESC" if descending else "ASC"
        if key == "id":
            return f"h.sort_key {direction}", False
        return f"CAST(json_extract(s.source, '$.{key}') AS TEXT) {direction} NULLS LAST, h.sort_key", True

