"""A backup brings back every row of every table and every uploaded file, byte for byte, and holds
exactly the committed state even when taken in the middle of someone else's write."""
import sqlite3
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import text

from backup_world import NOW, PDF, fill_every_table, folder_contents, hidden_leftovers, read_members, table_contents
from platform.core.backup import services as backup
from platform.core.extensions import db
from platform.core.indexing import services as indexing

pytestmark = pytest.mark.sqlite_only  # flask backup is for SQLite (PostgreSQL: tests/backup/test_postgresql_backup.py)


@pytest.mark.slow
def test_restoring_a_backup_brings_back_every_table_and_every_uploaded_file(app, make_enterprise, make_user, tmp_path):
    fill_every_table(make_enterprise, make_user)
    before = table_contents()
    empty = [name for name, rows in before.items() if not rows]
    assert not empty, f"no rows in {', '.join(empty)}: extend fill_every_table() so the backup test covers them"
    uploads = Path(app.config["UPLOAD_DIR"])
    files_before = folder_contents(uploads)
    assert {name.split("/")[0] for name in files_before} == {"reports", "credit-repair", "certificates"}

    (tmp_path / "backups").mkdir()
    made = backup.create(tmp_path / "backups", now=NOW)  # into a folder: named by the time

    assert made.path == tmp_path / "backups" / "gxcp-20260302-020000.tar.gz"
    assert made.manifest["tables"] == {name: len(rows) for name, rows in before.items()}
    # After the backup: rows updated, deleted and added; uploaded files changed, lost and added.
    db.session.execute(text("UPDATE enterprises SET name = name || '（已改名）'"))
    db.session.execute(text("UPDATE users SET password_hash = 'changed'"))
    db.session.execute(text("DELETE FROM round_events"))
    db.session.execute(text("DELETE FROM schemes WHERE id % 2 = 0"))
    db.session.execute(text("DELETE FROM index_queue"))
    db.session.execute(text("UPDATE apscheduler_jobs SET job_state = x'00'"))
    db.session.commit()
    make_enterprise(name="备份之后新登记的企业有限公司")
    report_names = sorted(name for name in files_before if name.startswith("reports/"))
    (uploads / report_names[0]).write_bytes(b"%PDF-1.4 overwritten")
    (uploads / report_names[1]).unlink()
    (uploads / "reports" / "after-backup.pdf").write_bytes(PDF)
    assert table_contents() != before and folder_contents(uploads) != files_before

    with backup.staged_restore(made.path) as staged:
        assert not staged.upgrade
        report = staged.apply()

    after = table_contents()
    for name, rows in before.items():
        if name in backup.FORGOTTEN_ON_RESTORE:
            assert after[name] == [], f"table {name} is not restored"
            continue
        assert after[name] == rows, f"table {name} differs after the restore"
    assert folder_contents(uploads) == files_before
    assert report.uploads == len(files_before) and report.upgraded_from is None
    # The search indexes were rebuilt from the restored rows.
    assert report.reindexed is not None and len(report.reindexed) == len(indexing.INDEXED_MODELS)
    assert all(row["engine"] == row["database"] for row in indexing.status())
    assert hidden_leftovers(tmp_path / "backups", uploads.parent, backup.database_path().parent) == []


