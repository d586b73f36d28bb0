#!/usr/bin/env python3
"""The task threads' samples of a job's flight recording by innermost frame (docs/benchmarks.md,
"Forty-second round").

    jfr print --events jdk.ExecutionSample --stack-depth 80 job.jfr > samples.txt
    python3 leaf_frames.py samples.txt [only-samples-holding-this-text [frames-deep]]

Record with -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints, or the innermost frames of compiled code
are approximate. The task threads' samples are those of ../round18/task_profile.py.
"""
import collections
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "round18"))
from task_profile import task_samples  # noqa: E402


def frames(sample):
    """The sample's frames, innermost first, as package.Class.method."""
    return re.findall(r"^\s+([\w$.<>]+)\(.*?\)\s+line:", sample, re.M)


def main(path, only=None, depth=1):
    counts = collections.Counter()
    total = 0
    for e in task_samples(path):
        if only and only not in e:
            continue
        fs = frames(e)
        if not fs:
            continue
        total += 1
        counts[" <- ".join(".".join(f.split(".")[-2:]) for f in fs[:depth])] += 1
    print("samples", total)
    for k, v in counts.most_common(45):
        print(f"{v:5d} {100 * v / total:5.1f}% {k}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None, int(sys.argv[3]) if len(sys.argv) > 3 else 1)
