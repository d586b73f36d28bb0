#!/usr/bin/env python3
"""The job JVM's compilations over its run, from -Xlog:jit+compilation=debug:file=<log>:uptime
(twenty-seventh round): per 10 s of uptime the compilations, the C2 ones and their bytecode bytes, the
"made not entrant" lines; then what was compiled from <after> s on, by package, and the C2 compiles of
that period that came back most often.  usage: jit_by_time.py <log> [after seconds, default 50]"""
import collections, re, sys

log = sys.argv[1]
after = float(sys.argv[2]) if len(sys.argv) > 2 else 50.0
line = re.compile(r'^\[(\d+\.\d+)s\]\s+(\d+)\s+(.{5})\s*(\d)\s+(\S+)(.*)')
rows = []
for l in open(log, errors='replace'):
    m = line.match(l)
    if not m:
        continue
    size = re.search(r'\((\d+) bytes\)', m.group(6))
    rows.append((float(m.group(1)), int(m.group(4)), m.group(5), int(size.group(1)) if size else 0,
                 'made not entrant' in m.group(6)))

print(f'{len(rows)} lines, last at {rows[-1][0]:.1f} s')
print('uptime  compiles  C2  C2_bytes  not_entrant')
buckets = collections.defaultdict(lambda: [0, 0, 0, 0])
for t, level, method, size, gone in rows:
    b = buckets[int(t // 10) * 10]
    if gone:
        b[3] += 1
        continue
    b[0] += 1
    if level == 4:
        b[1] += 1
        b[2] += size
for k in sorted(buckets):
    print(f'{k:5d}s  {buckets[k][0]:8d}  {buckets[k][1]:4d}  {buckets[k][2]:8d}  {buckets[k][3]:6d}')


def group(method):
    cls = method.split('::')[0]
    if 'GeneratedClass' in cls:
        return 'generated: ' + cls.split('$')[-1]
    parts = cls.split('.')
    return '.'.join(parts[:5] if cls.startswith('org.apache.spark.sql') else parts[:4])


late = [r for r in rows if r[0] >= after and not r[4]]
print(f'\ncompiled from {after:.0f} s on, by package (compiles, C2 bytecode bytes):')
count = collections.Counter(group(r[2]) for r in late)
c2 = collections.Counter()
for r in late:
    if r[1] == 4:
        c2[group(r[2])] += r[3]
for k, v in count.most_common(25):
    print(f'{v:6d} {c2[k]:7d}  {k}')
print(f'\nC2 compiles from {after:.0f} s on that came back most often:')
for k, v in collections.Counter(r[2] for r in late if r[1] == 4).most_common(8):
    print(f'{v:4d}  {k}')
