"""The WSGI entry: `flask --app wsgi ...`, `gunicorn 'wsgi:app'`, `waitress-serve wsgi:app`."""
import sys

# The launcher (flask, gunicorn) may already hold the standard library's `platform`; our
# package of that name replaces it and re-exports its functions (see platform/__init__.py).
if not hasattr(sys.modules.get("platform"), "__path__"):
    sys.modules.pop("platform", None)

from platform import create_app  # noqa: E402

app = create_app()
