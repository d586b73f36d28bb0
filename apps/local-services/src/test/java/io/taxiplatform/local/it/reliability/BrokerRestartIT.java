package io.taxiplatform.local.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taxiplatform.local.JvmProcess;
import io.taxiplatform.local.KafkaNode;
import io.taxiplatform.local.LocalPaths;
import io.taxiplatform.local.SharedServices;
import io.taxiplatform.local.it.pipeline.ExpectedWindows;
import io.taxiplatform.local.it.pipeline.PipelineFixture;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 10, item 1: the broker is SIGKILLed while the producer (its own JVM, as in its image)
 * generates synthetic trips at 2,500 events/s and the job consumes them, then started again on the
 * same data directory and ports. The producer rides through: kafka-clients' idempotent producer
 * ({@code enable.idempotence=true}, {@code acks=all}, {@code retries} unbounded) keeps the records
 * it could not deliver and retries them for up to {@code delivery.timeout.ms} (default 120 s); past
 * that a record counts as a send error and the producer exits 1 with {@code send errors: N} in its
 * summary. Afterwards the topic holds every trip the producer reports as sent, exactly once, and
 * the tables equal the independent computation.
 */
class BrokerRestartIT {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerRestartIT.class);
  private static final int RATE = 2500;
  private static final int EVENTS = 40_000;
  private static final Pattern SENT = Pattern.compile("(?m)^\\s*sent:\\s+(\\d+)\\s*$");
  private static final Pattern SEND_ERRORS =
      Pattern.compile("(?m)^\\s*send errors:\\s+(\\d+)\\s*$");

  @Test
  void producerRidesThroughABrokerKillAndNothingIsLostOrCountedTwice() throws Exception {
    Optional<String> classpath = LocalPaths.producerClasspath();
    assumeTrue(
        classpath.isPresent(),
        "the producer module is not built (apps/producer/target): run the reactor build");
    long seed = System.nanoTime() & 0xffffff;
    LOG.info("synthetic producer seed {}", seed);
    try (KafkaNode kafka = KafkaNode.start();
        PipelineFixture f =
            new PipelineFixture(
                kafka,
                SharedServices.cassandra(),
                "brokerkill",
                Map.of("WATERMARK_DELAY", "30 minutes"))) {
      JobSupervisor jobs = new JobSupervisor(f);
      jobs.start();
      jobs.awaitUntil(
          "the job's tables", PipelineFixture.CONVERGE_TIMEOUT, 500, () -> tableExists(f));

      JvmProcess producer =
          JvmProcess.builder("producer", "io.taxiplatform.producer.ProducerMain")
              .classpath(classpath.get())
              .jvmArgs(List.of("-Xmx256m"))
              .workDir(f.workDir.resolve("producer"))
              .env(
                  Map.of(
                      "KAFKA_BOOTSTRAP_SERVERS",
                      kafka.bootstrapServers(),
                      "TRIPS_TOPIC",
                      f.tripsTopic,
                      "METRICS_PORT",
                      "0"))
              .args(
                  List.of(
                      "--mode",
                      "synthetic",
                      "--rate",
                      Integer.toString(RATE),
                      "--max-events",
                      Integer.toString(EVENTS),
                      "--seed",
                      Long.toString(seed)))
              .start();
      Instant producerStart = Instant.now();
      FaultData.TopicEnd topic = new FaultData.TopicEnd(f, f.tripsTopic);
      long atKill;
      Instant killedAt;
      Instant readyAt;
      long atReady;
      Instant resumedAt;
      try {
        jobs.awaitUntil(
            "the producer mid-stream",
            Duration.ofMinutes(2),
            100,
            () -> topic.count() >= 6000 || !producer.isAlive());
        assertThat(producer.isAlive())
            .as(
                "the producer is still sending when the broker is killed:%n%s",
                producer.logTail(20))
            .isTrue();
        atKill = topic.count();
        killedAt = Instant.now();
        kafka.kill();
        LOG.info(
            "broker SIGKILLed {} ms after the producer started, {} records in the topic",
            Duration.between(producerStart, killedAt).toMillis(),
            atKill);
        JobSupervisor.sleep(3000);
        kafka.restart();
        readyAt = Instant.now();
        atReady = topic.count();
        assertThat(atReady)
            .as("no acknowledged record lost by the kill")
            .isGreaterThanOrEqualTo(atKill);
        assertThat(producer.isAlive())
            .as("the producer waits for the broker:%n%s", producer.logTail(20))
            .isTrue();
        jobs.awaitUntil(
            "the producer's first records after the restart",
            Duration.ofMinutes(2),
            100,
            () -> topic.count() > atReady || !producer.isAlive());
        resumedAt = Instant.now();
      } finally {
        if (!producer.waitFor(Duration.ofMinutes(4))) {
          producer.destroy();
        }
        topic.close();
      }
      Instant producerDone = Instant.now();
      String log = Files.readString(producer.logFile());
      assertThat(producer.exitCode()).as("producer exit code; log:%n%s", log).hasValue(0);
      long sent = group(SENT, log);
      assertThat(group(SEND_ERRORS, log)).as("send errors").isZero();
      assertThat(sent).as("events the producer reports as sent").isEqualTo(EVENTS);

      List<ExpectedWindows.Input> inputs = f.tripInputs();
      Set<String> ids = new HashSet<>();
      inputs.forEach(in -> ids.add(ExpectedWindows.tripId(in.value())));
      Set<String> expectedIds =
          LongStream.rangeClosed(1, EVENTS)
              .mapToObj(i -> "syn-" + seed + "-" + i)
              .collect(Collectors.toSet());
      long duplicates = inputs.size() - ids.size();
      LOG.info(
          "topic: {} records, {} distinct trip ids, {} duplicate copies",
          inputs.size(),
          ids.size(),
          duplicates);
      assertThat(ids)
          .as("distinct trip ids in the topic = what the producer sent")
          .hasSize((int) sent)
          .isEqualTo(expectedIds);
      assertThat(duplicates).as("copies the idempotent producer wrote twice").isZero();

      ExpectedWindows expected = FaultData.expected(f);
      assertThat(expected.validCount()).isEqualTo(EVENTS);
      jobs.awaitUntil(
          "the job's aggregates of every trip",
          PipelineFixture.CONVERGE_TIMEOUT,
          1000,
          () -> FaultData.converged(f, expected));
      Instant converged = Instant.now();
      f.assertTablesEqual(expected, "v1");
      LOG.info(
          "FIGURES broker kill: {} records in the topic at the kill; broker down {} ms (kill to ready, "
              + "3 s held down); producer's first new record {} ms after the broker was ready; producer run "
              + "{} ms for {} events at {}/s ({} ms nominal); sent {}, send errors 0, topic duplicates {}, "
              + "lost 0; job exits {}; tables exact {} ms after the broker was ready",
          atKill,
          Duration.between(killedAt, readyAt).toMillis(),
          Duration.between(readyAt, resumedAt).toMillis(),
          Duration.between(producerStart, producerDone).toMillis(),
          EVENTS,
          RATE,
          EVENTS * 1000L / RATE,
          sent,
          duplicates,
          jobs.exits,
          Duration.between(readyAt, converged).toMillis());
    }
  }

  private static boolean tableExists(PipelineFixture f) {
    try {
      return f.session()
          .getMetadata()
          .getKeyspace(f.keyspace)
          .flatMap(k -> k.getTable("zone_windows_v1"))
          .isPresent();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static long group(Pattern p, String log) {
    Matcher m = p.matcher(log);
    assertThat(m.find()).as("%s in the producer's log:%n%s", p, log).isTrue();
    return Long.parseLong(m.group(1));
  }
}
