#!/usr/bin/env python3
"""Publishes one role a second while the storm scenarios run, and checks that no anonymous
read made after a publish shows the older version. Reads use the load script's own query, so
they hit the same cache entry wrk keeps hot. After each publish it reads the page back every
10 ms until the next one.

On the server that published, a write drops its answers before it answers: every read after
the publish returned must show it (bound 0). On another server (READ_URL, the two-instance
scenario) the notification takes time to arrive: reads until the new version first shows are
counted as propagation, and stale is a read that shows the old version after the new one was
seen or later than BOUND_MS (the README's bound, 1000 ms) after the publish returned.

Prints one JSON line at the end: {"publishes", "reads", "stale", "errors", "max_lag_ms",
"p50_lag_ms"}. Stopped by SIGTERM.

usage: staleness.py URL TOKEN SLUG [READ_URL [BOUND_MS]]"""

import json
import re
import signal
import statistics
import sys
import time
import urllib.request

url, token, slug = sys.argv[1], sys.argv[2], sys.argv[3]
read_url = sys.argv[4] if len(sys.argv) > 4 else url
bound = (float(sys.argv[5]) if len(sys.argv) > 5 else 1000.0) / 1000 if read_url != url else 0.0
page = re.search(r"local JOBRISK_PAGE = \[\[(.*?)\]\]", open("bench/load.lua").read(), re.S).group(1)
stopped = False


def stop(*_):
    global stopped
    stopped = True


signal.signal(signal.SIGTERM, stop)


def post(target, query, variables, auth=False):
    body = json.dumps({"query": query, "variables": variables}).encode()
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(target, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


publishes = reads = stale = errors = 0
lags = []
while not stopped:
    started = time.monotonic()
    try:
        v = post(url, "query($s: String!) { role(slug: $s, preview: true) { version } }",
                 {"s": slug}, True)["data"]["role"]["version"]
        marker = f"Published by the staleness check, round {publishes + 1}."
        edited = post(url, "mutation($s: String!, $v: Int!, $m: String!) { updateRole(slug: $s, "
                      "expectedVersion: $v, input: { summary: $m }) { version } }",
                      {"s": slug, "v": v, "m": marker}, True)
        v = edited["data"]["updateRole"]["version"]
        post(url, "mutation($s: String!, $v: Int!) { publishRole(slug: $s, expectedVersion: $v) "
             "{ version } }", {"s": slug, "v": v}, True)["data"]["publishRole"]
        published = time.monotonic()
        publishes += 1
        seen = None
        while not stopped and time.monotonic() - started < 0.95:
            asked = time.monotonic()
            current = post(read_url, page, {"slug": slug})["data"]["role"]["summary"] == marker
            reads += 1
            if current and seen is None:
                seen = asked - published
                lags.append(seen)
            elif not current and (seen is not None or asked - published > bound):
                stale += 1
            time.sleep(0.01)
        if seen is None:
            lags.append(time.monotonic() - published)
    except Exception as e:  # a refused write or a timeout is counted, not fatal
        errors += 1
        print(f"staleness check: {e}", file=sys.stderr)
    time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
print(json.dumps({
    "publishes": publishes, "reads": reads, "stale": stale, "errors": errors,
    "max_lag_ms": round(max(lags) * 1000, 1) if lags else None,
    "p50_lag_ms": round(statistics.median(lags) * 1000, 1) if lags else None,
}))
