"""Uploads: a name cannot take a file out of its folder, a download reads only its folder, a body
larger than MAX_CONTENT_LENGTH is refused (413, in Chinese) before it is read, and a file that is
not a PDF — whatever its name says — is refused in Chinese. Nothing refused leaves a file or a row.

Audit reports (audits.services._store_report, the enterprise's upload page, the downloads of the
audit pages and of the expert panel) and credit-repair proofs (credit.services, the repair form).
"""
import io
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from abuse_helpers import abuse, approved_record, bearer, delta, nasty_text, row_counts
from platform.audits import services as audits
from platform.audits.models import ReportFile
from platform.credit.models import RepairApplication
from platform.core.errors import NotFound, ValidationError
from platform.core.extensions import db
from tests.schemes.builders import drive, list_enterprise

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
ESCAPING_NAMES = [
    "../../etc/passwd.pdf",
    "../../../../../../tmp/evil.pdf",
    "/etc/passwd.pdf",
    "/tmp/evil.pdf",
    "..\\..\\windows\\evil.pdf",
    "C:\\Windows\\evil.pdf",
    "reports/../../evil.pdf",
    "....//....//evil.pdf",
    "%2e%2e%2f%2e%2e%2fevil.pdf",
    "a\x00.pdf",
    "evil.pdf\x00.exe",
    "审核报告" * 100 + ".pdf",  # longer than the column
    "x" * 300 + ".pdf",
    "报告🙂\u202egpj.pdf",
    'a"b;c=d\r\nX-Injected: 1.pdf',
    " .pdf",
    "CON.pdf",
]


def files_under(root: Path) -> set[Path]:
    return {Path(folder) / name for folder, _, names in os.walk(root) for name in names}


@pytest.fixture
def sandbox(app, tmp_path):
    """UPLOAD_DIR three levels down a fresh folder: any file that escapes it lands beside it, in view."""
    root = tmp_path / "sandbox"
    app.config["UPLOAD_DIR"] = str(root / "a" / "b" / "uploads")
    return root


def assert_inside(root: Path, folder: str) -> set[Path]:
    uploads = root / "a" / "b" / "uploads"
    found = files_under(root)
    for path in found:
        assert path.resolve().is_relative_to((uploads / folder).resolve()), f"{path} escaped the upload folder"
        assert path.suffix == ".pdf" and len(path.stem) == 32 and not path.name.startswith(".")
    return found


# --- audit reports -----------------------------------------------------------------------------------------

@pytest.fixture
def auditing(world):
    return drive(list_enterprise(world.ent_a), "auditing")


@abuse
@given(name=st.one_of(st.sampled_from(ESCAPING_NAMES), nasty_text.map(lambda s: s + ".pdf"), nasty_text))
def test_a_stored_report_lands_in_the_reports_folder_whatever_its_name(app, world, auditing, sandbox, name):
    before = files_under(sandbox)
    try:
        report = audits._store_report(world.enterprise_a, auditing, PDF, name)
    except ValidationError as refused:
        assert refused.field == "file" and "PDF" in refused.message
        assert files_under(sandbox) == before
        return
    db.session.flush()
    assert_inside(sandbox, "reports")
    assert len(report.original_name) <= 255 and "/" not in report.original_name and "\x00" not in report.original_name
    stored, path = audits.report_path(world.regulator_a, report.id)
    assert path.read_bytes() == PDF
    db.session.rollback()


# Every name goes through _store_report above; the page and the download get one of each kind.
PAGE_NAMES = ["../../etc/passwd.pdf", "/etc/passwd.pdf", "..\\..\\windows\\evil.pdf", "evil.pdf\x00.exe",
              "审核报告" * 100 + ".pdf", 'a"b;c=d\r\nX-Injected: 1.pdf']


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_the_upload_page_stores_a_report_inside_its_folder_and_serves_it_back(app, world, auditing, sandbox,
                                                                              client_for, name):
    response = client_for(world.enterprise_a).post(
        f"/audits/rounds/{auditing.id}/report", content_type="multipart/form-data",
        data={"on": "2026-02-01", "file": (io.BytesIO(PDF), name)})
    assert response.status_code == 302
    assert_inside(sandbox, "reports")
    report = db.session.scalar(select(ReportFile).where(ReportFile.round_id == auditing.id))
    if report is None:  # refused: a name that does not end in .pdf once its folders are dropped
        assert files_under(sandbox) == set()
        return
    download = client_for(world.regulator_a).get(f"/audits/reports/{report.id}")
    assert download.status_code == 200 and download.get_data() == PDF
    disposition = download.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition.split("filename")[1]


