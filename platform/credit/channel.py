"""The credit channel (信用中国（广西）/ 广西公共信用信息平台): what a record looks like there, and the
two ways it gets there — HTTP (DESIGN §4) or 双公示 CSV and JSON files dropped into a folder.

A channel takes a batch of outgoing messages and says, for each, whether it was delivered, should be
retried, or is refused for good (a dead letter). It touches no database: the outbox in jobs.py does.
"""
import csv
import io
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, ProtocolError, TimeoutError

from . import rules

# The 双公示 administrative-penalty field set (行政处罚信息): English keys in code, the national headers in files.
FIELDS = [
    ("subject_name", "行政相对人名称"),
    ("subject_category", "行政相对人类别"),
    ("uscc", "统一社会信用代码"),
    ("legal_representative", "法定代表人"),
    ("decision_no", "行政处罚决定书文号"),
    ("violation_type", "违法行为类型"),
    ("facts", "违法事实"),
    ("legal_basis", "处罚依据"),
    ("penalty_category", "处罚类别"),
    ("penalty_content", "处罚内容"),
    ("fine_wan_yuan", "罚款金额（万元）"),
    ("decided_on", "处罚决定日期"),
    ("valid_until", "处罚有效期"),
    ("publish_until", "公示截止期"),
    ("office_name", "处罚机关"),
    ("office_uscc", "处罚机关统一社会信用代码"),
    ("source_unit", "数据来源单位"),
    ("source_unit_uscc", "数据来源单位统一社会信用代码"),
    ("remarks", "备注"),
]
# Fields never shown on the platform's own public pages (the channel receives the full set).
NOT_ON_PUBLIC_PAGES = {"legal_representative"}
WITHDRAW_FIELDS = [
    ("subject_name", "行政相对人名称"),
    ("uscc", "统一社会信用代码"),
    ("decision_no", "行政处罚决定书文号"),
    ("withdrawal_reason", "撤下原因"),
    ("withdrawn_on", "撤下日期"),
    ("commitment", "信用承诺"),
]


# The 双公示 field set's convention: a 处罚有效期 of 2099-12-31 means 长期 (no end of its own).
LONG_TERM = date(2099, 12, 31)


def wan_yuan(fine_yuan: Decimal) -> str:
    return f"{(Decimal(fine_yuan) / 10000).normalize():f}"


def record_fields(record) -> dict:
    """The record in the 双公示 field set, values as text (dates ISO 8601)."""
    decision = record.decision
    fine = Decimal(decision.fine_yuan)
    return {
        "subject_name": record.subject_name,
        "subject_category": rules.SUBJECT_CATEGORY,
        "uscc": record.subject_uscc,
        "legal_representative": record.legal_representative or "",
        "decision_no": decision.decision_no,
        "violation_type": decision.violation_type,
        "facts": decision.facts,
        "legal_basis": decision.legal_basis,
        "penalty_category": rules.PENALTY_CATEGORY if fine > 0 else rules.NO_FINE_CATEGORY,
        "penalty_content": f"罚款人民币 {fine:,.2f} 元" if fine > 0 else "责令公布能源消耗或重点污染物产生、排放情况",
        "fine_wan_yuan": wan_yuan(fine),
        "decided_on": decision.decided_on.isoformat(),
        "valid_until": decision.valid_until.isoformat(),  # 处罚有效期 (2099-12-31: 长期)
        "publish_until": record.publish_until.isoformat(),  # 公示截止期, from the severity's period
        "office_name": decision.office_name,
        "office_uscc": decision.office_uscc or "",
        "source_unit": decision.office_name,
        "source_unit_uscc": decision.office_uscc or "",
        "remarks": decision.remarks or "",
    }


def withdraw_fields(record) -> dict:
    repair = next((r for r in reversed(record.repairs) if r.state == "approved"), None)
    return {
        "subject_name": record.subject_name,
        "uscc": record.subject_uscc,
        "decision_no": record.decision.decision_no,
        "withdrawal_reason": record.withdrawal_label,
        "withdrawn_on": record.withdrawn_on.isoformat() if record.withdrawn_on else "",
        "commitment": repair.commitment if repair else "",
    }


class ChannelNotConfigured(RuntimeError):
    pass


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    kind: str  # publish | withdraw
    key: str  # the delivery's idempotency key
    record_key: str
    body: dict
    rows: list  # [(header, value)] for the file channel


def outgoing(delivery) -> Outgoing:
    record = delivery.record
    if delivery.kind == "publish":
        fields, labels = record_fields(record), FIELDS
        body = {"idempotency_key": record.idempotency_key, "severity": record.severity, **fields}
    else:
        fields, labels = withdraw_fields(record), WITHDRAW_FIELDS
        body = {"idempotency_key": delivery.idempotency_key, "record_key": record.idempotency_key, **fields}
    return Outgoing(delivery.id, delivery.kind, delivery.idempotency_key, record.idempotency_key, body,
                    [(label, fields[key]) for key, label in labels])


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    result: str  # delivered | retry | dead
    error: str | None = None
    status_code: int | None = None


