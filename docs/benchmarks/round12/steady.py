#!/usr/bin/env python3
"""Medians over the window query's micro-batches (with input) between two times of day (UTC).

Columns as in progress.py: input rows, trigger and addBatch ms, the de-duplication's eviction and
update ms (summed over its tasks) and the MB its iterators read.

usage: steady.py <streaming-job.log> <from HH:MM:SS> [<to HH:MM:SS>]
"""
import importlib.util
import os
import statistics
import sys

spec = importlib.util.spec_from_file_location(
    "progress", os.path.join(os.path.dirname(os.path.abspath(__file__)), "progress.py"))
progress = importlib.util.module_from_spec(spec)
spec.loader.exec_module(progress)


def main():
    start = sys.argv[2]
    end = sys.argv[3] if len(sys.argv) > 3 else "99"
    rows = [progress.row(j) for j in progress.batches(sys.argv[1])]
    sel = [r for r in rows if start <= r[0] <= end and r[2] > 0]

    def med(i):
        return statistics.median(r[i] for r in sel if r[i] is not None)

    print(len(sel), "batches; median rows", med(2), "trigger", med(3), "addBatch", med(4),
          "evict", med(5), "update", med(6), "iterMB", round(med(7) / 1e6, 1))


if __name__ == "__main__":
    main()
