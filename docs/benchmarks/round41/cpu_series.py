# every 2 s: the Cassandra node's and the streaming job's CPU, per thread (tid) with its group name,
# keeping exited threads' last value; plus each process's own total (/proc/<pid>/stat, which
# includes reaped threads). Writes JSON lines.
import os, re, sys, time, json
def pid_of(pat):
    for p in os.listdir('/proc'):
        if p.isdigit():
            try:
                c = open(f'/proc/{p}/cmdline','rb').read().replace(b'\0',b' ').decode()
            except Exception: continue
            if pat in c: return p
def proc_total(pid):
    s = open(f'/proc/{pid}/stat').read(); f = s[s.rindex(')')+2:].split()
    return (int(f[11])+int(f[12]))/100
def thread_stats(pid):
    """(tid, thread name, CPU seconds) of each thread of pid that is still there (also used by ../round43)."""
    for t in os.listdir(f'/proc/{pid}/task'):
        try:
            s = open(f'/proc/{pid}/task/{t}/stat').read()
        except Exception: continue
        f = s[s.rindex(')')+2:].split()
        yield t, s[s.index('(')+1:s.rindex(')')], (int(f[11])+int(f[12]))/100
def threads(pid, acc):
    for t, name, cpu in thread_stats(pid):
        acc[t] = (re.sub(r'[:\-#]?\d+$', '', name), cpu)
if __name__ == '__main__':
  out = open(sys.argv[1], 'w')
  seen = False; cacc = {}
  while True:
      c = pid_of('CassandraDaemon'); j = pid_of('io.taxiplatform.streaming.StreamingJob')
      if c and j:
          try:
              if not seen: cacc = {}
              seen = True
              threads(c, cacc)
              groups = {}
              for g, v in cacc.values(): groups[g] = round(groups.get(g, 0) + v, 2)
              out.write(json.dumps({'t': time.time(), 'cass_total': proc_total(c), 'job_total': proc_total(j), 'cass_groups': groups}) + '\n'); out.flush()
          except Exception: pass
      elif seen and not j:
          break
      time.sleep(2)
