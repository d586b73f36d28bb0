#!/usr/bin/env python3
"""The task threads' samples of a job's flight recording by innermost frame (docs/benchmarks.md,
"Forty-second round").

    jfr print --events jdk.ExecutionSample --stack-depth 80 job.jfr > samples.txt
    python3 leaf_frames.py samples.txt [only-samples-holding-this-text [frames-deep]]

Record with -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints, or the innermost frames of compiled code
are approximate.
"""
import re,sys,collections
text=open(sys.argv[1]).read()
events=text.split("jdk.ExecutionSample")[1:]
flt=sys.argv[2] if len(sys.argv)>2 else None
depth=int(sys.argv[3]) if len(sys.argv)>3 else 1
c=collections.Counter(); tot=0
for e in events:
    t=re.search(r'sampledThread = "([^"]*)"',e)
    if not t or "Executor task" not in t.group(1): continue
    if flt and flt not in e: continue
    frames=re.findall(r'^\s+([\w$.<>]+\(.*?\))\s+line:',e,re.M)
    if not frames: continue
    tot+=1
    key=" <- ".join(f.split('(')[0].split('.')[-2]+'.'+f.split('(')[0].split('.')[-1] for f in frames[:depth])
    c[key]+=1
print("samples",tot)
for k,v in c.most_common(45): print(f"{v:5d} {100*v/tot:5.1f}% {k}")
