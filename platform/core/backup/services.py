"""Backing up and restoring a one-machine installation (SQLite): one archive file holding the
database, the uploaded files, the credit drop folder and a manifest with a checksum for each.

Why it works this way:
- The database is copied with SQLite's online backup API, which reads one committed state under
  a shared lock: a backup can be taken while the platform runs, and never holds half of a
  transaction, as a plain copy of the file could.
- The archive is written under a hidden temporary name, read back and checked against its own
  manifest, and only then renamed into place: a file named gxcp-*.tar.gz is always complete.
- A restore first unpacks everything beside its targets and checks every checksum, the database's
  integrity and its schema revision; only then does it rename the database file and the upload
  folder into place. A corrupt, truncated or foreign archive therefore changes nothing.
- Search indexes are derived data: they are not in the archive and are rebuilt after a restore.

PostgreSQL installations use pg_dump / pg_restore instead (README.md, 备份与恢复 / Backups).
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import stat
import tarfile
import tempfile
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import select

from ..errors import DomainError
from ..extensions import db
from ..models_base import utcnow
from ..dates import format_moment

FORMAT = "gxcp-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = "database.sqlite3"
# Folder in the archive -> the setting that names it on this machine.
FOLDERS = {"uploads": "UPLOAD_DIR", "credit-drop": "CREDIT_DROP_DIR"}
CHUNK = 1024 * 1024
MANIFEST_MAX_BYTES = 16 * 1024 * 1024

POSTGRES_ADVICE = (
    "当前数据库是 {backend}，不是 SQLite：flask backup 只适用于单机部署的 SQLite 数据库。"
    "PostgreSQL 请用 pg_dump --format=custom 备份、pg_restore 恢复，并另行复制上传目录（UPLOAD_DIR），"
    "具体命令见 README.md 的“备份与恢复 / Backups”一节。"
)


class BackupError(DomainError):
    code = "backup"


# Tables whose rows a restore does not bring back (the composition names them: core knows no
# feature). Login sessions: a session ended since the backup (a logout, a password change, a
# deactivation) must stay ended, so after a restore everyone signs in again.
FORGOTTEN_ON_RESTORE: set[str] = set()


def forget_on_restore(*tables: str) -> None:
    FORGOTTEN_ON_RESTORE.update(tables)


@dataclass
class Backup:
    path: Path
    manifest: dict


@dataclass
class RestoreReport:
    uploads: int  # files now in the upload folder
    credit_drop_added: int  # files put back into the credit drop folder
    upgraded_from: str | None  # the archive's revision, when it was older than the code's
    reindexed: list[str] | None  # the rebuilt physical indexes; None when search was unavailable


# --- where things are ----------------------------------------------------------------------------

def database_path() -> Path:
    """The SQLite file behind the application's engine; any other database is refused with advice."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError(POSTGRES_ADVICE.format(backend=url.get_backend_name()))
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库没有可备份的文件。")
    return Path(url.database).resolve()


def folders() -> dict[str, Path]:
    return {name: Path(current_app.config[setting]).resolve() for name, setting in FOLDERS.items()}


def default_output(now: datetime) -> Path:
    return Path(current_app.instance_path) / "backups" / f"gxcp-{now:%Y%m%d-%H%M%S}.tar.gz"


# --- create --------------------------------------------------------------------------------------

def create(output: Path | None = None, now: datetime | None = None) -> Backup:
    """Write one archive: the database snapshot first (files a row refers to are written before the
    row commits, so they are on disk by then), then the folders, then the manifest."""
    database = database_path()
    now = now or datetime.now(timezone.utc).astimezone()
    output = Path(output) if output else default_output(now)
    if output.is_dir():
        output = output / default_output(now).name
    if output.exists():
        raise BackupError(f"{output} 已存在：不覆盖已有的备份，请换一个文件名。")
    if any(output.parent.resolve().is_relative_to(folder) for folder in folders().values()):
        raise BackupError("备份不能放在上传目录或信用报送目录里（否则会把自己也备份进去），请换一个位置。")
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        snapshot = work / DATABASE_MEMBER
        _snapshot(database, snapshot)
        revision, tables = _describe(snapshot)
        if revision is None:
            raise BackupError("数据库还没有建表（没有 alembic_version），请先执行 flask --app wsgi db upgrade。")
        sources = [(DATABASE_MEMBER, snapshot)]
        for name, folder in folders().items():
            sources += [(f"{name}/{rel}", path) for rel, path in _files(folder)]
        fields = {"format": FORMAT, "format_version": FORMAT_VERSION, "created_at": now.isoformat(timespec="seconds"),
                  "alembic_revision": revision, "tables": tables}
        partial = work / "archive.tar.gz"
        manifest = _write_archive(partial, sources, fields, now)
        _read_archive(partial)  # read back: only a checked archive gets its name
        os.replace(partial, output)
        _fsync_dir(output.parent)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"备份失败（{exc}），没有生成备份文件。") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Backup(output, manifest)


