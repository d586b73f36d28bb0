# Executor CPU per stage kind, summed over one job run's Spark event log: python3 cpu.py <event log files>
import json,sys,collections
for f in sys.argv[1:]:
    cpu=collections.Counter(); run=collections.Counter(); rows=0; kinds={}
    for line in open(f):
        e=json.loads(line); ev=e['Event']
        if ev=='SparkListenerTaskEnd':
            m=e.get('Task Metrics') or {}
            inp=(m.get('Input Metrics') or {}).get('Records Read',0)
            sh=(m.get('Shuffle Read Metrics') or {}).get('Total Records Read',0)
            k='A read+parse' if inp>0 else ('B/C after a shuffle' if sh>0 else 'other')
            cpu[k]+=m.get('Executor CPU Time',0)/1e9; run[k]+=m.get('Executor Run Time',0)/1e3
            rows+=inp
    tot=sum(cpu.values())
    print(f"{f.split('/')[-2]}/{f.split('/')[-1][-8:]}: input rows {rows:,}; executor CPU {tot:6.1f} s = {tot/rows*1e6:5.2f} s per million;"+''.join(f" {k} {cpu[k]:5.1f} s ({run[k]:5.1f} s run);" for k in sorted(cpu)))
