#!/usr/bin/env python3
"""The phases of a BenchMain run at the CI smoke's sizes, from its results.json and its log.

Usage: smoke-phases.py OUT...   (each OUT a --out directory, its log beside it as OUT.log)

Each phase ends at the first log line of its mark (the log's own time stamps), so a phase's
seconds are those since the previous mark; the first counts from results.json's "started".
"""
import datetime
import json
import re
import sys

MARKS = [
    ("broker", r"Kafka \(KRaft\) ready"),
    ("producers", r"replay_parquet_file #1"),
    ("cassandra", r"Cassandra ready"),
    ("ceiling", r"ceiling #1"),
    ("job", r"job #1"),
    ("latency", r"latency at 200"),
    ("end", r"results in"),
]


def when(stamp):
    return datetime.datetime.fromisoformat(stamp.rstrip("Z")[:26])


for out in sys.argv[1:]:
    results = json.load(open(out + "/results.json"))
    start, finished = when(results["started"]), when(results["finished"])
    lines = open(out + ".log").read().splitlines()
    previous, row = 0.0, []
    for name, pattern in MARKS:
        line = next((l for l in lines if re.search(pattern, l)), None)
        if line is None:
            row.append(f"{name} -")
            continue
        t = datetime.datetime.combine(
            start.date(), datetime.datetime.strptime(line[:12], "%H:%M:%S.%f").time())
        at = (t - start).total_seconds()
        row.append(f"{name} {at - previous:.1f}")
        previous = at
    print(out.rstrip("/").split("/")[-1], " | ".join(row),
          f"| whole run {(finished - start).total_seconds():.1f}")
