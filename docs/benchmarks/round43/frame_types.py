#!/usr/bin/env python3
"""Whether a job's task threads run interpreted code (docs/benchmarks.md, "Forty-third round"): their samples
by the kind of their innermost frame, and the innermost of Spark's generated methods in each sample by kind.

    jfr print --json --events jdk.ExecutionSample --stack-depth 16 job.jfr > samples.json
    python3 frame_types.py samples.json

HotSpot does not compile a method of more than 8,000 bytes of bytecode (-XX:+DontCompileHugeMethods, the
default), so a generated stage above that size runs interpreted for good: all of its samples would be
"Interpreted". A method that is new every micro-batch (its class holds that batch's literals) is interpreted
only until it is compiled.
"""
import collections
import json
import sys

TASK_THREAD = "Executor task launch"


def main(path):
    events = json.load(open(path))["recording"]["events"]
    kinds, generated, total = collections.Counter(), collections.Counter(), 0
    for e in events:
        v = e["values"]
        if TASK_THREAD not in (v["sampledThread"]["javaName"] or ""):
            continue
        frames = v["stackTrace"]["frames"]
        if not frames:
            continue
        total += 1
        kinds[frames[0]["type"]] += 1
        for f in frames:
            t = f["method"]["type"]["name"]
            if "GeneratedClass" in t:
                cls = t.split("$")[-1].rstrip("0123456789")  # GeneratedIteratorForCodegenStage<n>
                generated[(cls + "." + f["method"]["name"], f["type"])] += 1
                break
    print(f"task-thread samples: {total}")
    for k, n in kinds.most_common():
        print(f"  innermost frame {k}: {n} ({100 * n / total:.1f} %)")
    print("Spark's generated methods (innermost in a sample), by kind:")
    for (m, k), n in sorted(generated.items(), key=lambda x: -x[1])[:20]:
        print(f"  {n:5d}  {k:13s} {m}")


if __name__ == "__main__":
    main(sys.argv[1])
