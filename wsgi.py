"""The WSGI entry: `flask --app wsgi ...`, `gunicorn 'wsgi:app'`; `python wsgi.py` serves it with waitress."""
import os
import sys

# The launcher (flask, gunicorn, waitress) may already hold the standard library's `platform`;
# our package of that name, found first from this directory, replaces it and re-exports its
# functions (see platform/__init__.py).
HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path[0] != HERE:
    sys.path.insert(0, HERE)
if not hasattr(sys.modules.get("platform"), "__path__"):
    sys.modules.pop("platform", None)

from platform import create_app  # noqa: E402

app = create_app()

if __name__ == "__main__":
    from platform.server import run

    run(app)
