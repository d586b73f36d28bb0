#!/usr/bin/env python3
"""A job's micro-batches from its progress log (docs/benchmarks.md, "Forty-second round").

    python3 span.py streaming-job.log [...]

The job must log Spark's progress reports (MicroBatchExecution at info). Prints, per log: the micro-batches
with input, their rows, the time from the first one's start to the last one's end (../round41/cpu_summary.py's
span), the sum of their triggerExecution, the first one's, and rows / span. The reports are read by
../round33/batches.py.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "round33"), os.path.join(HERE, "..", "round41")]
from batches import reports  # noqa: E402
from cpu_summary import span  # noqa: E402


def main(paths):
    for path in paths:
        ps = list(reports(path))
        start, end, n = span(path)
        total = sum(p["durationMs"]["triggerExecution"] for p in ps) / 1000
        first = ps[0]["durationMs"]["triggerExecution"] / 1000
        rows = sum(p["numInputRows"] for p in ps)
        print(path.split("/")[-2], n, "batches rows", rows,
              "first batch start->last end %.1f s" % (end - start), "sum trigger %.1f s" % total,
              "first %.1f s" % first, "overall %.0f ev/s" % (rows / (end - start)))


if __name__ == "__main__":
    main(sys.argv[1:])
