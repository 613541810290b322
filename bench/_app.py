"""A throwaway application on a fresh migrated SQLite file, for benchmarks."""
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not hasattr(sys.modules.get("platform"), "__path__"):
    sys.modules.pop("platform", None)

from platform import create_app  # noqa: E402


def bench_app(name: str, **overrides):
    tmp = Path(tempfile.mkdtemp(prefix=f"gxcp-bench-{name}-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "TESTING": True,
                      "UPLOAD_DIR": str(tmp / "uploads"), "SEARCH_EMBEDDED_PATH": str(tmp / "search.sqlite3"),
                      "CREDIT_DROP_DIR": str(tmp / "drop"), **overrides}, "test")
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    return app, tmp
