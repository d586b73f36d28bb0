#!/usr/bin/env python3
"""A flight recording's JIT compilations and deoptimizations by component (docs/benchmarks.md, "Forty-third
round").

    jfr print --json --events jdk.Compilation,jdk.Deoptimization job.jfr > compilations.json
    python3 compilations.py compilations.json

The `profile` settings (JobVariantsBench's `jfr=true`) record the compilations that took over 100 ms and every
deoptimization. A compilation's duration is its wall time: on 2 busy cores a compiler thread is also off its
core for part of it, so these are shares, not CPU seconds (JvmThreadCpu gives the compilers' CPU).
"""
import collections
import json
import re
import sys

# (component, test on the JVM's class name), first match wins
COMPONENTS = [
    ("Spark's generated code (a new class every micro-batch)", lambda t: "GeneratedClass" in t),
    ("Cassandra driver and its netty", lambda t: t.startswith("com/datastax/oss/")),
    ("Cassandra connector", lambda t: t.startswith("com/datastax/spark/")),
    ("the job's own classes", lambda t: t.startswith("io/taxiplatform/")),
    ("planning: Janino, Catalyst, Scala reflection, ANTLR, ASM",
     lambda t: any(s in t for s in ("janino", "catalyst", "scala/reflect", "antlr", "xbean"))),
    ("Java serialization", lambda t: t.startswith("java/io/Object")),
    ("Kafka client", lambda t: t.startswith("org/apache/kafka/")),
    ("RocksDB JNI and Spark's state store", lambda t: "rocksdb" in t.lower() or "state/" in t),
    ("other Spark", lambda t: t.startswith("org/apache/spark/")),
    ("other Scala library", lambda t: t.startswith("scala/")),
    ("JDK", lambda t: t.startswith(("java/", "jdk/", "sun/"))),
]


def seconds(iso):
    """An ISO-8601 duration such as PT1.25S or PT1M2.5S, in seconds."""
    m = re.match(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$", iso)
    return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3) or 0) if m else 0.0


def component(type_name):
    for name, test in COMPONENTS:
        if test(type_name):
            return name
    return "other"


def main(path):
    events = json.load(open(path))["recording"]["events"]
    comp_s, comp_n, deopts, longest = (collections.Counter(), collections.Counter(), collections.Counter(), [])
    for e in events:
        v = e["values"]
        t = v["method"]["type"]["name"]
        if e["type"] == "jdk.Compilation":
            s = seconds(v["duration"])
            comp_s[component(t)] += s
            comp_n[component(t)] += 1
            longest.append((s, v["compileLevel"], v.get("isOsr"), t.split("/")[-1] + "." + v["method"]["name"],
                            v["codeSize"]))
        elif e["type"] == "jdk.Deoptimization":
            deopts[component(t)] += 1
    total = sum(comp_s.values())
    print(f"compilations over 100 ms: {sum(comp_n.values())}, {total:.1f} s of compiler wall time")
    for name, s in comp_s.most_common():
        print(f"  {s:6.1f} s {100 * s / total:5.1f} % {comp_n[name]:4d}  {name}")
    print(f"deoptimizations: {sum(deopts.values())}")
    for name, n in deopts.most_common():
        print(f"  {n:5d}  {name}")
    print("the 25 longest compilations (s, tier, OSR, method, code bytes):")
    for s, level, osr, m, size in sorted(longest, reverse=True)[:25]:
        print(f"  {s:5.2f} {level} {'osr' if osr else '   '} {m} {size}")


if __name__ == "__main__":
    main(sys.argv[1])
