"""Public pages answered from memory while nothing they show has changed (the load goals, issue 17).

An anonymous GET of a public page or API read (no session or remember-me cookie, no Authorization
header) is kept, per process, under its path and query, the Beijing date and the database's *stamp*.
The stamp is one row (`cache_stamps`) that every transaction which writes anything a public page
could show sets to a new random value, in that same transaction, just before it commits. So:

- a reader that sees the old stamp has not yet seen the write either; once the write is committed,
  every process's next read finds a new stamp and builds the page afresh: a write is visible on the
  next read, whichever process (web worker, scheduler, command line) made it;
- writes no public page reads (the scheduler's lease and job log, login sessions and failures, API
  token use, the audit log) leave the stamp alone, so they do not empty the cache.

Pages whose answer comes from the search engine (technologies, experts) follow the index, which
follows the database a moment later: the indexer sends the queued changes with a refresh (they are
searchable once it returns; SEARCH_REFRESH_ON_WRITE) and only then deletes them from the queue, a
write that renews the stamp. So the first read after the index has a change shows it. Changes made
in the engine alone (a rebuild, a restored node) renew no stamp: search answers are kept at most
SEARCH_SECONDS besides.

Only complete 200 answers without Set-Cookie are kept; a signed-in user, a session holding a flash
message, or a token holder always gets the page built for them. PAGE_CACHE=0 turns it off; the
tests do (TestConfig) except where they test it (tests/foundation/test_page_cache.py).
"""
import os
import re
import threading
import time
import uuid
import weakref
from collections import OrderedDict

from flask import Flask, request, session
from sqlalchemy import String, create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.http import parse_cookie

from .dates import beijing_today
from .extensions import db

STAMP = "data"
SEARCH_SECONDS = 30.0
MAX_ENTRIES = 2000
MAX_BYTES = 64 * 1024 * 1024
MAX_BODY = 1024 * 1024

# Public reads from the database alone, and those that ask the search engine too.
DATABASE_PAGES = {
    "public.index", "public.rules", "public.map", "audits.public_lookup", "audits.public_status", "audits.public_batches",
    "audits.public_batch", "credit.public_records", "credit.public_record", "catalogue.detail",
    "experts.public_panels", "experts.public_panel", "experts.service_orgs", "experts.service_org_detail",
    "stats.public_page", "api.index", "api.rules_list", "api.stats_summary", "api.stats_breakdown",
    "api.credit_records", "api.audit_status", "api.service_orgs", "api.draw_record", "knowledge.detail",
}
SEARCH_PAGES = {"catalogue.search_page", "api.technologies", "experts.directory", "api.experts",
                "knowledge.search_page"}

# Tables no public page reads: writing them does not change the stamp.
UNSEEN_TABLES = {"cache_stamps", "scheduler_leases", "scheduler_job_runs", "apscheduler_jobs", "login_sessions",
                 "login_failures", "api_tokens", "audit_log", "password_resets", "password_reset_requests",
                 "account_requests", "subscriptions"}
READS = ("SELECT", "PRAGMA", "SHOW", "SET ", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "EXPLAIN", "COMMIT")
WRITTEN_TABLE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
CTE_WRITE = re.compile(r"\)\s*(?:INSERT|UPDATE|DELETE)\s", re.I)  # WITH … AS (…) INSERT, not WITH … SELECT
WROTE = "pagecache_wrote"


class CacheStamp(db.Model):
    """The stamp of the data public pages show: a new random value with every write to them."""

    __tablename__ = "cache_stamps"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32), nullable=False)


# --- the write side: every writing transaction gets a new stamp ------------------------------------------

@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, cursor, statement, parameters, context, executemany):
    head = statement.lstrip()[:10].upper()
    if head.startswith(READS) or WROTE in conn.info:
        return
    if head.startswith("WITH") and not CTE_WRITE.search(statement):
        return
    written = WRITTEN_TABLE.match(statement)
    if written is None or written.group(1).lower() not in UNSEEN_TABLES:
        conn.info[WROTE] = True


@event.listens_for(Engine, "rollback")
@event.listens_for(Engine, "commit")
def _forget_write(conn):
    """A transaction ended: a Session's commit has set the stamp already (below); a plain Connection's
    (migrations, APScheduler's job store) writes nothing public pages show."""
    conn.info.pop(WROTE, None)


@event.listens_for(Session, "before_commit")
def _restamp(session):
    if not session.in_transaction():
        return
    session.flush()
    connection = session.connection()
    if not connection.info.pop(WROTE, False) or not _has_stamps(connection):
        return
    stamp = uuid.uuid4().hex
    updated = connection.execute(text("UPDATE cache_stamps SET stamp = :stamp WHERE name = :name"),
                                 {"stamp": stamp, "name": STAMP}).rowcount
    if not updated:  # the row is gone (tables emptied by a test): put it back
        try:
            with connection.begin_nested():
                connection.execute(text("INSERT INTO cache_stamps (name, stamp) VALUES (:name, :stamp)"),
                                   {"stamp": stamp, "name": STAMP})
        except IntegrityError:
            pass  # another transaction put it back meanwhile; its stamp is as new
    connection.info.pop(WROTE, None)


_STAMPED_ENGINES: "weakref.WeakSet" = weakref.WeakSet()


def _has_stamps(connection) -> bool:
    """Whether the database has cache_stamps yet: a database of older code, not yet upgraded, has
    not (and then no process caches pages from it under a stamp either)."""
    if connection.engine in _STAMPED_ENGINES:
        return True
    if inspect(connection).has_table("cache_stamps"):
        _STAMPED_ENGINES.add(connection.engine)
        return True
    return False


