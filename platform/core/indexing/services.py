"""Search as derived data (STYLE 5): the outbox, the indexer, reindexing and status.

A model joins the search index by declaring `__search_index__` (the logical index name), a
`version` column used as its mapper's version_id_col, and a classmethod
`search_document(row) -> dict | None` (None: the row is not public and leaves the index).
Every flush that inserts, updates or deletes such a row writes an IndexQueue row in the same
transaction, so a write never waits for search and nothing is lost while the engine is down.
"""
import logging
import threading

from flask import current_app
from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.orm import Session

from search import IndexAction, SearchUnavailable, make_backend, mapping_version
from search.indexes import INDEXES

from ..extensions import db
from .models import IndexQueue

log = logging.getLogger(__name__)
BATCH = 500
INDEXED_MODELS: dict[str, type] = {}


def indexed(model: type) -> type:
    """Class decorator: register a model as the source of its search index."""
    INDEXED_MODELS[model.__search_index__] = model
    return model


# --- the outbox --------------------------------------------------------------------------------

@event.listens_for(Session, "after_flush")
def _enqueue_changes(session, flush_context):
    rows = []
    for obj in list(session.new) + list(session.dirty):
        index = getattr(type(obj), "__search_index__", None)
        if index and (obj in session.new or session.is_modified(obj)):
            rows.append({"index_name": index, "doc_id": str(obj.id), "version": obj.version})
    for obj in session.deleted:
        index = getattr(type(obj), "__search_index__", None)
        if index:
            rows.append({"index_name": index, "doc_id": str(obj.id), "version": obj.version + 1})
    if rows:
        session.connection().execute(insert(IndexQueue), rows)
        session.info["search_changed"] = True


@event.listens_for(Session, "after_commit")
def _wake_indexer(session):
    if session.info.pop("search_changed", False):
        indexer = current_app.extensions.get("search_indexer") if current_app else None
        if indexer is not None:
            indexer.wake()


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session, previous_transaction):
    session.info.pop("search_changed", None)


# --- the backend -------------------------------------------------------------------------------

def backend():
    """The application's search backend (one per application, created on first use)."""
    app = current_app._get_current_object()
    existing = app.extensions.get("search_backend")
    if existing is None:
        config = app.config
        existing = make_backend(config["SEARCH_BACKEND"], url=config["ELASTICSEARCH_URL"],
                                path=config["SEARCH_EMBEDDED_PATH"], prefix=config["SEARCH_INDEX_PREFIX"])
        app.extensions["search_backend"] = existing
    return existing


def documents(index: str, ids: list[int]) -> dict[str, tuple[int, dict | None]]:
    """Reload rows by id and build their documents: id -> (version, document or None)."""
    model = INDEXED_MODELS[index]
    rows = db.session.scalars(select(model).where(model.id.in_(ids)))
    return {str(row.id): (row.version, model.search_document(row)) for row in rows}


def outdated_indexes() -> list[str]:
    """Indexes whose live physical index has an older mapping version than the code's (created if
    missing): their documents would not fit it, so they wait for `reindex`. Raises SearchUnavailable."""
    search = backend()
    return [index for index in INDEXED_MODELS
            if mapping_version(search.ensure_index(index)) != INDEXES[index].version]


