#!/usr/bin/env python3
"""The latency scenario's passes, from BenchMain's log, with the job's age and its de-duplication state.

Each pass of `--scenarios latency` runs the producer at the rate for warm-up + window seconds against
the same job; its "latency at ..." line ends the pass. For each pass: the pass's end (time of the
line), minutes since the job's first micro-batch, p50/p95/p99 and the job's input rate, then the
medians over the pass's micro-batches of the de-duplication's eviction ms (summed over its tasks)
and of the bytes its iterators read (a measure of its state), from the job's log (progress.py).

usage: passes.py <BenchMain log> <streaming-job.log>
"""
import importlib.util
import os
import re
import statistics
import sys

spec = importlib.util.spec_from_file_location(
    "progress", os.path.join(os.path.dirname(os.path.abspath(__file__)), "progress.py"))
progress = importlib.util.module_from_spec(spec)
spec.loader.exec_module(progress)


def seconds(hms):
    h, m, s = hms.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def main():
    rows = [progress.row(j) for j in progress.batches(sys.argv[2])]
    start = seconds(rows[0][0])
    line = re.compile(r"^(\d\d:\d\d:\d\d)\.\d+ .*latency at (\d+) ev/s \(pass (\d+)\): p50 ([\d.]+) "
                      r"p95 ([\d.]+) p99 ([\d.]+) s, input ([\d.]+) ev/s")
    print("pass end job_age_min p50_s p95_s p99_s input_ev_s dedup_evict_ms dedup_iter_MB")
    previous = None
    for text in open(sys.argv[1]):
        m = line.match(text)
        if not m:
            continue
        end = seconds(m.group(1))
        begin = previous if previous is not None else end - 55
        batch = [r for r in rows if begin <= seconds(r[0]) <= end and r[2] > 0]
        evict = statistics.median(r[5] for r in batch) if batch else None
        state = statistics.median(r[7] for r in batch) / 1e6 if batch else None
        print(m.group(3), m.group(1), round((end - start) / 60, 1),
              *(round(float(m.group(i)), 2) for i in (4, 5, 6)), round(float(m.group(7))),
              evict, None if state is None else round(state, 1))
        previous = end


if __name__ == "__main__":
    main()