@pytest.mark.parametrize("data, name, reason", [
    (EXE, "审核报告.pdf", "文件内容不是 PDF"),
    (b"", "审核报告.pdf", "上传的文件是空的"),
    (b" %PDF-1.4", "审核报告.pdf", "文件内容不是 PDF"),
    (b"<html><script>alert(1)</script></html>", "审核报告.pdf", "文件内容不是 PDF"),
    (PDF, "审核报告.exe", "须为 PDF 文件"),
    (PDF, "审核报告.pdf.exe", "须为 PDF 文件"),
    (PDF, "审核报告", "须为 PDF 文件"),
])
def test_a_report_that_is_no_pdf_is_refused_in_chinese_and_leaves_nothing(app, world, auditing, sandbox, client_for,
                                                                          data, name, reason):
    client = client_for(world.enterprise_a)
    before = row_counts()
    response = client.post(f"/audits/rounds/{auditing.id}/report", content_type="multipart/form-data",
                           data={"on": "2026-02-01", "file": (io.BytesIO(data), name)}, follow_redirects=True)
    assert response.status_code == 200 and reason in response.get_data(as_text=True)
    assert files_under(sandbox) == set() and row_counts() == before
    assert auditing.state == "auditing"


def _tamper(report: ReportFile, stored_name: str) -> None:
    report.stored_name = stored_name
    db.session.commit()


@pytest.mark.parametrize("stored_name", ["../../secret.pdf", "../../../secret.pdf", "/etc/hostname"])
def test_a_download_reads_only_its_folder_even_if_the_row_names_a_path_outside(app, world, auditing, sandbox,
                                                                               client_for, stored_name):
    """Defence in depth: a row restored from a backup or edited by hand cannot make the server read
    a file outside the uploads folder."""
    report = audits.submit_report(world.enterprise_a, auditing, on=date(2026, 2, 1), data=PDF,
                                  filename="审核报告.pdf", today=date(2026, 2, 1))
    db.session.commit()
    secret = sandbox / "a" / "secret.pdf"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_bytes(b"%PDF-secret")
    _tamper(report, stored_name)
    with pytest.raises(NotFound):
        audits.report_path(world.regulator_a, report.id)
    response = client_for(world.regulator_a).get(f"/audits/reports/{report.id}")
    assert response.status_code == 404 and b"secret" not in response.get_data()


# --- credit repair proofs ----------------------------------------------------------------------------------

@pytest.fixture
def repairable(world):
    """A published-or-approved general record of ent_a decided 150 days ago: repairable today."""
    return approved_record(world, "桂环罚〔2026〕9号")


def _apply(client, record, data: bytes, name: str):
    return client.post(f"/credit/records/{record.id}/repair", content_type="multipart/form-data", data={
        "correction": "已缴纳罚款并公开信息。", "proof": (io.BytesIO(data), name),
        "paid_yuan": str(record.decision.fine_yuan), "paid_on": record.decision.decided_on.isoformat(),
        "voucher": (io.BytesIO(PDF), "缴款凭证.pdf"),
        "commitment": "本企业承诺所提交材料真实有效。", "commitment_public": "y"})


@pytest.mark.parametrize("name", PAGE_NAMES[:4])
def test_a_repair_proof_lands_in_its_folder_and_is_served_back_from_there(app, world, repairable, sandbox,
                                                                         client_for, name):
    response = _apply(client_for(world.enterprise_a), repairable, PDF, name)
    assert response.status_code in (302, 422)
    assert_inside(sandbox, "credit-repair")
    repair = db.session.scalar(select(RepairApplication))
    if response.status_code == 422:
        assert repair is None and files_under(sandbox) == set()
        return
    assert len(repair.proof_original_name) <= 255
    download = client_for(world.regulator_a).get(f"/credit/repairs/{repair.id}/proof")
    assert download.status_code == 200 and download.get_data() == PDF


