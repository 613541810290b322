"""PostgreSQL backups: `flask backup` refuses (tests/backup/test_backup_refusals.py) and names the
procedure in README.md; this carries that procedure out, as written there, with pg_dump and
pg_restore, and checks that every row of every table, every upload and every credit-drop file come back.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from backup_world import PDF, fill_every_table, folder_contents, table_contents
from platform.core.extensions import db
from testdb import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgresql_only, pytest.mark.slow]
RESTORE_MARK = "# restore, with the web server and the scheduler stopped:"


def documented_procedure() -> tuple[str, str]:
    """README.md's PostgreSQL backup commands, and its restore commands."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**PostgreSQL:** `flask backup` refuses"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    backup, _, restore = block.partition(RESTORE_MARK)
    assert restore, f"README.md's PostgreSQL block lost its line {RESTORE_MARK!r}"
    return backup, restore


def run(script: str, cwd: Path, env: dict) -> None:
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, f"{script}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def test_the_documented_pg_dump_procedure_brings_back_every_row_and_every_file(app, make_enterprise, make_user,
                                                                                tmp_path):
    fill_every_table(make_enterprise, make_user)
    drop = Path(app.config["CREDIT_DROP_DIR"])
    uploads = Path(app.config["UPLOAD_DIR"])
    before, files_before, drop_before = table_contents(), folder_contents(uploads), folder_contents(drop)
    assert drop_before and files_before
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/lib/postgresql/15/bin:{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT), "DATABASE_URL": POSTGRES_URL, "UPLOAD_DIR": str(uploads),
           "CREDIT_DROP_DIR": str(drop), "PLATFORM_ENV": "development", "INSTANCE_PATH": str(tmp_path / "instance"),
           "SEARCH_BACKEND": "embedded", "SEARCH_EMBEDDED_PATH": str(tmp_path / "search.sqlite3"),
           "SCHEDULER_ENABLED": "0"}
    backup, restore = documented_procedure()
    work = tmp_path / "backups"
    work.mkdir()
    db.session.commit()

    run(backup + '\ndeclare -p PGURL STAMP > procedure.vars\n', work, env)

    # After the backup: rows changed, deleted and added; files overwritten, lost and added.
    db.session.execute(text("UPDATE enterprises SET name = name || '（已改名）'"))
    db.session.execute(text("DELETE FROM round_events"))
    db.session.execute(text("DELETE FROM schemes WHERE id % 2 = 0"))
    db.session.commit()
    make_enterprise(name="备份之后新登记的企业有限公司")
    reports = sorted(name for name in files_before if name.startswith("reports/"))
    (uploads / reports[0]).write_bytes(b"%PDF-1.4 overwritten")
    (uploads / "reports" / "after-backup.pdf").write_bytes(PDF)
    lost = sorted(drop_before)[0]
    (drop / lost).unlink()
    (drop / "delivered-after-the-backup.json").write_text("{}")
    db.session.remove()
    db.engine.dispose()  # the web server and the scheduler are stopped: no connection holds a table

    run("source procedure.vars\n" + restore, work, env)

    after = table_contents()
    for name, rows in before.items():
        assert after[name] == rows, f"table {name} differs after the restore"
    assert folder_contents(uploads) == files_before
    assert folder_contents(drop) == {**drop_before, "delivered-after-the-backup.json": b"{}"}
