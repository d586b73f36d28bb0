#!/usr/bin/env python3
"""A job's micro-batches from its progress log (docs/benchmarks.md, "Forty-second round").

    python3 span.py streaming-job.log [...]

The job must log Spark's progress reports (MicroBatchExecution at info). Prints, per log: the micro-batches
with input, their rows, the time from the first one's start to the last one's end, the sum of their
triggerExecution, the first one's, and rows / span.
"""
import json,re,sys
from datetime import datetime
for path in sys.argv[1:]:
    text=open(path).read()
    ps=[json.loads(m.group(1)) for m in re.finditer(r"made progress: (\{.*?\n\})", text, re.S)]
    ps=[p for p in ps if p["numInputRows"]>0]
    ts=lambda p: datetime.fromisoformat(p["timestamp"].replace("Z","+00:00")).timestamp()
    start=ts(ps[0]); end=ts(ps[-1])+ps[-1]["durationMs"]["triggerExecution"]/1000
    s=sum(p["durationMs"]["triggerExecution"] for p in ps)/1000
    first=ps[0]["durationMs"]["triggerExecution"]/1000
    rows=sum(p["numInputRows"] for p in ps)
    print(path.split('/')[-2], len(ps),"batches rows",rows,"first batch start->last end %.1f s"%(end-start),"sum trigger %.1f s"%s,"first %.1f s"%first, "overall %.0f ev/s"%(rows/(end-start)))
