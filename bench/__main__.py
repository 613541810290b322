"""`make bench`: run every benchmark under bench/ and print one table (figure, goal, measured, pass/fail)."""
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BENCHMARKS = ["compliance_scan", "credit_delivery", "stats_summary", "listing_candidates", "search_backends", "load"]


def main() -> int:
    rows = []
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        result = importlib.import_module(name).main()
        rows.extend(result if isinstance(result, list) else [result])
    width = max(len(r["figure"]) for r in rows) + 2
    goal = max(14, *(len(r["goal"]) for r in rows))
    measured = max(14, *(len(r["measured"]) for r in rows))
    print()
    print(f"{'figure':<{width}} {'goal':<{goal}} {'measured':<{measured}} result")
    for r in rows:
        print(f"{r['figure']:<{width}} {r['goal']:<{goal}} {r['measured']:<{measured}} {'pass' if r['passed'] else 'FAIL'}")
    return 0 if all(r["passed"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
