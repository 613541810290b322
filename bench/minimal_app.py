"""The ceiling of the load benchmark: a minimal Flask app returning a small JSON, served exactly as
the platform is (bench/load.py) — waitress with `platform.server`'s settings, or the same gunicorn command.

    python bench/minimal_app.py --port 8001          # waitress, as `make run` serves the platform
    gunicorn -w 4 --chdir bench minimal_app:app      # as the README's production set-up does
"""
import sys
from pathlib import Path

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(status="ok", service="广西清洁生产信息平台")


if __name__ == "__main__":
    ROOT = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(ROOT))
    if not hasattr(sys.modules.get("platform"), "__path__"):
        sys.modules.pop("platform", None)
    import config
    from platform.server import run

    app.config["MAX_CONTENT_LENGTH"] = config.Config.MAX_CONTENT_LENGTH
    run(app, sys.argv[1:])
