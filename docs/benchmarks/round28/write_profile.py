#!/usr/bin/env python3
"""Where the Cassandra-writing samples of a job's Spark task threads went (docs/benchmarks.md, "Twenty-eighth round").

    jfr print --events jdk.ExecutionSample --stack-depth 80 job.jfr > samples.txt
    python3 write_profile.py samples.txt datastax "TypeConverter,codecFor,..."

Takes the execution samples of the "Executor task launch" threads whose stack contains the second argument
(a frame substring, e.g. "datastax"), and counts each under the first key (third argument, comma-separated)
found in its frames from the innermost outwards; "other" when none is.
"""
import collections
import re
import sys


def main(path, want, keys):
    text = open(path).read()
    counts = collections.Counter()
    n = 0
    for e in text.split("jdk.ExecutionSample")[1:]:
        thread = re.search(r'sampledThread = "([^"]*)"', e)
        if not thread or "Executor task" not in thread.group(1) or want not in e:
            continue
        n += 1
        frames = re.findall(r'^\s+([\w.$<>]+)\(', e, re.M)
        hit = next((k for f in frames for k in keys if k in f), "other")
        counts[hit] += 1
    print(f"samples with {want}: {n}")
    for k, v in counts.most_common():
        print(f"{v:6d}  {k}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3].split(","))
