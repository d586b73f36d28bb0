#!/usr/bin/env python3
"""thrcpu.py PID SECONDS: CPU seconds per thread group of a JVM over an interval, read from /proc."""
import os, re, sys, time, collections
pid, s = sys.argv[1], float(sys.argv[2])
def snap():
    d = {}
    for t in os.listdir(f'/proc/{pid}/task'):
        try:
            st = open(f'/proc/{pid}/task/{t}/stat').read()
            name = st[st.index('(') + 1:st.rindex(')')]
            f = st[st.rindex(')') + 2:].split()
            d[t] = (name, int(f[11]) + int(f[12]))
        except (OSError, ValueError):
            pass
    return d
t0 = time.time(); a = snap(); time.sleep(s); b = snap(); wall = time.time() - t0
g = collections.Counter()
for t, (n, c) in b.items():
    d = c - a.get(t, (n, 0))[1]
    if 'Compiler' in n: k = 'jit ' + n[:2]
    elif n.startswith('Executor task'): k = 'tasks'
    elif n.startswith('GC ') or n.startswith('G1'): k = 'gc'
    elif n.startswith('stream exec'): k = 'query_driver'
    elif n.startswith('rocksdb'): k = n
    else: k = 'other'
    g[k] += d / os.sysconf('SC_CLK_TCK')
tot = sum(g.values())
print(f'wall {wall:.1f} s, CPU {tot:.1f} s ({tot / wall:.2f} cores)')
for k, v in g.most_common(): print(f'{v:7.2f} s {100 * v / tot:5.1f} %  {k}')
