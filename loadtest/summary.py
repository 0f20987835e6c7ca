"""Summary of one loadtest/run: per page count, p50, p95, max, failures; totals; the REL-10 / issue
targets; RSS start/peak/end of the gunicorn master and workers; CPU shares. Markdown on stdout.

Usage: python loadtest/summary.py OUT_DIR   (reads requests.csv, rss.csv, machine.txt)
"""

from __future__ import annotations

import csv
import math
import os
import sys
from collections import defaultdict
from pathlib import Path

GET_P95_MS, PDF_P95_MS = 300, 2000
STEADY_AFTER_S = 60


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return float("nan")
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def group(method: str, name: str) -> str:
    if "pdf" in name:
        return "PDF"
    return "GET" if method == "GET" else "POST"


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as rows:
        return list(csv.DictReader(rows))


def main(out: Path) -> None:
    rows = read_csv(out / "requests.csv")
    if not rows:
        sys.exit("no requests recorded")
    start = min(float(r["start"]) for r in rows)
    end = max(float(r["start"]) + float(r["ms"]) / 1000 for r in rows)
    pages: dict[tuple[str, str], list] = defaultdict(list)
    for r in rows:
        pages[(r["method"], r["name"])].append(r)

    steady_from = start + STEADY_AFTER_S
    print((out / "machine.txt").read_text(encoding="utf-8").strip().replace("\n", "  \n"))
    print(
        f"\n{len(rows)} requests in {end - start:.0f} s ({len(rows) / (end - start):.1f} req/s). "
        f"Whole run, and (last two columns) the steady state after the first {STEADY_AFTER_S} s "
        f"(ramp-up: every user logs in within the first seconds).\n"
    )
    print(
        "| page | method | requests | p50 ms | p95 ms | max ms | failures | steady: requests | steady: p95 ms |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")

    def line(label: str, method: str, items: list) -> tuple[float, float, int]:
        times = sorted(float(r["ms"]) for r in items)
        later = sorted(float(r["ms"]) for r in items if float(r["start"]) >= steady_from)
        failures = sum(1 for r in items if r["error"])
        p95, p95_later = percentile(times, 95), percentile(later, 95)
        print(
            f"| {label} | {method} | {len(items)} | {percentile(times, 50):.0f} | {p95:.0f} | {times[-1]:.0f} "
            f"| {failures} | {len(later)} | {'–' if not later else f'{p95_later:.0f}'} |"
        )
        return p95, p95_later, failures

    whole, steady = [], []
    for (method, name), items in sorted(pages.items(), key=lambda kv: (group(*kv[0]), kv[0][1])):
        p95, p95_later, _ = line(f"`{name}`", method, items)
        kind = group(method, name)
        limit = {"GET": GET_P95_MS, "PDF": PDF_P95_MS}.get(kind)
        if limit:
            whole.append((f"{kind} `{name}` p95 {p95:.0f} ms (limit {limit})", p95 <= limit))
            if not math.isnan(p95_later):
                steady.append((f"{kind} `{name}` p95 {p95_later:.0f} ms (limit {limit})", p95_later <= limit))
    for kind in ("GET", "POST", "PDF"):
        items = [r for r in rows if group(r["method"], r["name"]) == kind]
        if items:
            line(f"**all {kind}**", kind if kind != "PDF" else "GET", items)
    _, _, failures = line("**all requests**", "", rows)

    slow = sorted(float(r["start"]) - start for r in rows if float(r["ms"]) > 1000)
    logins = sorted(float(r["start"]) - start for r in rows if r["method"] == "POST" and "login" in r["name"])
    if logins:
        print(
            f"\nRamp-up: {len(logins)} logins between {logins[0]:.0f} s and {logins[-1]:.0f} s; "
            f"{len(slow)} requests over 1 s"
            + (f", the last one starting at {slow[-1]:.0f} s." if slow else ".")
        )
    errors_5xx = sum(1 for r in rows if r["status"].startswith("5"))
    print(
        f"\nErrors: {failures} failed of {len(rows)} ({100 * failures / len(rows):.2f} %), {errors_5xx} HTTP 5xx."
    )
    if failures:
        reasons = defaultdict(int)
        for r in rows:
            if r["error"]:
                reasons[(r["name"], r["error"][:120])] += 1
        for (name, error), count in sorted(reasons.items(), key=lambda kv: -kv[1])[:10]:
            print(f"- {count} × `{name}`: {error}")
    exceptions = out / "locust_exceptions.csv"
    crashed = sum(int(e["Count"]) for e in read_csv(exceptions)) if exceptions.exists() else 0
    if crashed:
        print(
            f"Locust task exceptions (journey bugs, not server errors): {crashed}; see locust_exceptions.csv."
        )
    ok_errors = (
        f"0 errors ({failures} failed requests, {crashed} task exceptions)",
        failures == 0 and crashed == 0,
    )
    for title, verdicts in (
        ("whole run", whole),
        (f"steady state, after the first {STEADY_AFTER_S} s", steady),
    ):
        verdicts = [*verdicts, ok_errors]
        print(
            f"\nTargets (GET p95 ≤ {GET_P95_MS} ms, PDF p95 ≤ {PDF_P95_MS} ms, 0 errors), {title}: "
            + (
                "**met**"
                if all(ok for _, ok in verdicts)
                else "**not met**: " + "; ".join(text for text, ok in verdicts if not ok)
            )
        )

    rss = read_csv(out / "rss.csv")
    procs: dict[tuple[str, str], list] = defaultdict(list)
    for r in rss:
        procs[(r["role"], r["pid"])].append(r)
    times = sorted({float(r["time"]) for r in rss})
    span = (times[-1] - times[0]) or 1

    def cpu(samples) -> float:
        return float(samples[-1]["cpu_s"]) - float(samples[0]["cpu_s"])

    print(
        f"\nProcesses, sampled every {times[1] - times[0]:.0f} s over {span:.0f} s (CPU: average cores busy):\n"
    )
    print("| process | pid | RSS start MB | RSS peak MB | RSS end MB | CPU cores |")
    print("|---|---|---:|---:|---:|---:|")
    mine = 0.0
    for role in ("master", "worker", "locust"):
        for (kind, pid), samples in sorted(procs.items()):
            if kind != role:
                continue
            mb = [int(s["rss_kb"]) / 1024 for s in samples]
            mine += cpu(samples)
            label = f"gunicorn {role}" if role != "locust" else "locust (load generator, same box)"
            print(
                f"| {label} | {pid} | {mb[0]:.0f} | {max(mb):.0f} | {mb[-1]:.0f} | {cpu(samples) / span:.2f} |"
            )
    backends = [samples for (kind, _), samples in procs.items() if kind == "postgres"]
    if backends:
        pg = sum(cpu(samples) for samples in backends)
        mine += pg
        print(
            f"| PostgreSQL backends of the scratch database ({len(backends)}) | – | – | – | – | {pg / span:.2f} |"
        )
    machine = [samples for (kind, _), samples in procs.items() if kind == "machine"]
    if machine:
        total = cpu(machine[0])
        print(
            f"| other processes on the machine (not part of the test) | – | – | – | – | {(total - mine) / span:.2f} |"
        )
        print(f"| whole machine ({os.cpu_count()} CPUs) | – | – | – | – | {total / span:.2f} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
