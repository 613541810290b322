"""A stand-in for the credit channel's HTTP interface (DESIGN §4), for tests, the benchmark and local trials.

It keeps what it accepted, answers 409 to a key it already has (as the real channel does), and can
be scripted to answer 500, to hang past the client's timeout (and accept the record anyway, as a
slow server would), or to refuse with a 4xx. It also counts what a correct publisher never does:
send a key again after the channel had answered it in time.

    with FakeCreditChannel(plan=lambda n, kind, key: "error" if n % 5 == 0 else "ok") as sink:
        app.config["CREDIT_CHANNEL_URL"] = sink.url
"""
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# What the plan may answer: accept, fail (500), hang past the timeout then accept, refuse (422).
ACTIONS = ("ok", "error", "hang", "reject")


@dataclass
class Received:
    number: int  # 1-based, in order of arrival
    kind: str  # publish | withdraw
    key: str  # the Idempotency-Key header
    body: dict
    status: int
    action: str


class FakeCreditChannel:
    def __init__(self, plan=None, hang_seconds: float = 1.0):
        self.plan = plan or (lambda number, kind, key: "ok")
        self.hang_seconds = hang_seconds
        self.accepted: dict[str, dict] = {}  # record key -> body, first acceptance only
        self.withdrawn: dict[str, dict] = {}
        self.received: list[Received] = []
        self.resent_after_ack = 0  # requests for a key the channel had already answered 2xx/409 in time
        self._acknowledged: set[str] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-credit-channel", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def keys_received(self, kind: str = "publish") -> set[str]:
        return {r.key for r in self.received if r.kind == kind}

    def _answer(self, kind: str, key: str, record_key: str, body: dict) -> tuple[int, str, bool]:
        """(status, action, hang) for one request; stores what is accepted."""
        with self._lock:
            number = len(self.received) + 1
            action = self.plan(number, kind, key) or "ok"
            if key in self._acknowledged:
                self.resent_after_ack += 1
            store = self.accepted if kind == "publish" else self.withdrawn
            if action == "error":
                status = 500
            elif action == "reject":
                status = 422
            elif kind == "withdraw" and record_key not in self.accepted:
                status = 404
            elif key in store:
                status = 409
            else:
                store[key] = body
                status = 201
            if status in (201, 409) and action != "hang":
                self._acknowledged.add(key)
            self.received.append(Received(number, kind, key, body, status, action))
        return status, action, action == "hang"

    def _handler(self):
        channel = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One segment per answer, sent at once: headers and body apart would meet the client's
            # delayed ACK (Nagle), 40 ms a request.
            wbufsize = -1
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key", "")
                parts = self.path.strip("/").split("/")
                if parts == ["records"]:
                    kind, record_key = "publish", key
                elif len(parts) == 3 and parts[0] == "records" and parts[2] == "withdraw":
                    kind, record_key = "withdraw", parts[1]
                else:
                    return self._reply(404, {"error": "not found"})
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    return self._reply(400, {"error": "invalid JSON"})
                if not key:
                    return self._reply(400, {"error": "Idempotency-Key required"})
                status, action, hang = channel._answer(kind, key, record_key, body)
                if hang:
                    time.sleep(channel.hang_seconds)
                message = {500: "temporarily unavailable", 422: "字段“违法事实”不符合规范",
                           404: "no such record"}.get(status, "ok")
                self._reply(status, {"status": status, "message": message})

            def _reply(self, status: int, payload: dict):
                data = json.dumps(payload, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a hang)

        return Handler
