"""A stored upload belongs to the transaction that stored it: rolled back, the file goes too."""
from pathlib import Path

from platform.core import uploads
from platform.core.extensions import db


def _stored(app, name: str) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "reports" / name


def test_a_file_stored_by_a_rolled_back_transaction_is_deleted(app):
    with app.test_request_context():
        name = uploads.store("reports", b"%PDF-1.4 rolled back")
        assert _stored(app, name).read_bytes() == b"%PDF-1.4 rolled back"
        db.session.rollback()
        assert not _stored(app, name).exists()


def test_a_committed_file_stays_through_later_rollbacks(app):
    with app.test_request_context():
        name = uploads.store("reports", b"%PDF-1.4 committed")
        db.session.commit()
        db.session.rollback()
        uploads.store("reports", b"%PDF-1.4 another")  # the next transaction's file goes alone
        db.session.rollback()
        assert _stored(app, name).exists()
        assert [path.name for path in _stored(app, "").iterdir()] == [name]


def test_a_savepoint_rolled_back_leaves_the_file_to_the_outer_transaction(app):
    with app.test_request_context():
        db.session.connection()  # the outer transaction
        with db.session.begin_nested() as savepoint:
            name = uploads.store("reports", b"%PDF-1.4 nested")
            savepoint.rollback()
        assert _stored(app, name).exists()
        db.session.rollback()
        assert not _stored(app, name).exists()