def _snapshot(database: Path, target: Path) -> None:
    """SQLite's online backup copies one committed state while others keep reading and writing."""
    if not database.is_file():
        raise BackupError(f"数据库文件 {database} 不存在。")
    source = sqlite3.connect(database)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


def _describe(path: Path) -> tuple[str | None, dict[str, int]]:
    """The schema revision and every table's row count of a database file."""
    connection = sqlite3.connect(path)
    try:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        tables = {name: connection.execute(f"SELECT count(*) FROM {_quoted(name)}").fetchone()[0] for name in names}
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall() if "alembic_version" in tables else []
    finally:
        connection.close()
    return (rows[0][0] if len(rows) == 1 else None), tables


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _files(folder: Path):
    """(posix path relative to the folder, path) of each file; half-written `.part` files are skipped."""
    if not folder.is_dir():
        return
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(root) / name
            if name.endswith(".part") or not path.is_file():
                continue
            yield path.relative_to(folder).as_posix(), path


class _Hashing:
    """A file wrapper that hashes what is read through it (each member is read only once)."""

    def __init__(self, raw):
        self.raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def read(self, n=-1):
        data = self.raw.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _write_archive(target: Path, sources: list[tuple[str, Path]], fields: dict, now: datetime) -> dict:
    """A gzipped tar readable only by its owner (it holds password hashes); the manifest goes last."""
    members = {}
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            for name, path in sources:
                with open(path, "rb") as f:
                    st = os.fstat(f.fileno())
                    reader = _Hashing(f)
                    tar.addfile(_tar_info(name, st.st_size, st.st_mtime), reader)
                members[name] = {"size": reader.size, "sha256": reader.digest.hexdigest()}
            manifest = {**fields, "members": members}
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            tar.addfile(_tar_info(MANIFEST, len(data), now.timestamp()), io.BytesIO(data))
        raw.flush()
        os.fsync(raw.fileno())
    return manifest


def _tar_info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    return info


# --- reading and checking an archive -------------------------------------------------------------

def _read_archive(archive: Path, place=None) -> dict:
    """Read every member once, hashing it and, when `place(name)` gives a path, writing it there;
    return the manifest once every member matches it. Anything else raises BackupError."""
    found: dict[str, dict] = {}
    manifest_data = None
    try:
        with tarfile.open(archive, mode="r|gz") as tar:
            for info in tar:
                name = _member_name(info)
                if name in found or (name == MANIFEST and manifest_data is not None):
                    raise BackupError(f"备份中 {name} 出现了不止一次，不是本平台生成的备份。")
                source = tar.extractfile(info)
                if name == MANIFEST:
                    manifest_data = source.read(MANIFEST_MAX_BYTES)
                else:
                    found[name] = _copy(source, place(name) if place else None)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到备份文件 {archive}。") from exc
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BackupError(f"备份文件 {archive} 已损坏或不完整（{exc}）。") from exc
    manifest = _parse_manifest(manifest_data)
    listed = manifest["members"]
    missing, extra = sorted(set(listed) - set(found)), sorted(set(found) - set(listed))
    if missing:
        raise BackupError(f"备份不完整：清单列出的 {len(missing)} 个文件不在归档中（如 {missing[0]}）。")
    if extra:
        raise BackupError(f"备份中有清单未列出的文件（如 {extra[0]}），不是本平台生成的备份或已被改动。")
    for name, actual in found.items():
        if actual != {"size": listed[name].get("size"), "sha256": listed[name].get("sha256")}:
            raise BackupError(f"备份中的 {name} 与清单的校验和（SHA-256）不符：文件已损坏或被改动。")
    if DATABASE_MEMBER not in found:
        raise BackupError("备份中没有数据库文件。")
    return manifest


