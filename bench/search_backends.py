#!/usr/bin/env python3
"""Benchmark both search backends on a synthetic technology catalogue (issue 4).

Builds N (default 100,000) technology documents whose names and texts combine
the plan's seed technologies with industry names, cities and typical wording;
times a full ``rebuild`` on each backend (goal: under 60 s), then the latency of
representative public searches (published only, the catalogue's three facets,
20 a page), each sent twice: straight to the backend, and through the Flask
API ``GET /api/v1/technologies`` (the whole application in-process: routing,
the catalogue service, highlights, JSON). Goals: API p95 under 50 ms on each
backend, and within 1.5x of the same queries sent straight to Elasticsearch.

    .venv/bin/python bench/search_backends.py [--docs 100000] [--queries 200]
        [--es-url URL] [--sqlite PATH] [--backends embedded,elasticsearch]

Elasticsearch is measured when ELASTICSEARCH_URL / --es-url answers
(`scripts/es-test-server start`); otherwise only the embedded backend is. For
Elasticsearch throughput, start the server with the full JIT:
``ES_EXTRA_JAVA_OPTS= scripts/es-test-server start`` (the default favours a
fast start). "cpu s" is the CPU time of this process and its rebuild workers,
"server cpu s" that of the Elasticsearch node (from its stats API): on a busy
machine they show the cost better than the wall-clock times.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search import SearchQuery, make_backend  # noqa: E402
from search import text as search_text  # noqa: E402

INDEX = "technologies"
SUFFIXES = ("技术", "工艺", "成套装备", "系统", "集成技术", "改造技术")
MODIFIERS = ("", "", "高效", "低碳", "智能化", "新型", "节能型", "大型", "连续式", "一体化", "模块化", "绿色")
SCALES = ("大型", "中型", "中小型", "各类", "新建及改扩建")
PROCESSES = ("生产", "冶炼", "烧成", "干燥", "焙烧", "废水处理", "烟气治理", "余热利用", "原料预处理", "产品精制")
POLLUTANTS = ("颗粒物", "二氧化硫", "氮氧化物", "VOCs", "COD", "氨氮", "重金属", "二氧化碳")
PRINCIPLES = (
    "采用{core}，优化{process}工艺参数，降低单位产品能耗。",
    "通过{core}与在线监测相结合，实现{pollutant}的源头削减。",
    "利用{core}回收{process}过程中的余热余压，提高能源利用效率。",
    "以{core}替代传统工艺，减少{pollutant}产生量和排放量。",
    "集成{core}与智能控制系统，实现{process}全过程精细化管理。",
    "对{process}环节进行改造，配套{core}，稳定达到超低排放要求。",
)
CASES = (
    "{city}某{industry}企业应用后，年节约标准煤{n}吨，减少{pollutant}排放{m}吨。",
    "{city}{industry}示范项目投运{year}年，综合能耗下降{p}%。",
    "已在{city}等地{k}家企业推广应用，投资回收期约{y}年。",
)


def _csv(name: str) -> list[dict]:
    own = ROOT / "data" / name
    path = own if own.exists() else ROOT.parent / "shared" / "data" / name
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _core(name: str) -> str:
    for suffix in ("技术改造", "技术装备", "技术", "工艺"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def corpus(count: int, seed: int = 20261129):
    """``count`` (id, version, document) triples, the same for a given seed."""
    rng = random.Random(seed)
    seeds = _csv("seed_technologies.csv")
    industries = _csv("industries.csv")
    plan_industries = [row for row in industries if row["plan_sector"]] or industries
    cities = [row["name"] for row in _csv("guangxi_divisions.csv") if row.get("name", "").endswith("市")] or ["南宁市"]
    cores = [_core(row["name"]) for row in seeds]
    for number in range(1, count + 1):
        seed_row = rng.choice(seeds)
        core = rng.choice(cores) if rng.random() < 0.3 else _core(seed_row["name"])
        industry = rng.choice(plan_industries if rng.random() < 0.7 else industries)
        codes = [industry["code"]] + ([seed_row["industry_code"]] if seed_row["industry_code"] and rng.random() < 0.5 else [])
        codes = list(dict.fromkeys(codes))
        names = {row["code"]: row["name"] for row in industries}
        short = industry["name"].rstrip("业").replace("制造", "")[:6]
        name = f"{short}{rng.choice(MODIFIERS)}{core}{rng.choice(SUFFIXES)}"
        fill = {
            "core": core,
            "process": rng.choice(PROCESSES),
            "pollutant": rng.choice(POLLUTANTS),
            "city": rng.choice(cities),
            "industry": industry["name"],
            "n": rng.randrange(500, 50000, 100),
            "m": rng.randrange(5, 500),
            "year": rng.randrange(1, 6),
            "p": rng.randrange(5, 30),
            "k": rng.randrange(2, 40),
            "y": rng.randrange(1, 6),
        }
        yield str(number), 1, {
            "name": name,
            "category": seed_row["category"],
            "industry_codes": codes,
            "industry_names": [names[code] for code in codes],
            "scope": f"适用于{industry['name']}{rng.choice(SCALES)}企业的{fill['process']}环节",
            "principle": "".join(rng.choice(PRINCIPLES).format(**fill) for _ in range(2)),
            "indicators": f"综合能耗降低{fill['p']}%以上，{fill['pollutant']}排放浓度低于{rng.randrange(10, 100)}mg/m³",
            "benefits": f"年节约标准煤{fill['n']}吨，年经济效益约{rng.randrange(50, 5000)}万元",
            "case": rng.choice(CASES).format(**fill),
            "source": seed_row["source"],
            "source_year": rng.choice((2021, 2022, 2023, 2024, 2025)),
            "maturity": rng.choice(("推广", "示范")),
            "status": "published" if rng.random() < 0.9 else rng.choice(("draft", "withdrawn")),
        }


def queries(count: int, seed: int = 7) -> list[dict]:
    """Public-search API parameters: technology words, industries, pairs, filters, next pages."""
    rng = random.Random(seed)
    seeds = _csv("seed_technologies.csv")
    industries = [row for row in _csv("industries.csv") if row["plan_sector"]]
    words = ["余热回收", "电炉炼钢", "废水回用", "膜分离", "超低排放", "低氮燃烧", "水泥窑", "催化", "短流程",
             "除尘", "脱硫", "铝电解", "清洁生产", "节能", "甲醇", "废盐", "浓盐废水", "深度处理", "富氧", "粉煤灰"]
    words += [_core(row["name"]) for row in seeds]
    out = []
    for number in range(count):
        kind = number % 5
        if kind == 0:
            text = rng.choice(words)
        elif kind == 1:
            text = f"{rng.choice(words)} {rng.choice(('技术', '工艺', '改造', '系统'))}"
        elif kind == 2:
            text = rng.choice(industries)["name"][:4] + " " + rng.choice(words)
        elif kind == 3:
            text = rng.choice(words)[:2]
        else:
            text = ""
        params = {"q": text}
        if rng.random() < 0.3:
            params["category"] = rng.choice(("源头减量", "过程控制", "末端治理"))
        if rng.random() < 0.2:
            params["industry"] = rng.choice(industries)["code"]
        params["page"] = rng.choice((1, 1, 1, 2, 5))
        out.append(params)
    return out


def search_query(params: dict) -> SearchQuery:
    """The query ``platform.catalogue.services.search`` sends for these API parameters."""
    filters = {"status": "published"}
    if params.get("industry"):
        filters["industry_codes"] = params["industry"]
    if params.get("category"):
        filters["category"] = params["category"]
    return SearchQuery(params["q"], filters=filters, facets=["category", "industry_codes", "source"],
                       page=params["page"], per_page=20)


def _cold_caches(backend) -> None:
    """Start a pass as cold as the one before it: no cached segmentation, highlights or ES results."""
    for cached in (search_text._cut_block, search_text._run_terms, search_text._long_words, search_text.parse_query):
        cached.cache_clear()
    client = getattr(backend, "_es", None)
    if client is not None:
        client.indices.clear_cache(index=backend.alias(INDEX), request=True)


def _latencies(call, items) -> tuple[list[float], list[int]]:
    for item in items[:20]:  # warm-up, not measured
        call(item)
    latencies, hits = [], []
    for item in items:
        started = time.perf_counter()
        total = call(item)
        latencies.append((time.perf_counter() - started) * 1000)
        hits.append(total)
    return latencies, hits


def api_latencies(kind: str, options: dict, params_list: list[dict], backend) -> list[float]:
    """The same searches through the Flask API of an application on the benchmark's index
    (its own backend object, so its caches start empty as the direct pass's did)."""
    from _app import bench_app

    app, _ = bench_app(f"search-{kind}", SEARCH_BACKEND=kind, SEARCH_INDEX_PREFIX="bench_", **options)
    client = app.test_client()
    _cold_caches(backend)

    def call(params):
        response = client.get("/api/v1/technologies", query_string=params)
        if response.status_code != 200:
            raise RuntimeError(f"API answered {response.status_code}: {response.get_data(as_text=True)[:200]}")
        return response.json["total"]

    with app.app_context():
        return _latencies(call, params_list)[0]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _cpu_seconds() -> float:
    """CPU used by this process and its finished workers (not by an Elasticsearch server)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _server_cpu_seconds(backend) -> float | None:
    """CPU used so far by the Elasticsearch node(s), from the node stats API."""
    client = getattr(backend, "_es", None)
    if client is None:
        return None
    nodes = client.nodes.stats(metric="process")["nodes"].values()
    return sum(node["process"]["cpu"]["total_in_millis"] for node in nodes) / 1000


def measure(backend, documents: int, params_list: list[dict]) -> dict:
    # Each backend pays for segmentation itself: start from cold caches.
    search_text._cut_block.cache_clear()
    search_text._run_terms.cache_clear()
    backend.delete_all()
    started, cpu_started, server_started = time.perf_counter(), _cpu_seconds(), _server_cpu_seconds(backend)
    backend.rebuild(INDEX, corpus(documents))
    rebuild_seconds = time.perf_counter() - started
    cpu_seconds = _cpu_seconds() - cpu_started
    server_seconds = None if server_started is None else _server_cpu_seconds(backend) - server_started
    count = backend.count(INDEX)
    _cold_caches(backend)
    latencies, hits = _latencies(lambda params: backend.search(INDEX, search_query(params)).total, params_list)
    return {
        "rebuild_s": rebuild_seconds,
        "cpu_s": cpu_seconds,
        "server_cpu_s": server_seconds,
        "docs_per_s": documents / rebuild_seconds,
        "count": count,
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "max_ms": max(latencies),
        "mean_hits": statistics.mean(hits),
    }


#: `make bench` sets BENCH_START_ES=1: this benchmark then runs its own Elasticsearch node on this
#: port with the full JIT, as in production (the test server trades it for a fast start), and only
#: while it runs, so that the node's start-up does not slow the other benchmarks down.
BENCH_ES_PORT = "9260"


def own_elasticsearch():
    """Start the benchmark's node; return (its URL, a function that stops it)."""
    import subprocess

    script = str(ROOT / "scripts" / "es-test-server")
    env = {**os.environ, "ES_PORT": BENCH_ES_PORT, "ES_EXTRA_JAVA_OPTS": ""}
    subprocess.run([script, "start"], env=env, check=True)
    url = subprocess.run([script, "url"], env=env, check=True, capture_output=True, text=True).stdout.strip()
    return url, lambda: subprocess.run([script, "stop"], env=env, check=False)


def main(argv: list[str] | None = None) -> list[dict]:
    """Run the benchmark, print the table, and return rows for `python -m bench`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--es-url", default=os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9250"))
    parser.add_argument("--sqlite", default=None, help="embedded index file (default: a temporary file)")
    parser.add_argument("--backends", default="embedded,elasticsearch")
    parser.add_argument("--workers", type=int, default=None, help="rebuild worker processes (default: CPUs - 1)")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])

    stops = []
    try:
        return _run(args, stops)
    finally:
        for stop in stops:
            stop()


def _run(args, stops: list) -> list[dict]:
    query_list = queries(args.queries)
    measured, api = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.backends.split(","):
            if kind == "embedded":
                path = args.sqlite or os.path.join(tmp, "bench.sqlite3")
                backend = make_backend("embedded", path=path, prefix="bench_", workers=args.workers)
                options = {"SEARCH_EMBEDDED_PATH": path}
            else:
                if os.environ.get("BENCH_START_ES") == "1":  # started now, not while the embedded one runs
                    args.es_url, stop = own_elasticsearch()
                    stops.append(stop)
                backend = make_backend("elasticsearch", url=args.es_url, prefix="bench_", timeout=10,
                                       bulk_timeout=120, replicas=0, workers=args.workers)
                if not backend.ping():
                    print(f"elasticsearch: not reachable at {args.es_url}; skipped", file=sys.stderr)
                    continue
                options = {"ELASTICSEARCH_URL": args.es_url}
                # A node that has just started compiles its hot code while it indexes the first
                # ~60,000 documents (30,000 documents cost its first rebuild 20 s of CPU, its third
                # 6 s); a serving node has long done so. Warm it on other documents and words.
                print("elasticsearch: warming the node up…", file=sys.stderr, flush=True)
                for seed in (1, 2, 3):
                    backend.rebuild(INDEX, corpus(30_000, seed=seed))
                    for params in queries(100, seed=seed):
                        backend.search(INDEX, search_query(params))
                backend.delete_all()
            print(f"{kind}: rebuilding {args.docs:,} documents…", file=sys.stderr, flush=True)
            measured.append((kind, measure(backend, args.docs, query_list)))
            print(f"{kind}: the same searches through the Flask API…", file=sys.stderr, flush=True)
            api[kind] = api_latencies(kind, options, query_list, backend)
            backend.delete_all()
            backend.close()

    print(f"\n{args.docs:,} documents, {len(query_list)} queries (published only, 3 facets, 20 a page), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    header = (f"{'backend':<14}{'rebuild s':>10}{'docs/s':>9}{'cpu s':>8}{'server cpu s':>13}{'indexed':>9}"
              f"{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'avg hits':>10}{'API p50':>9}{'API p95':>9}")
    print(header)
    print("-" * len(header))
    for kind, r in measured:
        server = "-" if r["server_cpu_s"] is None else f"{r['server_cpu_s']:.1f}"
        print(f"{kind:<14}{r['rebuild_s']:>10.1f}{r['docs_per_s']:>9.0f}{r['cpu_s']:>8.1f}{server:>13}{r['count']:>9}"
              f"{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['max_ms']:>9.1f}{r['mean_hits']:>10.0f}"
              f"{statistics.median(api[kind]):>9.1f}{percentile(api[kind], 0.95):>9.1f}")
    rows = []
    direct_es = dict(measured).get("elasticsearch")
    for kind, r in measured:
        rows.append({"figure": f"search rebuild {args.docs:,} docs ({kind})", "goal": "< 60 s",
                     "measured": f"{r['rebuild_s']:.1f} s", "passed": r["rebuild_s"] < 60})
        p95 = percentile(api[kind], 0.95)
        rows.append({"figure": f"search API p95, {len(query_list)} queries ({kind})",
                     "goal": "< 50 ms", "measured": f"{p95:.1f} ms", "passed": p95 < 50})
        if direct_es is not None:
            ratio = p95 / direct_es["p95_ms"]
            rows.append({"figure": f"search API p95 ({kind}) / direct Elasticsearch p95",
                         "goal": "<= 1.5x", "measured": f"{ratio:.2f}x", "passed": ratio <= 1.5})
    for kind in ("embedded", "elasticsearch"):
        if kind in args.backends.split(",") and kind not in api:
            rows.append({"figure": f"search ({kind})", "goal": "measured", "measured": "not reachable",
                         "passed": False})
    return rows


if __name__ == "__main__":
    results = main()
    sys.exit(0 if results and all(row["passed"] for row in results) else 1)
