"""Settings, read from the environment only (DESIGN §4).

`make run` needs none of them: SQLite and the embedded search engine live under instance/,
and a secret key is generated there on first run.  Production sets DATABASE_URL,
SEARCH_BACKEND=elasticsearch, ELASTICSEARCH_URL, CREDIT_CHANNEL and SECRET_KEY.
"""
import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _secret_key(instance_dir: Path) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_dir / "secret_key"
    if not key_file.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


class Config:
    ENV_NAME = "development"
    INSTANCE_DIR = INSTANCE_DIR
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'platform.db'}")
    # preserve_rowcount: psycopg 3 forgets an INSERT's row count once the cursor closes, so without it
    # `INSERT … SELECT` (the compliance scan, the reminders) would report -1 rows on PostgreSQL.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "execution_options": {"preserve_rowcount": True}}
    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "embedded")
    ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200")
    SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "gxcp")
    SEARCH_EMBEDDED_PATH = os.environ.get("SEARCH_EMBEDDED_PATH", str(INSTANCE_DIR / "search.sqlite3"))
    CREDIT_CHANNEL = os.environ.get("CREDIT_CHANNEL", "file")
    CREDIT_CHANNEL_URL = os.environ.get("CREDIT_CHANNEL_URL", "")
    CREDIT_DROP_DIR = os.environ.get("CREDIT_DROP_DIR", str(INSTANCE_DIR / "credit-drop"))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Local-practice rules changed without a code change (platform/core/rulebook.py), as JSON:
    # RULE_OVERRIDES='{"audits.acceptance_months": 24, "reviews.pass_mark": 75}'. Laws cannot be overridden.
    RULE_OVERRIDES = json.loads(os.environ.get("RULE_OVERRIDES") or "{}")
    # Reports are PDFs of a few dozen MB at most; the request is refused before it is read past this.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "50")) * 1024 * 1024
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", False)
    # Anonymous reads of public pages answered from memory until a write changes what they show
    # (platform/pagecache.py); PAGE_CACHE=0 turns it off.
    PAGE_CACHE = _bool("PAGE_CACHE", True)
    # Timing of the scheduler and the credit outbox; the defaults are the production ones, and the
    # multi-process test shortens them (tests/production/) to see periods, claims and a takeover quickly.
    SCHEDULER_LEASE_SECONDS = float(os.environ.get("SCHEDULER_LEASE_SECONDS") or 90)
    SCHEDULER_TRIGGERS = json.loads(os.environ.get("SCHEDULER_TRIGGERS") or "{}")  # {"job_id": {"trigger": …}}
    CREDIT_BATCH_SIZE = int(os.environ.get("CREDIT_BATCH_SIZE") or 200)
    CREDIT_CLAIM_MARGIN_SECONDS = float(os.environ.get("CREDIT_CLAIM_MARGIN_SECONDS") or 60)
    CREDIT_CHANNEL_TIMEOUT = float(os.environ.get("CREDIT_CHANNEL_TIMEOUT") or 10)
    CREDIT_CHANNEL_CONCURRENCY = int(os.environ.get("CREDIT_CHANNEL_CONCURRENCY") or 4)
    # Drain the search queue in a background thread right after a commit that changed indexed rows
    # (the scheduler drains it every minute too). Tests drain explicitly instead.
    SEARCH_INDEX_AFTER_COMMIT = _bool("SEARCH_INDEX_AFTER_COMMIT", True)
    # Changes sent to the engine are searchable when the send returns (a refresh), before they leave
    # the queue: the page cache relies on it to show a change on the next read (platform/pagecache.py).
    SEARCH_REFRESH_ON_WRITE = _bool("SEARCH_REFRESH_ON_WRITE", True)
    # A TrueType font with the Chinese glyphs, embedded (subset) in training certificates. The default
    # comes with Debian's fonts-droid-fallback (scripts/debian-packages installs it for `make run`).
    CJK_FONT_PATH = os.environ.get("CJK_FONT_PATH", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "noreply@cleanprod.gxzf.gov.cn")
    # Keep outgoing mail in a list (app.extensions["mail_outbox"]) instead of sending it: tests.
    MAIL_CAPTURE = _bool("MAIL_CAPTURE", False)
    # The site's own address, for links in e-mails sent by scheduled jobs (no request to take it from).
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"  # Flask-Login sets no SameSite on its remember-me cookie unless told
    # A login session (and its remember-me cookie) ends after this many days, or at logout.
    LOGIN_SESSION_DAYS = int(os.environ.get("LOGIN_SESSION_DAYS", "30"))
    REMEMBER_COOKIE_DURATION = timedelta(days=LOGIN_SESSION_DAYS)
    # Behind a reverse proxy, how many proxies' X-Forwarded-For entries to trust for the client
    # address (login throttling counts by it); 0 when the platform faces the network itself.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    PER_PAGE = 20
    # Who runs the site and how to reach them, in every page's footer (set by the installation).
    SITE_OPERATOR = os.environ.get("SITE_OPERATOR", "广西壮族自治区生态环境厅")
    SITE_MAINTAINER = os.environ.get("SITE_MAINTAINER", "广西壮族自治区生态环境信息中心")
    SITE_CONTACT_PHONE = os.environ.get("SITE_CONTACT_PHONE", "")
    SITE_CONTACT_EMAIL = os.environ.get("SITE_CONTACT_EMAIL", "")
    SITE_CONTACT_ADDRESS = os.environ.get("SITE_CONTACT_ADDRESS", "")

    def __init__(self):
        self.SECRET_KEY = _secret_key(Path(self.INSTANCE_DIR))


class DevelopmentConfig(Config):
    pass


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SEARCH_INDEX_AFTER_COMMIT = False
    SEARCH_REFRESH_ON_WRITE = True  # what a test writes is searchable at once
    PAGE_CACHE = False  # tests/foundation/test_page_cache.py turns it on
    SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "gxcp-test")

    def __init__(self):
        self.SECRET_KEY = "test-secret-key"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True

    def __init__(self):
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production")
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL must be set in production")
        self.SECRET_KEY = os.environ["SECRET_KEY"]
        # The database checked above, read now (the class attribute was read when this module was imported).
        self.SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def load(name: str | None = None) -> Config:
    return CONFIGS[name or os.environ.get("PLATFORM_ENV", "development")]()