@pytest.mark.parametrize("data, name", [(EXE, "证明.pdf"), (PDF, "证明.exe"), (b"", "证明.pdf")])
def test_a_repair_proof_that_is_no_pdf_is_refused_in_chinese_and_leaves_nothing(app, world, repairable, sandbox,
                                                                                client_for, data, name):
    before = row_counts()
    response = _apply(client_for(world.enterprise_a), repairable, data, name)
    assert response.status_code == 422
    assert "PDF" in response.get_data(as_text=True) or "空的" in response.get_data(as_text=True)
    assert files_under(sandbox) == set() and delta(before, row_counts()) == {}


def test_a_proof_download_reads_only_its_folder(app, world, repairable, sandbox, client_for):
    assert _apply(client_for(world.enterprise_a), repairable, PDF, "证明.pdf").status_code == 302
    repair = db.session.scalar(select(RepairApplication))
    (sandbox / "a" / "secret.pdf").write_bytes(b"%PDF-secret")
    repair.proof_stored_name = "../../secret.pdf"
    db.session.commit()
    response = client_for(world.regulator_a).get(f"/credit/repairs/{repair.id}/proof")
    assert response.status_code == 404 and b"secret" not in response.get_data()


# --- bodies larger than allowed ------------------------------------------------------------------------------

class Tripwire(io.RawIOBase):
    """A request body of `size` bytes, made up as it is read, that counts what is read from it and
    fails the test past `allowed` bytes. (Seekable only so that the test client can measure it.)"""

    def __init__(self, size: int, allowed: int = 0):
        self.size, self.allowed, self.position, self.read_bytes = size, allowed, 0, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = offset if whence == io.SEEK_SET else self.size + offset
        return self.position

    def readinto(self, buffer):
        count = max(0, min(len(buffer), self.size - self.position))
        if self.read_bytes + count > self.allowed:
            raise AssertionError(f"the body was read past {self.allowed} bytes")
        buffer[:count] = b"-" * count
        self.position += count
        self.read_bytes += count
        return count


UPLOADS = [  # (who, path): every form that takes a file
    ("enterprise_a", "/audits/rounds/{round}/report"),
    ("regulator_a", "/enterprises/import"),
    ("enterprise_a", "/schemes/import"),
    ("enterprise_a", "/credit/records/1/repair"),
    (None, "/login"),  # not an upload, but a POST all the same
]


@pytest.mark.parametrize("who, path", UPLOADS)
def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(app, world, sandbox, client_for, who, path):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit and limit <= 100 * 1024 * 1024
    body = Tripwire(size=limit + 1)
    before = row_counts()
    client = client_for(getattr(world, who)) if who else app.test_client()
    response = client.post(path.format(round=1), input_stream=body,
                           content_type="multipart/form-data; boundary=x")
    assert response.request.content_length == limit + 1
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)
    assert body.read_bytes == 0
    assert files_under(sandbox) == set() and row_counts() == before


def test_the_api_refuses_an_oversized_json_body_with_413_in_json(app, world):
    body = Tripwire(size=app.config["MAX_CONTENT_LENGTH"] + 1)
    response = app.test_client().post("/api/v1/cases/1/rectification", input_stream=body,
                                      content_type="application/json", headers=bearer(world.regulator_a))
    assert response.status_code == 413 and response.is_json
    assert response.get_json()["error"]["message"] == "上传的文件超过了允许的大小。"
    assert body.read_bytes == 0


@pytest.mark.config(MAX_CONTENT_LENGTH=64 * 1024)
def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(app, world, auditing, sandbox, client_for):
    """No Content-Length to check up front: the server stops reading at the limit, then refuses."""
    body = Tripwire(size=10 * 1024 * 1024, allowed=256 * 1024)
    response = client_for(world.enterprise_a).post(
        f"/audits/rounds/{auditing.id}/report", input_stream=body, content_type="multipart/form-data; boundary=x",
        environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})
    assert response.status_code == 413 and "文件过大" in response.get_data(as_text=True)
    assert body.read_bytes <= 128 * 1024
    assert files_under(sandbox) == set()
