# The job's catch-up events/s by both measures from one BenchMain throughput run:
#   python3 measure.py <out>/results.json <bench work dir, e.g. /tmp/bench-3435740d>
# new: rows after the first micro-batch / (end of the last - end of the first), ends from
#      taxi_stream_last_progress_timestamp_seconds (the curve in results.json, since the tenth round)
# old: the same rows / (start of the last - start of the first): the trigger starts it read before,
#      start = end - the batch's duration (the job log's "falling behind ... spent N milliseconds",
#      which Spark prints for every catch-up batch: each one takes longer than the 1 s trigger)
import json, re, sys
r = json.load(open(sys.argv[1]))['scenarios']['throughput']
for run in r['job_runs']:
    v = run['pipeline_version']
    log = open(f"{sys.argv[2]}/job-{v}/streaming-job.log").read()
    d = [int(x) / 1000 for x in re.findall(r'but spent (\d+) milliseconds', log)]
    c = run['curve_seconds_rows']
    d = d[:len(c)]
    rows = c[-1][1] - c[0][1]
    new = rows / (c[-1][0] - c[0][0])
    old = rows / ((c[-1][0] - d[-1]) - (c[0][0] - d[0]))
    print(f"{v}: batches {len(c)}, durations s {[round(x, 2) for x in d]}: "
          f"new {new:,.0f} ev/s, old measure {old:,.0f} ev/s, new/old {new / old:.2f}")
