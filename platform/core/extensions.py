"""Extensions, created unbound and bound to the application in create_app()."""
import sqlite3

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Named constraints, so that migrations can drop and alter them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


@event.listens_for(Engine, "savepoint")
def _open_sqlite_transaction_before_savepoint(connection, name):
    """pysqlite opens a transaction only before it writes, so a SAVEPOINT sent first opens one of
    its own, and its RELEASE commits: a row imported under a savepoint would be committed at once,
    whatever became of the rest. Open the outer transaction first, so savepoints nest."""
    dbapi_connection = connection.connection.dbapi_connection
    if connection.dialect.driver == "pysqlite" and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


@event.listens_for(Engine, "connect")
def _enforce_sqlite_foreign_keys(dbapi_connection, _record):
    """SQLite ignores foreign keys unless asked, per connection; PostgreSQL always enforces them."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