def test_a_backup_taken_during_an_open_write_holds_exactly_the_committed_state(app, make_enterprise, tmp_path):
    enterprise_id = make_enterprise(name="西江原名有限公司").id
    database = backup.database_path()
    db.session.remove()
    db.engine.dispose()  # only the two connections below touch the file while the backup runs
    committer = sqlite3.connect(database, isolation_level=None)
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        # WAL, without checkpoints: the committed rename lives only in the -wal file, so a plain copy
        # of the database file would miss it.
        assert committer.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
        committer.execute("PRAGMA wal_autocheckpoint=0")
        committer.execute("UPDATE enterprises SET name = '西江已提交有限公司' WHERE id = ?", (enterprise_id,))
        parks = committer.execute("SELECT count(*) FROM parks").fetchone()[0]
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE enterprises SET name = '西江未提交有限公司' WHERE id = ?", (enterprise_id,))
        writer.execute("INSERT INTO parks (name, city_code, created_at, updated_at) "
                       "VALUES ('未提交园区', '450100', '2026-03-02', '2026-03-02')")

        made = backup.create(tmp_path / "during.tar.gz", now=NOW)

        assert writer.in_transaction  # the backup did not wait for, or break, the open write
    finally:
        writer.close()
        committer.execute("PRAGMA journal_mode=DELETE")  # leave the file as the next test expects
        committer.close()
    snapshot = tmp_path / "snapshot.db"
    snapshot.write_bytes(read_members(made.path)["database.sqlite3"])
    copy = sqlite3.connect(snapshot)
    try:
        assert copy.execute("SELECT name FROM enterprises WHERE id = ?", (enterprise_id,)).fetchone() == ("西江已提交有限公司",)
        assert copy.execute("SELECT count(*) FROM parks").fetchone()[0] == parks
    finally:
        copy.close()
    assert made.manifest["tables"]["parks"] == parks


def test_lost_credit_drop_files_come_back_and_files_delivered_since_stay(app, tmp_path):
    drop = Path(app.config["CREDIT_DROP_DIR"])
    drop.mkdir(parents=True)
    (drop / "key-1.json").write_bytes(b'{"k": 1}')
    (drop / "key-2.json").write_bytes(b'{"k": 2}')
    made = backup.create(tmp_path / "b.tar.gz", now=NOW)
    (drop / "key-1.json").unlink()
    (drop / "key-3.json").write_bytes(b'{"k": 3}')

    with backup.staged_restore(made.path) as staged:
        report = staged.apply()

    assert folder_contents(drop) == {"key-1.json": b'{"k": 1}', "key-2.json": b'{"k": 2}', "key-3.json": b'{"k": 3}'}
    assert report.credit_drop_added == 1


def test_an_archive_is_readable_only_by_its_owner_and_never_overwrites_another(app, tmp_path):
    made = backup.create(tmp_path / "b.tar.gz", now=NOW)

    assert made.path.stat().st_mode & 0o077 == 0
    with tarfile.open(made.path, "r:gz") as tar:
        assert tar.getnames()[0] == "database.sqlite3" and tar.getnames()[-1] == "manifest.json"
    with pytest.raises(backup.BackupError, match="已存在"):
        backup.create(made.path, now=NOW)


def test_a_backup_that_fails_half_way_leaves_no_file_behind(app, tmp_path, monkeypatch):
    uploads = Path(app.config["UPLOAD_DIR"]) / "reports"
    uploads.mkdir(parents=True)
    (uploads / "a.pdf").write_bytes(PDF)
    real = backup._tar_info

    def disk_full_at_the_uploads(name, size, mtime):
        if name.startswith("uploads/"):
            raise OSError(28, "No space left on device")
        return real(name, size, mtime)

    monkeypatch.setattr(backup, "_tar_info", disk_full_at_the_uploads)
    target = tmp_path / "out" / "b.tar.gz"

    with pytest.raises(backup.BackupError, match="没有生成备份文件"):
        backup.create(target, now=NOW)

    assert list((tmp_path / "out").iterdir()) == []


def test_a_login_ended_after_the_backup_stays_ended_after_the_restore(app, make_user, tmp_path):
    """The backup holds the admin's open login session; the admin then logs out (or is deactivated). A
    restore must not revive that session: nobody's login is brought back, everyone signs in again."""
    from platform.accounts.services import end_sessions, session_user, start_session

    admin = make_user("admin", username="restore-admin")
    token = start_session(admin, "127.0.0.1")
    db.session.commit()
    made = backup.create(tmp_path / "before-logout.tar.gz", now=NOW)
    end_sessions(admin, "logout")
    db.session.commit()
    assert session_user(token) is None

    with backup.staged_restore(made.path) as staged:
        staged.apply()

    assert session_user(token) is None
    assert db.session.execute(text("SELECT count(*) FROM login_sessions")).scalar() == 0
    assert db.session.execute(text("SELECT count(*) FROM users WHERE username = 'restore-admin'")).scalar() == 1
