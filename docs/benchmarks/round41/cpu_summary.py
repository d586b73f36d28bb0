"""Where a month's CPU goes, the streaming job's and the Cassandra node's (docs/benchmarks.md, "Forty-first round").

  python3 cpu_summary.py <cpu_series.py's JSON lines> [<the job's streaming-job.log, progress logged>]

prints the two processes' cores per 30 s of the run (and the Cassandra node's compactions'), then, given the log, their CPU seconds over the micro-batches (from the first
micro-batch's start to the last one's end, read from Spark's progress reports) and the Cassandra node's by thread
group over the same span. The job must log its progress (logger.microbatch.level = info, as for
../round33/batches.py).
"""
import datetime
import json
import re
import sys

GROUPS = ["CompactionExecutor", "C2 CompilerThre", "C1 CompilerThre", "MutationStage", "Native-Transport-Requests",
          "PerDiskMemtableFlushWriter", "MemtableFlushWriter", "epollEventLoopGroup", "GC Thread"]


def span(log):
    """(start, end) of the micro-batches in epoch seconds, from the progress reports' timestamp and duration."""
    text = open(log).read()
    starts, ends = [], []
    for m in re.finditer(r"made progress: (\{.*?\n\})", text, re.S):
        p = json.loads(m.group(1))
        if p["numInputRows"] == 0:
            continue
        t = datetime.datetime.strptime(p["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        starts.append(t)
        ends.append(t + p["durationMs"]["triggerExecution"] / 1000)
    return min(starts), max(ends), len(starts)


def at(rows, t):
    """The sample nearest to t."""
    return min(rows, key=lambda r: abs(r["t"] - t))


def compactions(row):
    return sum(v for k, v in row["cass_groups"].items() if k.startswith("CompactionExec"))


def main():
    rows = [json.loads(line) for line in open(sys.argv[1])]
    t0 = rows[0]["t"]
    print("seconds from the first sample: job cores, Cassandra cores (of which its compactions)")
    marks = [rows[0]]
    for r in rows:
        if r["t"] - marks[-1]["t"] >= 30:
            marks.append(r)
    for a, b in zip(marks, marks[1:]):
        dt = b["t"] - a["t"]
        print(f"  {a['t'] - t0:4.0f}-{b['t'] - t0:4.0f} s  job {(b['job_total'] - a['job_total']) / dt:.2f}"
              f"  cassandra {(b['cass_total'] - a['cass_total']) / dt:.2f}"
              f" ({(compactions(b) - compactions(a)) / dt:.2f})")
    if len(sys.argv) < 3:
        return
    start, end, batches = span(sys.argv[2])
    a, b = at(rows, start), at(rows, end)
    dt = b["t"] - a["t"]
    job = b["job_total"] - a["job_total"]
    cass = b["cass_total"] - a["cass_total"]
    print(f"{batches} micro-batches, {dt:.0f} s (samples {a['t'] - t0:.0f}-{b['t'] - t0:.0f} s):"
          f" job {job:.1f} CPU s ({job / dt:.2f} cores), Cassandra {cass:.1f} CPU s ({cass / dt:.2f} cores),"
          f" Cassandra's share {cass / (job + cass):.2f}")
    groups = {g: b["cass_groups"].get(g, 0) - a["cass_groups"].get(g, 0) for g in b["cass_groups"]}
    named = 0
    for g in GROUPS:
        key = next((k for k in groups if g.startswith(k) or k.startswith(g[:15])), None)
        if key is not None:
            named += groups[key]
            print(f"  Cassandra {g:27s} {groups[key]:6.1f} CPU s ({groups[key] / cass:.2f})")
    print(f"  Cassandra {'other threads':27s} {cass - named:6.1f} CPU s ({(cass - named) / cass:.2f})")


if __name__ == "__main__":
    main()
