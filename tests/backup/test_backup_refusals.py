"""A restore refuses what it cannot trust (a corrupt, truncated, altered or foreign archive; a schema from
newer code; a running scheduler; a PostgreSQL database) and then nothing has changed."""
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from backup_world import (NOW, PDF, folder_contents, hidden_leftovers, manifest_of, read_members, resealed,
                          table_contents, write_members)
from testdb import POSTGRES_URL
from platform import create_app
from platform.core.backup import services as backup
from platform.core.extensions import db
from platform.core.models_base import utcnow

on_sqlite = pytest.mark.sqlite_only  # flask backup is for SQLite; PostgreSQL: test_postgresql_is_refused… below


@pytest.fixture
def archive_and_changes(app, world, tmp_path):
    """A backup with an uploaded report in it, then a change to the database and to the uploads: a restore
    that went ahead, even in part, would show."""
    uploads = Path(app.config["UPLOAD_DIR"])
    (uploads / "reports").mkdir(parents=True)
    (uploads / "reports" / "a.pdf").write_bytes(PDF)
    (uploads / "reports" / "b.pdf").write_bytes(PDF + b"b")
    made = backup.create(tmp_path / "good.tar.gz", now=NOW)
    db.session.execute(text("UPDATE enterprises SET name = '备份之后改的名称有限公司'"))
    db.session.commit()
    (uploads / "reports" / "a.pdf").unlink()
    return made.path


def _unchanged(app):
    return table_contents(), folder_contents(app.config["UPLOAD_DIR"])


def _refused(app, archive: Path, says: str) -> str:
    """Try the whole restore; it must refuse, saying `says` (a regex), and leave rows and files as they were."""
    before = _unchanged(app)
    with pytest.raises(backup.BackupError, match=says) as refused:
        with backup.staged_restore(archive) as staged:
            staged.apply()
    assert _unchanged(app) == before
    assert hidden_leftovers(Path(app.config["UPLOAD_DIR"]).parent, backup.database_path().parent) == []
    return refused.value.message


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes(b ^ 0xFF for b in data[at:at + 16]) + data[at + 16:]


