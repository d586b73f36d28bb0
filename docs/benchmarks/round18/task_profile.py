#!/usr/bin/env python3
"""Where the Spark task threads of a streaming job's JFR went (docs/benchmarks.md, "Eighteenth round").

    jfr print --events jdk.ExecutionSample --stack-depth 80 rec.jfr > samples.txt
    python3 task_profile.py samples.txt

Counts the execution samples of the "Executor task launch" threads, each in the first group whose
frames it contains (the order below). Groups are decided by outer frames, which JFR records exactly;
the innermost frames of JIT-compiled code are approximate without -XX:+DebugNonSafepoints, so they
are not reported.
"""
import collections
import re
import sys

GROUPS = [
    ("de-duplication eviction scan", lambda s: "removeKeysOlderThanWatermark" in s),
    ("code generation on task threads", lambda s: "codehaus" in s or "CodegenContext" in s
        or "CodeGenerator" in s),
    ("de-duplication updates and commit", lambda s: "StreamingDeduplicate" in s),
    ("window aggregation state", lambda s: "StateStoreSaveExec" in s or "StateStoreRestoreExec" in s),
    ("Cassandra writes", lambda s: "datastax" in s.lower()),
    ("Kafka read and parse", lambda s: "TripEventJson" in s or "TripParser" in s or "kafka" in s.lower()),
    ("stages before a shuffle write (explode, partial aggregation)", lambda s: "ShuffleWriter" in s),
    ("other", lambda s: True),
]


def task_samples(path):
    """The execution samples of the Spark task threads in `jfr print` output, one text each."""
    for e in open(path).read().split("jdk.ExecutionSample")[1:]:
        thread = re.search(r'sampledThread = "([^"]*)"', e)
        if thread and "Executor task" in thread.group(1):
            yield e


def main(path):
    groups = collections.Counter()
    total = 0
    for e in task_samples(path):
        total += 1
        for name, test in GROUPS:
            if test(e):
                groups[name] += 1
                break
    print(f"task-thread samples: {total}")
    for name, _ in GROUPS:
        print(f"  {groups[name]:5d}  {100.0 * groups[name] / max(1, total):5.1f} %  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