STAMP_QUERY = text("SELECT stamp FROM cache_stamps WHERE name = :name")
RAW_STAMP_QUERY = f"SELECT stamp FROM cache_stamps WHERE name = '{STAMP}'"  # a constant: no parameter style to mind


def current_stamp() -> str:
    return db.session.execute(STAMP_QUERY, {"name": STAMP}).scalar() or ""


# --- the read side ----------------------------------------------------------------------------------------

class PageCache:
    """Answers by key, each with the stamp it was built under; least recently used ones go first."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.entries: OrderedDict = OrderedDict()  # key -> (stamp, good until, status, headers, body)
        self.size = 0
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def holds(self, key) -> bool:
        return key in self.entries

    def get(self, key, stamp: str):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != stamp or (entry[1] is not None and time.monotonic() > entry[1]):
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key, stamp: str, status: str, headers: list, body: bytes, ttl: float | None = None) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old[4])
            until = None if ttl is None else time.monotonic() + ttl
            self.entries[key] = (stamp, until, status, headers, body)
            self.size += len(body)
            while self.entries and (len(self.entries) > self.max_entries or self.size > self.max_bytes):
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped[4])


def _anonymous(environ, session_cookie: str, remember_cookie: str) -> bool:
    """No session or remember-me cookie and no Authorization header: the page everyone gets."""
    if "HTTP_AUTHORIZATION" in environ:
        return False
    cookies = environ.get("HTTP_COOKIE")
    return not cookies or not {session_cookie, remember_cookie} & parse_cookie(cookies).keys()


class CachedPages:
    """WSGI middleware: a GET the cache holds, under the current stamp, is answered here, before Flask
    builds a request (what it costs a cached page is one query for the stamp). Anything else goes on
    to the application, whose hooks below store what it answers to cacheable requests."""

    def __init__(self, wsgi_app, flask_app: Flask, cache: PageCache):
        self.wsgi_app, self.flask_app, self.cache = wsgi_app, flask_app, cache
        self.session_cookie = flask_app.config["SESSION_COOKIE_NAME"]
        self.remember_cookie = flask_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.engine = None
        self.sqlite_file, self.file_signature = None, None

    def stamp(self) -> str:
        """The current stamp, in one round trip: a pooled connection of its own in autocommit (no BEGIN,
        no ROLLBACK on return), used through the driver itself (a third of SQLAlchemy's cost per query),
        without the application pool's ping: a dead connection raises, is dropped, and the application
        answers this request."""
        if self.engine is None:
            with self.flask_app.app_context():
                url = db.engine.url
            self.engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
                self.sqlite_file = url.database
        if self.sqlite_file:
            # A SQLite file replaced from outside (a copy, a restore) can fool a pooled connection's
            # page cache; a write by SQLite cannot. Both change the file: start from new connections.
            seen = os.stat(self.sqlite_file)
            signature = (seen.st_ino, seen.st_mtime_ns, seen.st_size)
            if signature != self.file_signature:
                self.engine.dispose()
                self.file_signature = signature
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(RAW_STAMP_QUERY)
            row = cursor.fetchone()
            cursor.close()
        except BaseException:
            connection.invalidate()
            raise
        finally:
            connection.close()
        return (row[0] if row else None) or ""

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "GET" and _anonymous(environ, self.session_cookie, self.remember_cookie):
            key = _key(environ)
            if self.cache.holds(key):
                try:
                    entry = self.cache.get(key, self.stamp())
                except Exception:  # the database away: let the application answer (a 503 page)
                    entry = None
                if entry is not None:
                    _, _, status, headers, body = entry
                    start_response(status, headers + [("X-Page-Cache", "hit")])
                    return [body]
        return self.wsgi_app(environ, start_response)


def _key(environ) -> tuple:
    """What the answer depends on besides the data: the address as sent (host, scheme, path and query,
    undecoded) and the Beijing date (deadlines and publication periods count days)."""
    return (environ.get("HTTP_HOST"), environ.get("wsgi.url_scheme"), environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""), beijing_today())


def install(app: Flask) -> None:
    """The middleware, and the hooks that store answers (registered before the request cycle's own
    hooks, so that they run after them: after the commit and the security headers)."""
    if not app.config.get("PAGE_CACHE"):
        return
    cache = app.extensions["page_cache"] = PageCache()
    app.wsgi_app = CachedPages(app.wsgi_app, app, cache)

    @app.before_request
    def note_the_stamp():
        if request.method != "GET" or request.endpoint not in DATABASE_PAGES | SEARCH_PAGES:
            return
        if not _anonymous(request.environ, app.config["SESSION_COOKIE_NAME"],
                          app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
            return
        # Read in the request's own transaction, before the page reads anything it shows.
        request.environ["pagecache.pending"] = (_key(request.environ), current_stamp())

    @app.after_request
    def keep_for_the_next_reader(response):
        pending = request.environ.get("pagecache.pending")
        if (pending is None or response.status_code != 200 or response.is_streamed
                or "Set-Cookie" in response.headers or session.modified):
            return response  # a session written now (a flash, a form token) makes the page someone's own
        body = response.get_data()
        if len(body) <= MAX_BODY:
            key, stamp = pending
            response.vary.add("Cookie")  # as the session would add it: the answer depends on the cookie
            ttl = SEARCH_SECONDS if request.endpoint in SEARCH_PAGES else None
            cache.put(key, stamp, response.status, list(response.headers.items()), body, ttl)
        return response
