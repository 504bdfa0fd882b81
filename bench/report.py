#!/usr/bin/env python3
"""Turns bench/run's results.jsonl into the Markdown of bench/RESULTS.md: the machine and
versions, then per size a table of figures, a table of ratios, and the issue's goals."""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

SERVERS = ["jobrisk-sqlite", "jobrisk-postgres", "postgraphile"]
SCENARIOS = ["baseline", "page", "list", "search", "mix", "cached", "cached-get", "revalidate",
             "storm", "two", "bounded"]
# The response cache's bounds bench/run starts the server with: the cached scenarios', and the
# bounded scenario's (smaller than every page at 10k roles).
CACHE_MAX_BYTES = 256 * 1024 * 1024
BOUNDED_MAX_BYTES = 32 * 1024 * 1024
REFERENCE_HEADING = "## Reference: the current main"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(*cmd):
    """First line a command prints, or '?' when it cannot run (a missing tool is no failure)."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def memory_gib():
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        return f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        return "?"


def lock_version(name):
    """Version of a crate in Cargo.lock (the SQLite sqlx bundles comes with libsqlite3-sys)."""
    try:
        text = open(os.path.join(ROOT, "Cargo.lock")).read()
    except OSError:
        return "?"
    m = re.search(r'name = "%s"\nversion = "([^"]+)"' % re.escape(name), text)
    return m.group(1) if m else "?"


def postgraphile_version():
    path = os.path.join(ROOT, "bench/postgraphile/node_modules/postgraphile/package.json")
    try:
        return json.load(open(path))["version"]
    except (OSError, ValueError, KeyError):
        return "?"


def fmt(x, digits=0):
    if x is None:
        return "n/a"
    return f"{x:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def rx(x):
    """A ratio with three significant digits (a page is a few thousandths of the baseline)."""
    if x is None:
        return "n/a"
    return f"{x:,.0f}x" if x >= 100 else f"{x:.3g}x"


def figures(r):
    seconds = r["duration_us"] / 1e6
    n = max(r["requests"], 1)
    return {
        "rps": r["requests"] / seconds if seconds else None,
        "p50": r["p50_us"] / 1000,
        "p99": r["p99_us"] / 1000,
        "rss": r["peak_rss_kb"] / 1024,
        "stmts": r["statements"] / n,
        "bytes": r["bytes"] / n,
        "errors": r["graphql_or_status_errors"] + r["socket_errors"],
        "requests": r["requests"],
        "writes": r["writes"],
        "staleness": r.get("staleness"),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("results")
    ap.add_argument("--label", default="run")
    ap.add_argument("--duration", default="?")
    ap.add_argument("--connections", default="?")
    ap.add_argument("--threads", default="?")
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--commit", help="what was measured (bench/run passes it from the start)")
    ap.add_argument("--keep", help="previous RESULTS.md whose reference section is carried over")
    args = ap.parse_args()

    # The reference section (the current main's figures the goals compare with) outlives runs.
    reference = ""
    if args.keep and os.path.exists(args.keep):
        text = open(args.keep).read()
        at = text.find(REFERENCE_HEADING)
        if at >= 0:
            reference = text[at:].rstrip() + "\n"
    main_page = {
        int(size.replace(",", "")): float(rps.replace(",", ""))
        for size, rps in re.findall(r"SQLite page at ([\d,]+) roles: ([\d,.]+) req/s", reference)
    }

    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    data = {}
    for r in rows:
        data[(r["size"], r["server"], r["scenario"])] = figures(r)
    sizes = sorted({r["size"] for r in rows})

    out = []
    w = out.append
    # When the last figure was written, so a report made again later keeps the run's date.
    now = datetime.datetime.fromtimestamp(os.path.getmtime(args.results), datetime.timezone.utc)
    now = now.strftime("%Y-%m-%d %H:%M UTC")
    commit = args.commit or sh("git", "rev-parse", "--short", "HEAD")
    w(f"# Benchmark results: {args.label}")
    w("")
    w(f"- date: {now}")
    w(f"- machine: {os.cpu_count()} cores ({cpu_model()}), {memory_gib()} memory, "
      f"{platform.system()} {platform.release()}; load generator and servers share the cores")
    w(f"- jobrisk: commit {commit}, "
      f"release build, {sh('rustc', '--version')}; SQLite {lock_version('libsqlite3-sys')} "
      f"(libsqlite3-sys, bundled), sea-orm {lock_version('sea-orm')}")
    w(f"- PostgreSQL: {sh('psql', args.pg_url, '-qAtc', 'show server_version')}; "
      f"PostGraphile {postgraphile_version()} on Node.js {sh('node', '--version')}")
    w(f"- load: {sh('wrk', '--version').split(' Copyright')[0]}, {args.connections} connections, "
      f"{args.threads} threads, {args.duration} per scenario on 127.0.0.1 (`bench/load.lua`)")
    w("")
    w("req/s and latency are wrk's over the whole scenario; peak RSS is the server process's "
      "VmHWM during the scenario; statements/request is jobrisk's "
      "`jobrisk_db_statements_total` delta, and for PostGraphile its database's transaction "
      "count delta (one per read query; a write is one transaction of six statements; "
      "autovacuum adds a few). Ratios: req/s and latency against the same server's "
      "baseline, and every figure against PostGraphile's same scenario and size (above 1 is "
      "more req/s, or slower, bigger, more statements). See bench/README.md.")
    for size in sizes:
        w("")
        w(f"## {size:,} roles")
        w("")
        w("| server | scenario | req/s | p50 ms | p99 ms | peak RSS MB | statements/req | "
          "bytes/resp | errors |")
        w("|---|---|--:|--:|--:|--:|--:|--:|--:|")
        for server in SERVERS:
            for scenario in SCENARIOS:
                f = data.get((size, server, scenario))
                if not f:
                    continue
                errors = str(f["errors"])
                if scenario == "mix":
                    errors += f" ({f['writes']} writes)"
                if f["staleness"]:
                    st = f["staleness"]
                    errors += (f" ({st['publishes']} publishes, {st['stale']} stale, "
                               f"{st['errors']} failed)")
                w(f"| {server} | {scenario} | {fmt(f['rps'])} | {fmt(f['p50'], 2)} | "
                  f"{fmt(f['p99'], 2)} | {fmt(f['rss'], 1)} | {fmt(f['stmts'], 2)} | "
                  f"{fmt(f['bytes'])} | {errors} |")
        w("")
        w("| server | scenario | req/s / baseline | p50 / baseline | p99 / baseline | "
          "RSS / baseline | req/s / PG | p50 / PG | p99 / PG | RSS / PG | statements / PG |")
        w("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for server in SERVERS:
            base = data.get((size, server, "baseline"))
            for scenario in SCENARIOS:
                f = data.get((size, server, scenario))
                if not f:
                    continue
                pg = data.get((size, "postgraphile", scenario))
                cells = []
                for key in ["rps", "p50", "p99", "rss"]:
                    cells.append(rx(ratio(f[key], base[key]) if base else None))
                for key in ["rps", "p50", "p99", "rss", "stmts"]:
                    # PostGraphile's baseline reads no table: its few counted transactions
                    # are autovacuum's, not a denominator.
                    noise = key == "stmts" and pg and pg[key] < 0.5
                    cells.append(rx(ratio(f[key], pg[key]) if pg and not noise else None))
                w(f"| {server} | {scenario} | " + " | ".join(cells) + " |")

    # The later goals of issue 8, computed from this run where it has the figures.
    def get(size, server, scenario, key):
        f = data.get((size, server, scenario))
        return f[key] if f else None

    big, small = (max(sizes), min(sizes)) if sizes else (None, None)
    w("")
    w("## Goals of issue 8 against this run")
    w("")
    w("| goal | measured |")
    w("|---|---|")
    for size in sizes:
        for scenario, want in [("page", 2.0), ("list", 1.5)]:
            r = ratio(get(size, "jobrisk-postgres", scenario, "rps"),
                      get(size, "postgraphile", scenario, "rps"))
            w(f"| {size:,} roles, PostgreSQL {scenario} req/s >= {want}x PostGraphile | "
              f"{rx(r)} |")
    if big is not None and big != small:
        for server in ["jobrisk-sqlite", "jobrisk-postgres"]:
            for scenario in ["page", "list"]:
                r = ratio(get(big, server, scenario, "rps"), get(small, server, scenario, "rps"))
                w(f"| {server} {scenario} req/s at {big:,} within 20% of {small:,} | "
                  f"{rx(r)} of it |")
    if big is not None:
        for server in ["jobrisk-sqlite", "jobrisk-postgres"]:
            r = ratio(get(big, server, "search", "p50"), get(big, server, "page", "p50"))
            w(f"| {server} search p50 at {big:,} <= 3x page p50 | {rx(r)} |")
            # Issue 8's read path, without the response cache (which holds what it is given).
            uncached = ["baseline", "page", "list", "search", "mix"]
            peak = max((get(big, server, s, "rss") or 0) for s in uncached) or None
            w(f"| {server} peak RSS at {big:,} < 150 MB | "
              f"{fmt(peak, 1) + ' MB' if peak else 'n/a'} |")
    for size in sizes:
        r = ratio(get(size, "jobrisk-sqlite", "page", "rps"), main_page.get(size))
        w(f"| {size:,} roles, SQLite page req/s >= 2x the current main's (reference below) | "
          f"{rx(r)} |")
    w("")
    w("## Goals of issue 9 against this run")
    w("")
    w("| goal | measured |")
    w("|---|---|")
    for size in sizes:
        for server in ["jobrisk-sqlite", "jobrisk-postgres"]:
            base = get(size, server, "baseline", "rps")
            for scenario, want, what in [("cached", 0.5, "cached page (POST)"),
                                         ("cached-get", 0.5, "cached page (GET)"),
                                         ("revalidate", 0.7, "304 (GET, If-None-Match)")]:
                r = ratio(get(size, server, scenario, "rps"), base)
                if r is None:
                    continue
                w(f"| {size:,} roles, {server} {what} req/s >= {want}x /healthz | {rx(r)} |")
            for scenario, what in [("storm", "one server"),
                                   ("two", "published on one of two servers, read on the other")]:
                st = get(size, server, scenario, "staleness")
                if not st:
                    continue
                r = ratio(get(size, server, scenario, "rps"), base)
                w(f"| {size:,} roles, {server}, one publish a second ({what}): no stale read | "
                  f"{st['stale']} stale of {st.get('reads', '?')} reads after "
                  f"{st['publishes']} publishes ({st['errors']} failed); new version seen after "
                  f"p50 {fmt(st.get('p50_lag_ms'), 1)} ms, max {fmt(st.get('max_lag_ms'), 1)} ms; "
                  f"{rx(r)} /healthz |")
            # The server's baseline: its peak serving the same pages without the cache.
            base_rss = get(size, server, "page", "rss") or get(size, server, "baseline", "rss")
            for scenarios, limit, what in [
                (["cached", "cached-get", "revalidate", "storm"], CACHE_MAX_BYTES, "cached"),
                (["bounded"], BOUNDED_MAX_BYTES, "every page through a smaller cache,"),
            ]:
                rss = max((get(size, server, s, "rss") or 0) for s in scenarios) or None
                if rss is None or base_rss is None:
                    continue
                mib = limit / 1024 / 1024
                w(f"| {size:,} roles, {server} {what} peak RSS <= uncached page's + cache bound "
                  f"({fmt(base_rss, 1)} + {fmt(mib)} = {fmt(base_rss + mib, 1)} MB) | "
                  f"{fmt(rss, 1)} MB |")
    w("")
    w(reference or f"{REFERENCE_HEADING}\n\nNone recorded yet.")
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
