#!/usr/bin/env python3
"""The task threads' samples whose innermost frame is decimal arithmetic (BigInteger, BigDecimal,
Spark's Decimal), by their first caller outside it (docs/benchmarks.md, "Forty-second round").

    python3 decimal_frames.py samples.txt   # the output of jfr print, as for leaf_frames.py
"""
import re,sys,collections
text=open(sys.argv[1]).read()
events=text.split("jdk.ExecutionSample")[1:]
c=collections.Counter(); tot=0; callers=collections.Counter()
for e in events:
    t=re.search(r'sampledThread = "([^"]*)"',e)
    if not t or "Executor task" not in t.group(1): continue
    frames=re.findall(r'^\s+([\w$.<>]+)\(.*?\)\s+line:',e,re.M)
    if not frames: continue
    tot+=1
    top=frames[0]
    # first frame within decimal cluster
    isdec=any(x in top for x in ("BigInteger","BigDecimal","Decimal","getDecimal","MutableBigInteger"))
    if isdec:
        # find first non-decimal caller
        for f in frames:
            if not any(x in f for x in ("BigInteger","BigDecimal","Decimal","MutableBigInteger","math.","BoxesRunTime")):
                callers[f]+=1;break
        c["decimal"]+=1
    elif "Box" in top or "boxTo" in top: c["boxing"]+=1
    else: c["other"]+=1
print(tot,c)
for k,v in callers.most_common(20): print(v,k)