def _member_name(info: tarfile.TarInfo) -> str:
    """Only plain files at the names this module writes: no links, no absolute or `..` paths."""
    path = PurePosixPath(info.name)
    allowed = info.name in (MANIFEST, DATABASE_MEMBER) or (len(path.parts) > 1 and path.parts[0] in FOLDERS)
    if not info.isreg() or path.is_absolute() or ".." in path.parts or str(path) != info.name or not allowed:
        raise BackupError(f"备份中有不应出现的条目“{info.name}”，拒绝使用。")
    return info.name


def _copy(source, target: Path | None) -> dict:
    digest, size = hashlib.sha256(), 0
    out = None
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        out = open(target, "xb")
    try:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if out:
                out.write(chunk)
        if out:
            out.flush()
            os.fsync(out.fileno())
    finally:
        if out:
            out.close()
    return {"size": size, "sha256": digest.hexdigest()}


def _parse_manifest(data: bytes | None) -> dict:
    if data is None:
        raise BackupError("备份中没有清单 manifest.json：文件不完整，或不是本平台生成的备份。")
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise BackupError("备份清单 manifest.json 无法解析，文件已损坏。") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("不是本平台生成的备份（清单格式不符）。")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"备份格式版本 {manifest.get('format_version')} 不受当前程序支持。")
    members, tables = manifest.get("members"), manifest.get("tables")
    if (not isinstance(members, dict) or not isinstance(tables, dict)
            or not all(isinstance(m, dict) for m in members.values())
            or not isinstance(manifest.get("alembic_revision"), str)):
        raise BackupError("备份清单 manifest.json 内容不完整，文件已损坏。")
    return manifest


def _check_database(path: Path, manifest: dict) -> None:
    """The unpacked database opens, passes SQLite's integrity check and is the one the manifest describes."""
    try:
        connection = sqlite3.connect(path)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
        revision, tables = _describe(path)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份中的数据库文件无法打开（{exc}）。") from exc
    if result != [("ok",)]:
        raise BackupError(f"备份中的数据库未通过完整性检查：{result[0][0]}")
    if revision != manifest["alembic_revision"] or tables != manifest["tables"]:
        raise BackupError("备份中的数据库与清单记录的结构版本或行数不符。")


