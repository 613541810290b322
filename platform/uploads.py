"""Uploaded files: the client's name made safe, PDF checks, and storage outside static/.

A file is stored under a random name in a folder of UPLOAD_DIR (written to a temporary name and
renamed, so no reader sees half a file) and served only after the feature's permission check.
Audit reports and credit-repair proofs both go through here.
"""
import os
import uuid
from pathlib import Path

from flask import current_app
from werkzeug.security import safe_join

from .errors import NotFound, ValidationError

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
    return stored_name


def stored_file(folder: str, stored_name: str) -> Path:
    """Where a stored upload lives: inside UPLOAD_DIR/folder whatever the row says (a row restored
    or edited by hand cannot make the server read another file)."""
    path = safe_join(str(Path(current_app.config["UPLOAD_DIR"]) / folder), stored_name)
    if path is None:
        raise NotFound("文件不存在，请联系系统管理员。")
    return Path(path)
