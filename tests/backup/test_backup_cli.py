"""`flask backup create` and `flask backup restore` as the operator runs them."""
from pathlib import Path

import pytest
from sqlalchemy import text

from backup_world import PDF, folder_contents, table_contents
from platform.core.extensions import db

pytestmark = pytest.mark.sqlite_only  # flask backup is for SQLite (PostgreSQL: tests/backup/test_postgresql_backup.py)


@pytest.fixture
def uploaded(app):
    reports = Path(app.config["UPLOAD_DIR"]) / "reports"
    reports.mkdir(parents=True)
    (reports / "report.pdf").write_bytes(PDF)
    return reports / "report.pdf"


def test_create_prints_the_archive_and_every_tables_rows(app, world, uploaded, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", "create", "--output", str(tmp_path / "b.tar.gz")])

    assert result.exit_code == 0, result.output
    assert f"备份已完成：{tmp_path / 'b.tar.gz'}" in result.output
    enterprises = db.session.execute(text("SELECT count(*) FROM enterprises")).scalar()
    assert any(line.split() == ["enterprises", str(enterprises), "行"] for line in result.output.splitlines())
    assert "上传文件 1 个" in result.output
    assert (tmp_path / "b.tar.gz").is_file()


def test_restore_asks_first_and_changes_nothing_when_the_answer_is_no(app, world, uploaded, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["backup", "create", "--output", str(tmp_path / "b.tar.gz")])
    db.session.execute(text("DELETE FROM api_tokens"))
    db.session.execute(text("UPDATE enterprises SET name = '备份之后改的名称有限公司'"))
    db.session.commit()
    uploaded.unlink()
    changed = table_contents(), folder_contents(app.config["UPLOAD_DIR"])

    refused = runner.invoke(args=["backup", "restore", str(tmp_path / "b.tar.gz")], input="n\n")

    assert refused.exit_code == 1
    assert "确定要恢复吗" in refused.output and "已取消，未做任何更改" in refused.output
    assert (table_contents(), folder_contents(app.config["UPLOAD_DIR"])) == changed

    restored = runner.invoke(args=["backup", "restore", str(tmp_path / "b.tar.gz")], input="y\n")

    assert restored.exit_code == 0, restored.output
    assert "已恢复数据库和上传目录（上传文件 1 个）" in restored.output
    assert "搜索索引已按恢复后的数据重建" in restored.output
    assert "备份之后改的名称有限公司" not in {row[2] for row in table_contents()["enterprises"]}
    assert uploaded.read_bytes() == PDF


def test_restore_refuses_a_damaged_archive_with_a_non_zero_exit(app, world, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["backup", "create", "--output", str(tmp_path / "b.tar.gz")])
    data = (tmp_path / "b.tar.gz").read_bytes()
    (tmp_path / "cut.tar.gz").write_bytes(data[: len(data) // 2])

    result = runner.invoke(args=["backup", "restore", str(tmp_path / "cut.tar.gz"), "--yes"])

    assert result.exit_code == 1
    assert "已损坏或不完整" in result.output and "未做任何更改" in result.output
    assert "确定要恢复吗" not in result.output  # refused before anyone is asked
