# The phases of every producer run in a benchmark work directory (the /tmp/bench-* it prints):
#   python3 phases.py /tmp/bench-xxxx
# per run: events/s, elapsed (the producer's own), the dropoff first pass (its "ranked ... in N ms"),
# the time from the run's start to the second pass's first file read ("reading <file>", its last
# occurrence), the second pass (that read to "run finished"), the process CPU (BENCH_CPU_NS).
import sys, re, glob, os, datetime

def ts(line):
    return datetime.datetime.strptime(line[:23], '%Y-%m-%dT%H:%M:%S.%f')

rows = []
for log in sorted(glob.glob(os.path.join(sys.argv[1], 'producer-*', '*.log'))):
    name = os.path.basename(log)[:-4]
    reads, finished, elapsed, first, rate, cpu = [], None, None, None, None, None
    for line in open(log, errors='replace'):
        if 'ReplayReader - reading' in line:
            reads.append(ts(line))
        elif 'run finished' in line:
            finished = ts(line)
            elapsed = float(re.search(r'elapsed=([\d.]+)', line).group(1))
        m = re.search(r'ranked \d+ rows by dropoff in (\d+) ms', line)
        if m:
            first = int(m.group(1))
        if line.strip().startswith('rate:'):
            rate = float(line.split()[1])
        if line.startswith('BENCH_CPU_NS'):
            cpu = int(line.split()[1]) / 1e9
    if finished is None:
        continue
    start = finished - datetime.timedelta(seconds=elapsed)
    to_second = (reads[-1] - start).total_seconds() if reads else None
    second = (finished - reads[-1]).total_seconds() if reads else None
    rows.append((name, rate, elapsed, first, to_second, second, cpu))

fmt = lambda v, f: '-' if v is None else f.format(v)
print('| run | events/s | elapsed s | first pass ms | start → second pass s | second pass s | CPU s |')
print('|---|---|---|---|---|---|---|')
for name, rate, elapsed, first, to_second, second, cpu in rows:
    print(f'| {name} | {fmt(rate, "{:,.0f}")} | {elapsed:.2f} | {fmt(first, "{}")} | '
          f'{fmt(to_second, "{:.2f}")} | {fmt(second, "{:.2f}")} | {fmt(cpu, "{:.2f}")} |')