# --- HTTP ---------------------------------------------------------------------------------------------

class HttpChannel:
    """`POST {url}/records` (publish) and `POST {url}/records/<key>/withdraw`, with an Idempotency-Key header.

    2xx or 409 (the channel already has that key) = delivered; 5xx, 408, 429, timeouts and connection
    errors = try again later; any other answer = a dead letter, with the channel's reason kept.
    """

    def __init__(self, url: str, timeout: float, concurrency: int):
        if not url:
            raise ChannelNotConfigured("CREDIT_CHANNEL=http 需要设置 CREDIT_CHANNEL_URL。")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
        self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="credit-http")
        # urllib3 (what requests is built on) directly: requests cost a millisecond of interpreter time
        # per call, half a 10,000-record delivery. One keep-alive connection per sending thread; no
        # automatic retries or redirects, since the outbox decides what is sent again.
        self._http = urllib3.PoolManager(
            maxsize=self.concurrency, retries=False, timeout=urllib3.Timeout(connect=timeout, read=timeout)
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._http.clear()

    def worst_case_seconds(self, batch: int) -> float:
        return self.timeout * -(-batch // self.concurrency)

    def deliver(self, batch: list[Outgoing]) -> list[Outcome]:
        return list(self._pool.map(self._send, batch))

    def _send(self, item: Outgoing) -> Outcome:
        url = f"{self.url}/records" if item.kind == "publish" else f"{self.url}/records/{item.record_key}/withdraw"
        try:
            response = self._http.request(
                "POST", url, body=json.dumps(item.body).encode(),
                headers={"Content-Type": "application/json", "Idempotency-Key": item.key}, redirect=False,
            )
        except (NewConnectionError, ProtocolError) as exc:  # refused, reset; NewConnectionError is a TimeoutError
            return Outcome(item.delivery_id, "retry", f"无法连接信用信息平台：{exc.__class__.__name__}")
        except TimeoutError:
            return Outcome(item.delivery_id, "retry", f"信用信息平台在 {self.timeout:g} 秒内未响应")
        except (HTTPError, ValueError) as exc:
            return Outcome(item.delivery_id, "retry", f"请求信用信息平台出错：{exc}")
        code = response.status
        if 200 <= code < 300 or code == 409:
            return Outcome(item.delivery_id, "delivered", status_code=code)
        reason = f"HTTP {code}：{response.data.decode('utf-8', 'replace').strip()[:500] or response.reason}"
        if code >= 500 or code in (408, 429):
            return Outcome(item.delivery_id, "retry", reason, code)
        return Outcome(item.delivery_id, "dead", reason, code)


# --- file drop ----------------------------------------------------------------------------------------

class FileChannel:
    """双公示 files into a folder: `<key>.csv` (Chinese headers, UTF-8 with BOM) and `<key>.json`.

    Each file is written to a temporary name and renamed into place, so a reader never sees half a
    file; the name is the delivery's idempotency key, so sending again overwrites instead of adding.
    """

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def close(self) -> None:
        pass

    def worst_case_seconds(self, batch: int) -> float:
        return batch * 0.5

    def deliver(self, batch: list[Outgoing]) -> list[Outcome]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return [Outcome(item.delivery_id, "retry", f"无法创建报送目录：{exc}") for item in batch]
        return [self._write(item) for item in batch]

    def _write(self, item: Outgoing) -> Outcome:
        headers = [label for label, _ in item.rows]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerow([value for _, value in item.rows])
        document = {"幂等键": item.key, "操作": "公示" if item.kind == "publish" else "撤下", **dict(item.rows)}
        try:
            self._atomic_write(f"{item.key}.csv", out.getvalue().encode("utf-8-sig"))
            self._atomic_write(f"{item.key}.json", json.dumps(document, ensure_ascii=False, indent=1).encode())
        except OSError as exc:
            return Outcome(item.delivery_id, "retry", f"写入报送文件失败：{exc}")
        return Outcome(item.delivery_id, "delivered")

    def _atomic_write(self, name: str, data: bytes) -> None:
        target = self.folder / name
        tmp = self.folder / f".{name}.{os.getpid()}.{threading.get_ident()}.part"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)


DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_CONCURRENCY = 4


def channel_for(config):
    """The configured channel: CREDIT_CHANNEL=http (CREDIT_CHANNEL_URL) or file (CREDIT_DROP_DIR, the default)."""
    kind = (config.get("CREDIT_CHANNEL") or "file").lower()
    if kind == "http":
        return HttpChannel(config.get("CREDIT_CHANNEL_URL", ""),
                           float(config.get("CREDIT_CHANNEL_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)),
                           int(config.get("CREDIT_CHANNEL_CONCURRENCY", DEFAULT_CONCURRENCY)))
    if kind == "file":
        return FileChannel(config["CREDIT_DROP_DIR"])
    raise ChannelNotConfigured(f"CREDIT_CHANNEL 应为 http 或 file，而不是“{kind}”。")
