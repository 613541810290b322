"""The production layout for tests: gunicorn workers and `flask scheduler run` processes against
PostgreSQL and Elasticsearch, with their own database, index prefix and folders, and HTTP clients.

Used by test_multiprocess.py (and by bench/load.py for the same set-up under load).
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from urllib.parse import urlencode
from dataclasses import dataclass, field
from pathlib import Path

import urllib3
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_database(base_url: str, name: str) -> str:
    """A new database beside `base_url`'s, and its URL."""
    base = make_url(base_url)
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    engine.dispose()


@dataclass
class Stack:
    """Processes of one installation; `env` is what each of them is started with."""

    env: dict
    home: Path
    processes: dict = field(default_factory=dict)  # name -> Popen

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.home / f"{name}.log", "wb")
        process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        return process

    def gunicorn(self, port: int, workers: int = 3, name: str = "gunicorn", extra=()) -> subprocess.Popen:
        process = self.start(name, [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                                    "--graceful-timeout", "5", *extra, "wsgi:app"])
        wait_for_http(f"http://127.0.0.1:{port}/", process, self.log(name))
        return process

    def scheduler(self, name: str) -> subprocess.Popen:
        process = self.start(name, [str(BIN / "flask"), "--app", "wsgi", "scheduler", "run"])
        deadline = time.monotonic() + 60
        while "调度器已启动" not in self.log(name):
            assert process.poll() is None, f"{name} exited:\n{self.log(name)}"
            assert time.monotonic() < deadline, f"{name} did not start:\n{self.log(name)}"
            time.sleep(0.1)
        return process

    def holder_of(self, name: str) -> str:
        """The scheduler's lease holder id, as it printed it at start (host:pid:nonce)."""
        return re.search(r"调度器已启动（([^）]+)）", self.log(name)).group(1)

    def flask(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"flask {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def log(self, name: str) -> str:
        path = self.home / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, name: str, sig=signal.SIGTERM, timeout: float = 20) -> int | None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        os.killpg(process.pid, sig)
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            return process.wait(10)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)


def production_env(home: Path, database_url: str, elasticsearch_url: str, prefix: str, **extra) -> dict:
    """The environment of the README's production set-up, in `home`."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST", "TEST_DATABASE", "FAIL_ON", "REQUIRE_"))}
    env.update({
        "PLATFORM_ENV": "production", "SECRET_KEY": uuid.uuid4().hex, "DATABASE_URL": database_url,
        "SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": elasticsearch_url, "SEARCH_INDEX_PREFIX": prefix,
        "INSTANCE_PATH": str(home / "instance"), "UPLOAD_DIR": str(home / "uploads"),
        "CREDIT_DROP_DIR": str(home / "credit-drop"), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
    })
    env.update({key: str(value) for key, value in extra.items()})
    return env


def wait_for_http(url: str, process=None, log: str = "", timeout: float = 60) -> None:
    http = urllib3.PoolManager(retries=False, timeout=2)
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}):\n{log}")
        try:
            if http.request("GET", url).status < 500:
                return
        except urllib3.exceptions.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer within {timeout} s:\n{log}")
        time.sleep(0.2)


class Browser:
    """A user agent with its own cookies. It sends them over plain HTTP although production marks
    them Secure: the test stands where a TLS-terminating proxy would."""

    CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

    def __init__(self, base: str):
        self.base = base
        self.http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=60))
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict | None = None, headers: dict | None = None,
                body: bytes | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = self.http.request(method, self.base + path, body=body, headers=headers, redirect=False)
        for header in response.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Expires=Thu, 01 Jan 1970" not in header:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def csrf(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        return self.CSRF.search(page.data.decode()).group(1)

    def log_in(self, username: str, password: str) -> None:
        token = self.csrf("/login")
        response = self.request("POST", "/login", fields={"username": username, "password": password,
                                                          "csrf_token": token})
        assert response.status == 302, response.data.decode()[:500]


def api(base: str, token: str):
    """`call(method, path, body)` -> (status, json) with a bearer token."""
    http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=60))

    def call(method: str, path: str, body: dict | None = None):
        response = http.request(method, base + path, body=None if body is None else json.dumps(body).encode(),
                                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            payload = json.loads(response.data or b"null")
        except ValueError:
            payload = response.data.decode(errors="replace")[:500]
        return response.status, payload

    return call
