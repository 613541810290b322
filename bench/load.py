"""Load on the public read endpoints (issue 17), with wrk from Debian, on loopback, in two set-ups:

- embedded: what `make run` serves — SQLite, the embedded search engine, the scheduler in-process,
  waitress with platform/server.py's settings — on the demo data;
- production: the README's production set-up — PostgreSQL 15 (scripts/pg-test-server), Elasticsearch
  (scripts/es-test-server, port 9260, full JIT), `gunicorn -w 4` and one `flask scheduler run` —
  on the same demo data.

In each set-up the same run first measures a minimal Flask app returning a small JSON on the same
server settings (bench/minimal_app.py): the ceiling. Each endpoint's throughput is reported as a
share of it. Goals, at 32 connections: at least 25 % of the ceiling, p99 under 100 ms, every answer
2xx; at 256 connections: no errors, no dropped connections, p99 under 1 s.

    .venv/bin/python bench/load.py [--seconds 8] [--setups embedded,production]
    PAGE_CACHE=0 .venv/bin/python bench/load.py      # the same without the page cache, for comparison

BENCH_LOAD_SECONDS (default 8, at most 60) is the measured time per endpoint and level, after a
2-second warm-up; the ceiling is measured as long again after each endpoint, and each endpoint's share
is of the mean of the ceiling runs just before and after it (the machine may be busy with other work,
which then weighs on both). `make bench` runs it with the other benchmarks.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

import urllib3

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests" / "production"))

from stack import free_port, wait_for_http  # noqa: E402

QUERY = quote("余热回收")
ENDPOINTS = ["/", "/api/v1/stats/summary", f"/api/v1/technologies?q={QUERY}", "/audit-status/{uscc}", "/credit",
             f"/technologies?q={QUERY}", "/lists"]
LEVELS = (32, 256)
SHARE_GOAL, P99_GOAL_MS, P99_GOAL_256_MS = 0.25, 100, 1000
WARMUP_SECONDS = 2
BENCH_ES_PORT = "9260"
SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(url: str, connections: int, seconds: int) -> dict:
    """One wrk run: requests/s, p99 in ms, non-2xx/3xx answers and socket errors."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s", url],
                         capture_output=True, text=True, check=True).stdout
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p99": float(p99.group(1)) * SCALE[p99.group(2)],
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "errors": sum(map(int, sockets.groups())) if sockets else 0, "raw": out}


def check_answers(base: str, paths: list[str]) -> None:
    """Every path answers 200 once (and is warm) before it is loaded."""
    http = urllib3.PoolManager(retries=False, timeout=30)
    for path in paths:
        status = http.request("GET", base + path).status
        if status != 200:
            raise SystemExit(f"{base}{path} answered {status}, not 200")


def measure(setup: str, base: str, ceiling: str, paths: list[str], seconds: int) -> list[dict]:
    """Each endpoint at each level, between two runs of the ceiling: its share is of the mean of the
    ceiling just before and just after it, so that other work on the machine weighs on both alike."""
    rows = []
    for connections in LEVELS:
        wrk(ceiling, connections, WARMUP_SECONDS)
        before = wrk(ceiling, connections, seconds)
        tops = [before]
        for path in paths:
            wrk(base + path, connections, WARMUP_SECONDS)
            got = wrk(base + path, connections, seconds)
            after = wrk(ceiling, connections, seconds)
            tops.append(after)
            top = (before["rps"] + after["rps"]) / 2
            before = after
            share = got["rps"] / top
            shown = path.replace(QUERY, "余热回收")
            print(f"  {setup} {shown} @{connections}: {got['rps']:.0f}/s = {share:.0%} of {top:.0f}/s, "
                  f"p99 {got['p99']:.1f} ms (ceiling {after['p99']:.1f} ms), non-2xx {got['non2xx']}, "
                  f"socket errors {got['errors']}, load average {os.getloadavg()[0]:.1f}", flush=True)
            if connections == 32:
                passed = (share >= SHARE_GOAL and got["p99"] < P99_GOAL_MS and got["non2xx"] == 0
                          and got["errors"] == 0)
                rows.append({"figure": f"{setup}: {shown} @32", "goal": "≥25%,p99<100ms",
                             "measured": f"{share:.0%} p99 {got['p99']:.0f}ms"
                                         + (f" {got['non2xx']} non-2xx" if got["non2xx"] else ""),
                             "passed": passed})
            else:
                passed = got["p99"] < P99_GOAL_256_MS and got["non2xx"] == 0 and got["errors"] == 0
                rows.append({"figure": f"{setup}: {shown} @256", "goal": "0 errors,p99<1s",
                             "measured": f"{got['errors'] + got['non2xx']} err p99 {got['p99']:.0f}ms",
                             "passed": passed})
        rps = [t["rps"] for t in tops]
        rows.insert(len(rows) - len(paths), {
            "figure": f"{setup}: minimal Flask app @{connections}", "goal": "(ceiling)",
            "measured": f"{min(rps):.0f}-{max(rps):.0f}/s", "passed": all(t["errors"] == 0 for t in tops)})
    return rows