def drain(limit: int | None = None) -> dict:
    """Send queued changes to the engine in bulk; what fails stays queued. Commits as it goes.

    Changes to an index with an outdated mapping stay queued too (listed under "outdated") until
    it is rebuilt: `flask search reindex`, or the scheduled drain, which rebuilds it first.
    """
    sent = failed = 0
    search = backend()
    try:
        outdated = outdated_indexes()
    except SearchUnavailable:
        log.warning("search engine unavailable; changes stay queued")
        return {"sent": 0, "failed": 0, "queued": queue_length(), "unavailable": True, "outdated": []}
    if outdated:
        log.warning("search index mapping outdated (%s); its changes stay queued until it is rebuilt",
                    ", ".join(outdated))
    while True:
        batch = list(db.session.scalars(select(IndexQueue).where(IndexQueue.index_name.not_in(outdated))
                                        .order_by(IndexQueue.id).limit(BATCH)))
        if not batch:
            break
        by_index: dict[str, dict[str, int]] = {}
        for row in batch:
            versions = by_index.setdefault(row.index_name, {})
            versions[row.doc_id] = max(row.version, versions.get(row.doc_id, 0))
        last_id = batch[-1].id
        failed_docs: set[tuple[str, str]] = set()
        for index, queued in by_index.items():
            current = documents(index, [int(doc_id) for doc_id in queued])
            actions = []
            for doc_id, queued_version in queued.items():
                version, document = current.get(doc_id, (queued_version, None))
                actions.append(IndexAction(doc_id, max(version, queued_version) if document is None else version,
                                           document))
            try:
                failures = search.bulk(index, actions, refresh=current_app.config.get("SEARCH_REFRESH_ON_WRITE", False))
            except SearchUnavailable:
                db.session.rollback()
                log.warning("search engine unavailable; %d changes stay queued", len(batch))
                return {"sent": sent, "failed": failed, "queued": queue_length(), "unavailable": True,
                        "outdated": outdated}
            failed_docs |= {(index, doc_id) for doc_id in failures}
        done = [row.id for row in batch if (row.index_name, row.doc_id) not in failed_docs]
        db.session.execute(delete(IndexQueue).where(IndexQueue.id.in_(done)))
        if failed_docs:
            db.session.execute(update(IndexQueue).where(IndexQueue.id <= last_id, IndexQueue.id.not_in(done))
                               .values(attempts=IndexQueue.attempts + 1))
        db.session.commit()
        sent += len(done)
        failed += len(batch) - len(done)
        if failed_docs or (limit and sent >= limit):
            break
    return {"sent": sent, "failed": failed, "queued": queue_length(), "unavailable": False, "outdated": outdated}


def queue_length() -> int:
    return db.session.scalar(select(func.count(IndexQueue.id)))


def reindex(index: str) -> str:
    """Rebuild the index from the database into a new physical index and swap the alias."""
    model = INDEXED_MODELS[index]

    def rows():
        last = 0
        while True:
            chunk = list(db.session.scalars(select(model).where(model.id > last).order_by(model.id).limit(2000)))
            if not chunk:
                return
            for row in chunk:
                document = model.search_document(row)
                if document is not None:
                    yield str(row.id), row.version, document
            last = chunk[-1].id
            db.session.expunge_all()

    return backend().rebuild(index, rows())


def status() -> list[dict]:
    """Per index: documents the database says are public, documents in the engine, queue length,
    and whether its mapping is outdated (None when the engine is down)."""
    out = []
    search = backend()
    try:
        outdated = set(outdated_indexes())
    except SearchUnavailable:
        outdated = None
    for index, model in INDEXED_MODELS.items():
        expected = db.session.scalar(select(func.count(model.id)).where(model.search_filter()))
        try:
            indexed_count = search.count(index)
        except SearchUnavailable:
            indexed_count = None
        queued = db.session.scalar(select(func.count(IndexQueue.id)).where(IndexQueue.index_name == index))
        out.append({"index": index, "database": expected, "engine": indexed_count, "queued": queued,
                    "outdated": None if outdated is None else index in outdated})
    return out


class BackgroundIndexer:
    """Drains the queue soon after a commit that changed indexed rows, off the request thread."""

    def __init__(self, app):
        self.app = app
        self._event = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="search-indexer", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._event.set()

    def _loop(self) -> None:
        while True:
            self._event.wait()
            self._event.clear()
            try:
                with self.app.app_context():
                    drain()
            except Exception:  # the scheduled drain retries; never let this thread die
                log.exception("background indexing failed")


def drain_job(as_of) -> str:
    """The scheduler's entry (every minute): send what waits; after an upgrade that changed a
    mapping, rebuild that index first and then send what waited."""
    result = drain()
    rebuilt = result["outdated"]
    for index in rebuilt:
        reindex(index)
    if rebuilt:
        result = drain()
    return (("已按新映射重建索引 " + "、".join(rebuilt) + "；" if rebuilt else "")
            + f"已同步 {result['sent']} 条，队列剩余 {result['queued']} 条"
            + ("（搜索服务不可用）" if result["unavailable"] else ""))
