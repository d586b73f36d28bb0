#!/usr/bin/env bash
# Local mode's first run of a build (issue 11 point 6): no class-data archives yet. Waits for any detached dump
# to end, deletes <repo>/.local/cds, rests 20 s, runs measure-local.sh (the README command, --duration 45),
# then samples the detached dumps the run leaves (their own session, so measure-local.sh does not see them).
# usage: first-run.sh <repo dir> <out prefix>
set -u
dir=$1; out=$2
while pgrep -f Xshare:dump >/dev/null; do sleep 2; done
rm -rf "$dir/.local/cds"
sleep 20
bash "$dir/docs/benchmarks/quiet-round5/measure-local.sh" "$dir" "$out"
# the detached dumps after the run (their own session): peak RSS and when the last ended
t0=$(date +%s.%N); peak=0
while pgrep -f Xshare:dump >/dev/null; do
  r=$(ps -o rss= -p "$(pgrep -d, -f 'java -Xshare:dump')" 2>/dev/null | awk '{s+=$1} END {print s+0}')
  [ "$r" -gt "$peak" ] && peak=$r
  sleep 0.5
done
echo "detached dumps: peak_rss_kib=$peak done $(echo "$(date +%s.%N) - $t0" | bc) s after the run; $(ls $dir/.local/cds)" | tee -a "$out.summary"