class Processes:
    def __init__(self, home: Path):
        self.home, self.running = home, []

    def run(self, argv, env, timeout=900) -> str:
        result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            raise SystemExit(f"{' '.join(map(str, argv))} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, name: str, argv, env, cwd=ROOT) -> subprocess.Popen:
        log = open(self.home / f"{name}.log", "wb")
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.running.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.running.clear()


def _uscc(processes: Processes, env: dict) -> str:
    code = ("import sys; sys.path.insert(0, '.'); sys.modules.pop('platform', None)\n"
            "from wsgi import app\nfrom platform.accounts.models import User\nfrom platform.core.extensions import db\n"
            "with app.app_context():\n"
            "    user = db.session.scalar(db.select(User).where(User.username == 'nn-enterprise'))\n"
            "    print(user.enterprise.uscc)\n")
    return processes.run([sys.executable, "-c", code], env).strip().splitlines()[-1]


def embedded(home: Path, seconds: int) -> list[dict]:
    home.mkdir(parents=True)
    processes = Processes(home)
    env = {**os.environ, "INSTANCE_PATH": str(home / "instance"), "PLATFORM_ENV": "development",
           "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "SEARCH_BACKEND", "ELASTICSEARCH_URL", "SECRET_KEY", "SCHEDULER_ENABLED"):
        env.pop(name, None)
    try:
        print("embedded: demo data, as make run loads it…", flush=True)
        uscc = _prepare(processes, env)
        port, top = free_port(), free_port()
        server = processes.start("waitress", [sys.executable, "wsgi.py", "--host", "127.0.0.1", "--port", str(port)],
                                 {**env, "SCHEDULER_ENABLED": "1"})
        minimal = processes.start("minimal", [sys.executable, "bench/minimal_app.py", "--host", "127.0.0.1",
                                              "--port", str(top)], env)
        base = f"http://127.0.0.1:{port}"
        wait_for_http(base + "/", server)
        wait_for_http(f"http://127.0.0.1:{top}/", minimal)
        paths = [p.format(uscc=uscc) for p in ENDPOINTS]
        check_answers(base, paths)
        return measure("embedded", base, f"http://127.0.0.1:{top}/", paths, seconds)
    finally:
        processes.stop()


def _prepare(processes: Processes, env: dict) -> str:
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    for args in (["db", "upgrade"], ["demo", "load"], ["search", "reindex"]):
        processes.run(flask + args, env)
    return _uscc(processes, env)


def production(home: Path, seconds: int) -> list[dict]:
    home.mkdir(parents=True)
    processes = Processes(home)
    # The cluster's own directory, which its unprivileged user must reach: not inside `home` (0700).
    pg_env = {**os.environ, "PG_WORK_DIR": tempfile.mkdtemp(prefix="gx-pg.")}
    es_env = {**os.environ, "ES_PORT": BENCH_ES_PORT, "ES_EXTRA_JAVA_OPTS": ""}
    pg, es = str(ROOT / "scripts" / "pg-test-server"), str(ROOT / "scripts" / "es-test-server")
    try:
        print("production: PostgreSQL 15 and Elasticsearch…", flush=True)
        subprocess.run([pg, "start"], env=pg_env, check=True)
        subprocess.run([es, "start"], env=es_env, check=True)
        database = subprocess.run([pg, "url"], env=pg_env, check=True, capture_output=True, text=True).stdout.strip()
        es_url = subprocess.run([es, "url"], env=es_env, check=True, capture_output=True, text=True).stdout.strip()
        env = {**os.environ, "PLATFORM_ENV": "production", "SECRET_KEY": uuid.uuid4().hex, "DATABASE_URL": database,
               "SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": es_url,
               "SEARCH_INDEX_PREFIX": f"load{uuid.uuid4().hex[:6]}_", "INSTANCE_PATH": str(home / "instance"),
               "PYTHONPATH": str(ROOT), "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}
        env.pop("SCHEDULER_ENABLED", None)
        print("production: demo data…", flush=True)
        uscc = _prepare(processes, env)
        port, top = free_port(), free_port()
        gunicorn = [str(BIN / "gunicorn"), "-w", "4", "-b"]  # the README's production command
        server = processes.start("gunicorn", gunicorn + [f"127.0.0.1:{port}", "wsgi:app"], env)
        processes.start("scheduler", [str(BIN / "flask"), "--app", "wsgi", "scheduler", "run"], env)
        minimal = processes.start("minimal", gunicorn + [f"127.0.0.1:{top}", "--chdir", str(ROOT / "bench"),
                                                          "minimal_app:app"], env)
        base = f"http://127.0.0.1:{port}"
        wait_for_http(base + "/", server)
        wait_for_http(f"http://127.0.0.1:{top}/", minimal)
        paths = [p.format(uscc=uscc) for p in ENDPOINTS]
        check_answers(base, paths)
        return measure("production", base, f"http://127.0.0.1:{top}/", paths, seconds)
    finally:
        processes.stop()
        subprocess.run([es, "stop"], env=es_env, check=False)
        subprocess.run([pg, "stop"], env=pg_env, check=False)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_LOAD_SECONDS", "8")))
    parser.add_argument("--setups", default="embedded,production")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    seconds = max(1, min(args.seconds, 60))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    rows = []
    home = Path(tempfile.mkdtemp(prefix="gxcp-bench-load-"))
    try:
        for setup in args.setups.split(","):
            rows += {"embedded": embedded, "production": production}[setup](home / setup, seconds)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return rows


if __name__ == "__main__":
    result = main()
    for row in result:
        print(f"{row['figure']:<56} {row['goal']:<16} {row['measured']:<26} {'pass' if row['passed'] else 'FAIL'}")
    sys.exit(0 if all(r["passed"] for r in result) else 1)