def _migrations():
    """The code's own Alembic scripts (migrations/)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def _upgrade_needed(revision: str) -> bool:
    """Policy: an archive from older code is restored and then migrated up (the migrations are the
    code's own); one whose revision the code does not know comes from newer code and is refused,
    since this code could not run on it."""
    from alembic.util import CommandError

    script = _migrations()
    heads = list(script.get_heads())
    if revision in heads:
        return False
    try:
        known = script.get_revision(revision)
    except CommandError:
        known = None
    if known is None or known.revision != revision:
        raise BackupError(f"备份的数据库结构版本 {revision} 比当前程序（最新为 {'、'.join(heads)}）更新或未知："
                          "请先部署生成该备份的程序版本（或更新的版本），再恢复。")
    return True


def _refuse_if_scheduler_runs() -> None:
    """A running scheduler keeps its connection to the old file and its writes would be lost."""
    from ..scheduler.models import SchedulerLease

    with db.engine.connect() as connection:  # a read of its own, leaving the caller's session alone
        lease = connection.execute(select(SchedulerLease.holder, SchedulerLease.expires_at)
                                   .where(SchedulerLease.expires_at > utcnow())).first()
    if lease is not None:
        raise BackupError(f"调度器正在运行（{lease.holder}，租约至北京时间 {format_moment(lease.expires_at, seconds=True)}）："
                          "请先停止网站和 flask scheduler run 进程，再恢复。")


# --- restore -------------------------------------------------------------------------------------

@dataclass
class StagedRestore:
    """An archive unpacked and checked beside its targets; `apply()` swaps it in."""

    archive: Path
    manifest: dict
    database: Path
    targets: dict[str, Path]
    work: dict[str, Path]
    upgrade: bool

    def apply(self) -> RestoreReport:
        _forget(self.work["database"] / DATABASE_MEMBER)
        _replace_database(self.work["database"] / DATABASE_MEMBER, self.database)
        try:
            _swap_folder(self.work["uploads"], self.targets["uploads"])
            added = _add_missing(self.work["credit-drop"], self.targets["credit-drop"])
        except OSError as exc:
            raise BackupError(f"数据库已恢复，但恢复上传目录时出错（{exc}）：排除问题后请重新执行恢复。") from exc
        if self.upgrade:
            _upgrade()
        uploads = sum(1 for _ in _files(self.targets["uploads"]))
        return RestoreReport(uploads, added, self.manifest["alembic_revision"] if self.upgrade else None, _reindex())


@contextmanager
def staged_restore(archive: Path):
    """Unpack and check everything first; nothing the platform uses is touched until `apply()`.
    The unpacked copies are removed on the way out, whatever happened."""
    database = database_path()
    targets = folders()
    work = {}
    try:
        for name, target in {"database": database, **targets}.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            work[name] = Path(tempfile.mkdtemp(prefix=f".{target.name}.restore-", dir=target.parent))
        try:
            manifest = _read_archive(Path(archive), lambda member: _place(member, work))
            _check_database(work["database"] / DATABASE_MEMBER, manifest)
            upgrade = _upgrade_needed(manifest["alembic_revision"])
            _refuse_if_scheduler_runs()
        except BackupError as exc:
            raise BackupError(f"{exc.message}当前数据库和上传文件未做任何更改。") from exc
        yield StagedRestore(Path(archive), manifest, database, targets, work, upgrade)
    finally:
        for path in work.values():
            shutil.rmtree(path, ignore_errors=True)


def _forget(path: Path) -> None:
    """Empty the tables a restore does not bring back, in the unpacked copy (checked already)."""
    connection = sqlite3.connect(path)
    try:
        present = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        with connection:
            for name in sorted(FORGOTTEN_ON_RESTORE & present):
                connection.execute(f"DELETE FROM {_quoted(name)}")
    finally:
        connection.close()


def _place(member: str, work: dict[str, Path]) -> Path:
    if member == DATABASE_MEMBER:
        return work["database"] / DATABASE_MEMBER
    folder, _, rest = member.partition("/")
    return work[folder] / rest


def _replace_database(staged: Path, database: Path) -> None:
    """One rename, after this process has let go of the old file."""
    db.session.remove()
    db.engine.dispose()
    for suffix in ("-wal", "-journal"):
        side = database.with_name(database.name + suffix)
        if side.exists() and (suffix == "-wal" or side.stat().st_size):
            raise BackupError(f"数据库正被其他进程使用（存在 {side.name}）：请先停止网站和调度器，再恢复。"
                              "当前数据库和上传文件未做任何更改。")
    os.replace(staged, database)
    _fsync_dir(database.parent)


def _swap_folder(staged: Path, target: Path) -> None:
    """Two renames: the old folder steps aside, the restored one takes its name; the old is then removed."""
    old = None
    if target.exists():
        os.chmod(staged, stat.S_IMODE(target.stat().st_mode))
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.rename(target, old)
    try:
        os.rename(staged, target)
    except OSError:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _add_missing(staged: Path, target: Path) -> int:
    """The credit drop folder is what was handed to the credit channel: files delivered since the backup
    stay, and only lost ones come back (a file's name is its idempotency key, so nothing is duplicated)."""
    added = 0
    for rel, path in list(_files(staged)):
        destination = target / rel
        if not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, destination)
            added += 1
    return added


def _upgrade() -> None:
    from alembic import command

    try:
        command.upgrade(current_app.extensions["migrate"].migrate.get_config(), "head")
    except Exception as exc:
        raise BackupError(f"数据库已按备份恢复，但升级数据库结构失败（{exc}）：排除问题后请执行 flask --app wsgi db upgrade。") from exc


def _reindex() -> list[str] | None:
    """Search indexes are derived from the database: rebuild them from the restored rows."""
    from search import SearchUnavailable

    from ..indexing import services as indexing

    try:
        return [indexing.reindex(name) for name in indexing.INDEXED_MODELS]
    except SearchUnavailable:
        return None
    finally:
        db.session.remove()


def _fsync_dir(path: Path) -> None:
    """A rename is durable only once its directory is on disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