def _member_flipped(name):
    def corrupt(good: Path, bad: Path) -> None:
        members = read_members(good)
        target = next(n for n in members if n.startswith(name))
        members[target] = _flip(members[target], len(members[target]) // 2)
        write_members(bad, members)
    return corrupt


def _truncated(good: Path, bad: Path) -> None:
    data = good.read_bytes()
    bad.write_bytes(data[: len(data) * 6 // 10])


def _compressed_bytes_flipped(good: Path, bad: Path) -> None:
    data = good.read_bytes()
    bad.write_bytes(_flip(data, len(data) // 3))


def _manifest_checksum_changed(good: Path, bad: Path) -> None:
    members = read_members(good)
    manifest = manifest_of(members)
    manifest["members"]["uploads/reports/b.pdf"]["sha256"] = "0" * 64
    members["manifest.json"] = json.dumps(manifest).encode()
    write_members(bad, members)


def _member_missing(good: Path, bad: Path) -> None:
    members = read_members(good)
    del members["uploads/reports/b.pdf"]
    write_members(bad, members)


def _member_added(good: Path, bad: Path) -> None:
    write_members(bad, {**read_members(good), "uploads/reports/planted.pdf": PDF})


def _path_escapes(good: Path, bad: Path) -> None:
    members = read_members(good)
    members["uploads/../../planted.pdf"] = PDF
    write_members(bad, resealed(members))


def _manifest_missing(good: Path, bad: Path) -> None:
    members = read_members(good)
    del members["manifest.json"]
    write_members(bad, members)


def _database_swapped_for_garbage(good: Path, bad: Path) -> None:
    members = read_members(good)
    members["database.sqlite3"] = b"SQLite format 3\x00" + b"\x00" * 4096
    write_members(bad, resealed(members))  # checksums agree, so only the database check can see it


CORRUPTIONS = {
    "a byte flipped in the database": (_member_flipped("database.sqlite3"), "校验和"),
    "a byte flipped in an uploaded file": (_member_flipped("uploads/reports/b.pdf"), "校验和"),
    "compressed bytes flipped": (_compressed_bytes_flipped, ""),
    "truncated": (_truncated, "损坏或不完整"),
    "a checksum in the manifest changed": (_manifest_checksum_changed, "校验和"),
    "a listed file missing": (_member_missing, "不完整"),
    "a file the manifest does not list": (_member_added, "清单未列出"),
    "a path leaving its folder": (_path_escapes, "不应出现的条目"),
    "no manifest": (_manifest_missing, "没有清单"),
    "a database that is not one": (_database_swapped_for_garbage, "数据库"),
}


@on_sqlite
@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_damaged_archive_is_refused_and_nothing_changes(app, archive_and_changes, tmp_path, corruption):
    corrupt, says = CORRUPTIONS[corruption]
    bad = tmp_path / "bad.tar.gz"
    corrupt(archive_and_changes, bad)

    message = _refused(app, bad, "未做任何更改")

    assert says in message


@on_sqlite
def test_the_untouched_archive_of_those_tests_does_restore(app, archive_and_changes):
    """The other half of the test above: the refusals come from the damage, not from the archive."""
    with backup.staged_restore(archive_and_changes) as staged:
        staged.apply()

    assert "备份之后改的名称有限公司" not in {row[2] for row in table_contents()["enterprises"]}
    assert sorted(folder_contents(app.config["UPLOAD_DIR"])) == ["reports/a.pdf", "reports/b.pdf"]


@on_sqlite
def test_an_archive_from_newer_code_is_refused(app, archive_and_changes, tmp_path):
    members = read_members(archive_and_changes)
    newer = tmp_path / "newer.db"
    newer.write_bytes(members["database.sqlite3"])
    connection = sqlite3.connect(newer)
    connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.commit()
    connection.close()
    members["database.sqlite3"] = newer.read_bytes()
    archive = write_members(tmp_path / "newer.tar.gz", resealed(members, alembic_revision="9999_future"))

    _refused(app, archive, "9999_future.*更新或未知.*未做任何更改")


@on_sqlite
def test_an_archive_from_older_code_is_restored_and_migrated_to_the_current_schema(app, make_enterprise, tmp_path):
    from flask_migrate import upgrade

    old_app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}", "TESTING": True,
                          "UPLOAD_DIR": str(tmp_path / "old-uploads"), "CREDIT_DROP_DIR": str(tmp_path / "old-drop"),
                          "SEARCH_EMBEDDED_PATH": str(tmp_path / "old-search.sqlite3")}, "test")
    with old_app.app_context():
        upgrade(revision="0006_credit")
        db.session.execute(text("INSERT INTO parks (name, city_code, created_at, updated_at) "
                                "VALUES ('旧版本园区', '450100', '2026-01-05', '2026-01-05')"))
        db.session.commit()
        old = backup.create(tmp_path / "old.tar.gz", now=NOW)
        db.session.remove()
        db.engine.dispose()
    make_enterprise(name="恢复后不应存在的企业有限公司")

    with backup.staged_restore(old.path) as staged:
        assert staged.upgrade
        report = staged.apply()

    assert report.upgraded_from == "0006_credit"
    heads = list(backup._migrations().get_heads())
    assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == heads
    assert db.session.execute(text("SELECT name FROM parks")).scalars().all() == ["旧版本园区"]
    assert db.session.execute(text("SELECT count(*) FROM enterprises")).scalar() == 0
    assert db.session.execute(text("SELECT count(*) FROM experts")).scalar() == 0  # a 0007 table, now present


@on_sqlite
def test_a_restore_waits_for_a_running_scheduler_to_stop(app, archive_and_changes):
    from platform.core.scheduler.models import SchedulerLease

    db.session.add(SchedulerLease(name="scheduler", holder="web-1:4242:abcd", expires_at=utcnow() + timedelta(seconds=90)))
    db.session.commit()

    _refused(app, archive_and_changes, "调度器正在运行.*web-1:4242:abcd.*未做任何更改")


@on_sqlite
def test_a_restore_refuses_a_database_another_process_is_writing(app, archive_and_changes):
    other = sqlite3.connect(backup.database_path(), isolation_level=None)  # rollback journal on disk
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE enterprises SET name = '另一进程未提交的名称'")

        _refused(app, archive_and_changes, "正被其他进程使用.*未做任何更改")
    finally:
        other.execute("ROLLBACK")
        other.close()


# The PostgreSQL run refuses on its real database; the SQLite run on a URL nothing listens at (the
# refusal comes before any connection).
@pytest.mark.config(SQLALCHEMY_DATABASE_URI=POSTGRES_URL or "postgresql+psycopg://gxcp:secret@127.0.0.1:9/gxcp")
def test_postgresql_is_refused_with_the_pg_dump_procedure(app, tmp_path, request):
    runner = app.test_cli_runner()
    if POSTGRES_URL:
        kept = request.getfixturevalue("make_enterprise")().name

    created = runner.invoke(args=["backup", "create", "--output", str(tmp_path / "pg.tar.gz")])
    restored = runner.invoke(args=["backup", "restore", str(tmp_path / "pg.tar.gz"), "--yes"])

    for result in (created, restored):
        assert result.exit_code == 1
        assert "不是 SQLite" in result.output and "pg_dump --format=custom" in result.output
        assert "UPLOAD_DIR" in result.output and "README.md" in result.output
    assert not (tmp_path / "pg.tar.gz").exists()
    if POSTGRES_URL:  # the restore touched nothing
        assert db.session.scalars(text("SELECT name FROM enterprises")).all() == [kept]
