#!/usr/bin/env python3
"""Every java process's CPU by thread name over a benchmark invocation (docs/benchmarks.md, "Forty-third
round"): reads /proc every 2 s until <out>.stop exists, keeps each thread's last reading (a thread that ends
keeps what it had used), and writes the totals per process and thread name (digits as N) to <out>; with
--print, prints a finished <out>.

    python3 proc_threads.py /tmp/r43/month-threads.json &
    java ... JobVariantsBench ...; touch /tmp/r43/month-threads.json.stop
    python3 proc_threads.py --print /tmp/r43/month-threads.json

Each thread's reading is `thread_stats` of ../round41/cpu_series.py. A process is "job" (the streaming job),
"cassandra", "kafka" (the broker) or "other" (the harness, a producer) by its command line.
"""
import collections
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "round41"))
from cpu_series import thread_stats  # noqa: E402


def kind(cmdline):
    if "StreamingJob" in cmdline or "streaming-job" in cmdline:
        return "job"
    if "CassandraDaemon" in cmdline or "cassandra" in cmdline.lower():
        return "cassandra"
    if "FormatThenStart" in cmdline or "kafka.Kafka" in cmdline:
        return "kafka"
    return "other"


def scan(last):
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
            if "java" not in cmd:
                continue
            for tid, comm, cpu in thread_stats(pid):
                last[(pid, kind(cmd), tid)] = (comm, cpu)
        except OSError:
            continue


def totals(last):
    out = collections.defaultdict(float)
    for (pid, k, _), (comm, cpu) in last.items():
        out[f"{pid}|{k}|{re.sub(r'[0-9]+', 'N', comm)}"] += cpu
    return out


def show(path):
    by = collections.defaultdict(list)
    for key, cpu in json.load(open(path)).items():
        pid, k, comm = key.split("|")
        by[(pid, k)].append((cpu, comm))
    for (pid, k), threads in sorted(by.items(), key=lambda x: -sum(c for c, _ in x[1])):
        total = sum(c for c, _ in threads)
        if total < 3:
            continue
        print(f"pid {pid} ({k}): {total:.1f} CPU s")
        for cpu, comm in sorted(threads, reverse=True)[:8]:
            print(f"   {cpu:6.1f}  {comm}")


def main(out):
    last = {}
    while not os.path.exists(out + ".stop"):
        scan(last)
        json.dump(totals(last), open(out, "w"))
        time.sleep(2)


if __name__ == "__main__":
    if sys.argv[1] == "--print":
        show(sys.argv[2])
    else:
        main(sys.argv[1])
