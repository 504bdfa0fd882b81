#!/usr/bin/env python3
"""Publishes one role a second while the cached scenarios run and checks, after each publish,
that the page served anonymously (with the load script's own query, so from the same cache
entry wrk keeps hot) shows the version just published. Prints one JSON line at the end:
{"publishes": N, "stale": S, "errors": E}. Stopped by SIGTERM.

usage: staleness.py URL TOKEN SLUG"""

import json
import re
import signal
import sys
import time
import urllib.request

url, token, slug = sys.argv[1], sys.argv[2], sys.argv[3]
page = re.search(r"local JOBRISK_PAGE = \[\[(.*?)\]\]", open("bench/load.lua").read(), re.S).group(1)
stopped = False


def stop(*_):
    global stopped
    stopped = True


signal.signal(signal.SIGTERM, stop)


def post(query, variables, auth=False):
    body = json.dumps({"query": query, "variables": variables}).encode()
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


publishes = stale = errors = 0
while not stopped:
    started = time.monotonic()
    try:
        v = post("query($s: String!) { role(slug: $s, preview: true) { version } }",
                 {"s": slug}, True)["data"]["role"]["version"]
        marker = f"Published by the staleness check, round {publishes + 1}."
        edited = post("mutation($s: String!, $v: Int!, $m: String!) { updateRole(slug: $s, "
                      "expectedVersion: $v, input: { summary: $m }) { version } }",
                      {"s": slug, "v": v, "m": marker}, True)
        v = edited["data"]["updateRole"]["version"]
        post("mutation($s: String!, $v: Int!) { publishRole(slug: $s, expectedVersion: $v) "
             "{ version } }", {"s": slug, "v": v}, True)["data"]["publishRole"]
        publishes += 1
        # Right after the publish returned: the public page must be the new one.
        if post(page, {"slug": slug})["data"]["role"]["summary"] != marker:
            stale += 1
    except Exception as e:  # a refused write or a timeout is counted, not fatal
        errors += 1
        print(f"staleness check: {e}", file=sys.stderr)
    time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
print(json.dumps({"publishes": publishes, "stale": stale, "errors": errors}))
