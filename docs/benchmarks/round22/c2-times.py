# When the hot methods of a producer run reach C1 and C2 (-XX:+PrintCompilation in the producer log):
#   python3 c2-times.py <producer log> <method,method,...>
# "mark" lines: the uptime (ms) of the last compile printed before each phase's log line.
import sys,re
f=sys.argv[1]
lines=open(f,errors='replace').read().splitlines()
# uptime of a log line = the uptime of the nearest compile line before it
last=0; marks=[]; comp=[]
for i,l in enumerate(lines):
    m=re.match(r'^\s+(\d+)\s+(\d+)\s+([%sbn!]*)\s*(\d)\s+(\S+)',l)
    if m:
        last=int(m.group(1)); comp.append((last,int(m.group(4)),m.group(5),'%' in m.group(3)))
    elif 'ReplayReader - reading' in l or 'ranked' in l or 'run finished' in l or 'synthetic trips' in l or 'resume:' in l:
        marks.append((last,l[24:110]))
for u,t in marks: print('mark',u,t)
start=[u for u,t in marks if 'reading' in t or 'synthetic trips' in t][-1]
end=[u for u,t in marks if 'run finished' in t][-1]
keys=sys.argv[2].split(',')
for k in keys:
    c4=[u for u,lv,m,osr in comp if k in m and lv==4]
    c3=[u for u,lv,m,osr in comp if k in m and lv in (1,2,3)]
    print(f'{k:40s} first C1 {c3[0] if c3 else None}  first C2 {c4[0] if c4 else None}  (second pass {start}..{end})')
# C2 compiles per 250 ms
import collections
b=collections.Counter(u//250*250 for u,lv,m,osr in comp if lv==4)
print('C2 compiles per 250ms:', sorted(b.items()))
