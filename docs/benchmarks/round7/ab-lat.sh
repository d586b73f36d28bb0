#!/bin/bash
# Latency A/B of two builds of the streaming job at one rate, with Spark's event log (docs/benchmarks.md,
# "Seventh round"). Run from the repository root after
#   ./mvnw -B -ntp -s .mvn/settings.xml -pl apps/benchmarks -am package -DskipTests -Dimages.skip=true
# with the two job jars copied to $OUT/job-<side>.jar, e.g. RATE=1000 ORDER="zone base base zone".
OUT=${OUT:-/tmp/r7}
CP="apps/benchmarks/target/classes:$(cat apps/benchmarks/target/classpath.txt)"
for side in $ORDER; do
  i=$((i+1)); d=$OUT/lat${RATE}-$side-$i; ev=$OUT/ev${RATE}-$side-$i
  rm -rf $d $ev; mkdir -p $ev
  echo "=== $side $i $(date +%T)"
  java -Xmx768m -Djava.awt.headless=true -Dtaxi.streaming.jar=$OUT/job-$side.jar \
    -Dbench.latencyJobProperties="spark.eventLog.enabled=true;spark.eventLog.dir=file://$ev" \
    -cp "$CP" io.taxiplatform.bench.BenchMain --out $d --scenarios latency --latency-rates ${RATE:-5000} \
    --latency-passes 2 --latency-warmup-s 8 --latency-window-s 15 > $d.log 2>&1
  grep -h -o 'p50[^)]*input [0-9.]* ev/s' $d.log | head -4
done
# then: python3 docs/benchmarks/quiet-round6/stages.py $OUT/ev${RATE}-*
