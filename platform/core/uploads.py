"""Uploaded files: the client's name made safe, PDF checks, and storage outside static/.

A file is stored under a random name in a folder of UPLOAD_DIR (written to a temporary name and
renamed, so no reader sees half a file) and served only after the feature's permission check.
It belongs to the transaction that stores it: if that transaction is rolled back (a later check
refuses the request, the commit fails), the file is deleted, so no file outlives the row that was
to refer to it. Audit reports and credit-repair proofs both go through here.
"""
import logging
import os
import uuid
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.security import safe_join

from .errors import NotFound, ValidationError
from .extensions import db

log = logging.getLogger(__name__)
#: Session.info key: files stored in the session's current transaction, not yet committed.
_UNCOMMITTED = "uploads_uncommitted"

PDF_MAGIC = b"%PDF-"
PDF_MAX_BYTES = 50 * 1024 * 1024


def client_filename(filename: str | None) -> str:
    """The name a client gave its file, fit to show and to offer back as a download: no folders (of
    either slash), no control or format characters (NUL, line breaks, right-to-left overrides), at
    most 255 characters with its extension kept. The file itself is stored under a random name."""
    name = "".join(ch for ch in str(filename or "") if ch.isprintable())
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = stem[:254 - len(extension)] + dot + extension if dot and len(extension) < 10 else name[:255]
    return name


def check_pdf(data: bytes, filename: str | None, *, label: str, field: str) -> str:
    """The client's name of a PDF upload, or a refusal naming `label` (审核报告, 证明材料) and `field`."""
    name = client_filename(filename)
    if not name.lower().endswith(".pdf"):
        raise ValidationError(f"{label}须为 PDF 文件（.pdf）。", field)
    if not data:
        raise ValidationError("上传的文件是空的。", field)
    if len(data) > PDF_MAX_BYTES:
        raise ValidationError(f"{label}不能超过 {PDF_MAX_BYTES // 1024 // 1024} MB。", field)
    if not data.startswith(PDF_MAGIC):
        raise ValidationError(f"文件内容不是 PDF，请上传 PDF 格式的{label}。", field)
    return name


def store(folder: str, data: bytes, suffix: str = ".pdf") -> str:
    """Write `data` under a new random name in UPLOAD_DIR/folder; return that name."""
    stored_name = f"{uuid.uuid4().hex}{suffix}"
    target = Path(current_app.config["UPLOAD_DIR"]) / folder
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / f".{stored_name}.part"
    tmp.write_bytes(data)
    os.replace(tmp, target / stored_name)
    db.session.connection()  # the session's transaction, begun now if need be: the file is its
    db.session.info.setdefault(_UNCOMMITTED, []).append(target / stored_name)
    return stored_name


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session):
    session.info.pop(_UNCOMMITTED, None)


@event.listens_for(Session, "after_transaction_end")
def _delete_files_of_a_rolled_back_transaction(session, transaction):
    if transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    for path in session.info.pop(_UNCOMMITTED, ()):  # still here: the transaction did not commit
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.warning("could not delete %s, stored by a transaction that was rolled back", path)


def stored_file(folder: str, stored_name: str) -> Path:
    """Where a stored upload lives: inside UPLOAD_DIR/folder whatever the row says (a row restored
    or edited by hand cannot make the server read another file)."""
    path = safe_join(str(Path(current_app.config["UPLOAD_DIR"]) / folder), stored_name)
    if path is None:
        raise NotFound("文件不存在，请联系系统管理员。")
    return Path(path)
