#!/usr/bin/env bash
# Local mode's start-up figure (issue 11 point 6), the method of docs/benchmarks.md ("Local mode, third round").
# usage: measure-local.sh <repo dir> <out prefix>     (extra LocalPipeline flags in $LOCAL_EXTRA, e.g. --no-cds)
# Runs the README local command with --duration 45 in its own session (after a warm-up build with --help),
# timestamps each console line (seconds since the command started) and sums the RSS of every process of the
# session every 0.5 s (a fork that has not exec'd yet, same command line as its parent, is left out).
# Writes <out>.log, <out>.rss and <out>.summary: first_row_s (the first "busiest zones" line) and peak RSS.
set -u
dir=$1; out=$2
cd "$dir"
./mvnw -q -Plocal -pl apps/local-services -am package -DskipTests -Dimages.skip=true -Dlocal.args="--help" >/dev/null 2>&1
rm -f "$out.sid"
start=$(date +%s.%N)
setsid bash -c 'echo $$ > '"$out.sid"'; exec ./mvnw -q -Plocal -pl apps/local-services -am package -DskipTests -Dimages.skip=true -Dlocal.args="--duration 45 ${LOCAL_EXTRA:-}" 2>&1' \
  | while IFS= read -r line; do printf '%7.2f %s\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$line"; done > "$out.log" &
while [ ! -s "$out.sid" ]; do sleep 0.05; done
sid=$(cat "$out.sid")
sum_awk='
{ pid=$1; ppid[pid]=$2; rss[pid]=$3; $1=$2=$3=""; args[pid]=$0; order[++n]=pid }
END {
  for (i=1;i<=n;i++) { p=order[i]; q=ppid[p];
    if ((q in args) && args[q]==args[p]) continue;
    a=args[p]; nm="other";
    if (a ~ /LocalPipelineLauncher|classworlds/) nm="maven"; else if (a ~ /LocalPipeline/) nm="pipeline";
    else if (a ~ /CassandraDaemon/) nm="cassandra"; else if (a ~ /kafka\.Kafka|FormatThenStart/) nm="kafka"; else if (a ~ /StreamingJob/) nm="job";
    s+=rss[p]; printf "%s=%d ", nm, rss[p] }
  printf "sum=%d", s }'
peak=0; : > "$out.rss"
while ps -s "$sid" -o pid= >/dev/null 2>&1; do
  t=$(echo "$(date +%s.%N) - $start" | bc)
  snap=$(ps -s "$sid" -o pid=,ppid=,rss=,args= 2>/dev/null | awk "$sum_awk")
  echo "$t $snap" >> "$out.rss"
  sum=${snap##*sum=}
  [ "$sum" -gt "$peak" ] && peak=$sum
  sleep 0.5
done
wait
first=$(grep -m1 'busiest zones' "$out.log" | awk '{print $1}')
perproc=$(awk '{for(i=2;i<=NF;i++){split($i,a,"="); if(a[1]!="sum" && a[2]>m[a[1]]) m[a[1]]=a[2]}} END {for(k in m) printf "%s=%dMB ", k, m[k]*1024/1000000}' "$out.rss")
echo "first_row_s=${first:-none} peak_rss_kib=$peak peak_gib=$(echo "scale=3; $peak/1048576" | bc) peak_gb=$(echo "scale=3; $peak*1024/1000000000" | bc) per_process_peak: $perproc load=$(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out.summary"
