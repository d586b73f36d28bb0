"""Per-micro-batch figures of a streaming job's progress log (docs/benchmarks.md, "Thirty-third round").

The job must log Spark's progress reports: MicroBatchExecution at info (a copy of the job's
log4j2.properties with logger.microbatch.level = info, given to the benchmark's job as
-Dbench.latencyJobProperties=log4j2.configurationFile=<copy>).

  python3 batches.py streaming-job.log [last-n]

prints one line per batch with rows (the aggregation's store: "agg", the de-duplication's: "dedup";
ck = rocksdbCommitCheckpointLatency, i.e. a snapshot was taken, summed over the store's partitions),
how many batches snapshotted each store, then medians and 90th percentiles over the last n batches
(default 250).
"""
import json
import re
import sys


def reports(path):
    text = open(path).read()
    for m in re.finditer(r"made progress: (\{.*?\n\})", text, re.S):
        p = json.loads(m.group(1))
        if p["numInputRows"] > 0:
            yield p


def pct(xs, f):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(f * len(xs)))]


def main():
    path = sys.argv[1]
    last = int(sys.argv[2]) if len(sys.argv) > 2 else 250
    ps = list(reports(path))
    m = lambda op, k: op["customMetrics"].get(k, 0)
    for p in ps:
        agg, dedup = p["stateOperators"]
        print(p["batchId"], p["numInputRows"], "trigger", p["durationMs"]["triggerExecution"],
              "addBatch", p["durationMs"]["addBatch"],
              "| agg ck", m(agg, "rocksdbCommitCheckpointLatency"), "commit", agg["commitTimeMs"],
              "| dedup ck", m(dedup, "rocksdbCommitCheckpointLatency"), "commit", dedup["commitTimeMs"])
    for i, name in enumerate(["agg", "dedup"]):
        snaps = sum(1 for p in ps if m(p["stateOperators"][i], "rocksdbCommitCheckpointLatency") > 0)
        print(f"{name}: a snapshot in {snaps} of {len(ps)} batches")
    tail = ps[-last:]
    print(f"last {len(tail)} batches ({tail[0]['batchId']}..{tail[-1]['batchId']}), ms: p50 / p90")
    for k in ["triggerExecution", "addBatch", "queryPlanning", "latestOffset", "walCommit", "commitOffsets"]:
        xs = [p["durationMs"].get(k, 0) for p in tail]
        print(f"  {k:16s} {pct(xs, .5):5d} / {pct(xs, .9):5d}")
    for i, name in enumerate(["agg", "dedup"]):
        for k in ["allUpdatesTimeMs", "allRemovalsTimeMs", "commitTimeMs"]:
            xs = [p["stateOperators"][i][k] for p in tail]
            print(f"  {name:5s} {k:18s} {pct(xs, .5):5d} / {pct(xs, .9):5d}")


if __name__ == "__main__":
    main()
