#!/bin/bash
# A broker's start, by hand (twenty-seventh round): $1 = old (StorageTool format JVM, then kafka.Kafka) or new
# (FormatThenKafka: both in one JVM); prints the seconds to "Kafka Server started". Run from the repository root after
# a build, with FormatThenKafka compiled first: javac -d /tmp/r27/launch docs/benchmarks/round27/FormatThenKafka.java
mode=$1; CP=$(cat apps/local-runtimes/kafka/target/classpath.txt)
d=$(mktemp -d /tmp/k-XXXX); p=$((20000 + RANDOM % 20000)); c=$((p+1))
cat > $d/server.properties <<P
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$c
listeners=PLAINTEXT://127.0.0.1:$p,CONTROLLER://127.0.0.1:$c
advertised.listeners=PLAINTEXT://127.0.0.1:$p
controller.listener.names=CONTROLLER
log.dirs=$d/data
offsets.topic.replication.factor=1
P
cat > $d/log4j2.properties <<P
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
P
J="-Xms32m -Xmx256m -XX:+UseSerialGC -Dlog4j2.configurationFile=$d/log4j2.properties"
t0=$(date +%s.%N)
if [ $mode = old ]; then
  java $J -cp "$CP" kafka.tools.StorageTool format -t MkU3OEVBNTcwNTJENDM2Qk -c $d/server.properties > $d/format.log 2>&1
  t1=$(date +%s.%N)
  java $J -cp "$CP" kafka.Kafka $d/server.properties > $d/kafka.log 2>&1 &
else
  t1=$t0
  java $J -cp "/tmp/r27/launch:$CP" FormatThenKafka format -t MkU3OEVBNTcwNTJENDM2Qk -c $d/server.properties -- $d/server.properties > $d/kafka.log 2>&1 &
fi
pid=$!
while ! grep -q "Kafka Server started" $d/kafka.log 2>/dev/null; do sleep 0.05; done
t2=$(date +%s.%N)
cpu=$(awk '{print ($14+$15)/100}' /proc/$pid/stat)
kill $pid; wait $pid 2>/dev/null
echo "$mode format=$(echo "$t1-$t0"|bc) ready=$(echo "$t2-$t0"|bc) brokercpu=$cpu"
rm -rf $d
