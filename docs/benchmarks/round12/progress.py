#!/usr/bin/env python3
"""Per-micro-batch figures of the job's window query from its log, one line every N batches.

The job must log Spark's progress events (MicroBatchExecution at INFO: docs/benchmarks.md,
"Where a live batch's time goes"). Columns: the batch's timestamp (UTC), id, input rows, trigger
and addBatch ms, then the de-duplication operator's eviction ("removal") and update ms, summed over
its tasks, the bytes its RocksDB iterators read (the eviction scan: a measure of the state), and the
aggregation's eviction ms.

usage: progress.py <streaming-job.log> [every-N-batches]
"""
import json
import sys


def batches(path):
    text = open(path).read()
    for part in text.split("Streaming query made progress: ")[1:]:
        j = json.loads(part[: part.find("\n}") + 2])
        if j["name"] == "window_aggregates":
            yield j


def row(j):
    ops = {o["operatorName"]: o for o in j["stateOperators"]}
    dedup = next((o for n, o in ops.items() if n.startswith("dedupe")), {})
    agg = ops.get("stateStoreSave", {})
    d = j["durationMs"]
    return (
        j["timestamp"][11:19],
        j["batchId"],
        j["numInputRows"],
        d.get("triggerExecution"),
        d.get("addBatch"),
        dedup.get("allRemovalsTimeMs"),
        dedup.get("allUpdatesTimeMs"),
        dedup.get("customMetrics", {}).get("rocksdbTotalBytesReadThroughIterator"),
        agg.get("allRemovalsTimeMs"),
    )


def main():
    every = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    rows = [row(j) for j in batches(sys.argv[1])]
    print("time batch rows trigger_ms addBatch_ms dedup_evict_ms dedup_update_ms dedup_iter_bytes agg_evict_ms")
    for r in rows[::every]:
        print(*r)
    if rows:
        print("last:", *rows[-1])


if __name__ == "__main__":
    main()
