#!/usr/bin/env python3
"""The task threads' samples whose innermost frame is decimal arithmetic (BigInteger, BigDecimal,
Spark's Decimal), by their first caller outside it (docs/benchmarks.md, "Forty-second round").

    python3 decimal_frames.py samples.txt   # the output of jfr print, as for leaf_frames.py
"""
import collections
import sys

from leaf_frames import frames, task_samples

DECIMAL = ("BigInteger", "BigDecimal", "Decimal", "getDecimal", "MutableBigInteger")
# skipped when looking for the caller: decimal work and what it calls
INSIDE = ("BigInteger", "BigDecimal", "Decimal", "MutableBigInteger", "math.", "BoxesRunTime")


def main(path):
    kinds = collections.Counter()
    callers = collections.Counter()
    total = 0
    for e in task_samples(path):
        fs = frames(e)
        if not fs:
            continue
        total += 1
        top = fs[0]
        if any(x in top for x in DECIMAL):
            kinds["decimal"] += 1
            caller = next((f for f in fs if not any(x in f for x in INSIDE)), None)
            if caller:
                callers[caller] += 1
        elif "Box" in top or "boxTo" in top:
            kinds["boxing"] += 1
        else:
            kinds["other"] += 1
    print(total, kinds)
    for k, v in callers.most_common(20):
        print(v, k)


if __name__ == "__main__":
    main(sys.argv[1])
