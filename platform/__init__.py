"""清洁生产信息平台 — the Flask application package.

The design card fixes this package's name as ``platform``, which is also the name of a
standard-library module that Flask, SQLAlchemy and requests import.  So that both can live
in one interpreter, this package re-exports the standard module's functions: code that
says ``import platform; platform.system()`` keeps working whichever module it receives.
Entry points (wsgi.py, tests/conftest.py) drop a standard ``platform`` already imported by
the launcher before importing this package.
"""
import importlib.util as _importlib_util
import os as _os
import sysconfig as _sysconfig


def _load_stdlib_platform():
    path = _os.path.join(_sysconfig.get_paths()["stdlib"], "platform.py")
    spec = _importlib_util.spec_from_file_location("_stdlib_platform", path)
    module = _importlib_util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


globals().update(
    {name: value for name, value in vars(_load_stdlib_platform()).items() if not name.startswith("__")}
)



def __getattr__(name):
    # Lazy, because Flask itself imports `platform` while it is being imported.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'platform' has no attribute {name!r}")
