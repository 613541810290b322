from tests.schemes.builders import started, unsynced_sqlite  # noqa: F401
