package io.taxiplatform.local.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.SharedServices;
import io.taxiplatform.local.it.pipeline.ExpectedWindows;
import io.taxiplatform.local.it.pipeline.PipelineFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 10, item 3: one run of 20,000 events (valid trips with 80 invalid records mixed in), the
 * job SIGKILLed 5 times at random moments (a seeded {@link Random}: the seed is logged; set {@code
 * -Dtaxi.kills.seed=N} to replay a run), each time restarted from its checkpoint; new events keep
 * arriving between the kills. The final aggregates equal the independent computation, and every
 * invalid record is in the dead-letter topic (a micro-batch re-run after a kill writes its dead
 * letters again: those copies are counted and logged).
 */
class RepeatedJobKillsIT {

  private static final Logger LOG = LoggerFactory.getLogger(RepeatedJobKillsIT.class);
  private static final int KILLS = 5;
  private static final int EVENTS = 20_000;
  private static final int INVALID_EVERY = 250;

  @Test
  void jobKilledFiveTimesAtRandomMomentsEndsExactWithEveryDeadLetter() {
    long seed = Long.getLong("taxi.kills.seed", System.nanoTime() & 0xffffff);
    LOG.info("RepeatedJobKillsIT seed {} (replay with -Dtaxi.kills.seed={})", seed, seed);
    Random rnd = new Random(seed);
    Instant start = Instant.parse("2025-05-12T05:00:00Z");
    List<byte[]> events =
        new ArrayList<>(FaultData.validTrips("k", rnd, EVENTS, start, Duration.ofHours(6)));
    for (int i = 0; i < EVENTS / INVALID_EVERY; i++) {
      int at = i * INVALID_EVERY + rnd.nextInt(INVALID_EVERY);
      events.set(at, FaultData.invalid("k-bad-" + i, i, start.plusSeconds(60L * i)));
    }
    // 40% before the job starts, the rest in equal chunks before each restart.
    int first = EVENTS * 2 / 5;
    int chunk = (EVENTS - first + KILLS - 1) / KILLS;
    try (PipelineFixture f =
        new PipelineFixture(
            SharedServices.kafka(),
            SharedServices.cassandra(),
            "kills",
            Map.of("WATERMARK_DELAY", "3650 days", "MAX_OFFSETS_PER_TRIGGER", "1000"))) {
      f.send(events.subList(0, first));
      int sentUpTo = first;
      JobSupervisor jobs = new JobSupervisor(f);
      List<String> kills = new ArrayList<>();
      List<Long> recoveryMs = new ArrayList<>();
      for (int k = 1; k <= KILLS; k++) {
        jobs.start();
        Instant startedAt = jobs.startedAt();
        jobs.awaitUntil(
            "a micro-batch written by job run " + k,
            PipelineFixture.CONVERGE_TIMEOUT,
            200,
            () -> FaultData.writtenAfter(f, "zone_windows_v1", startedAt));
        long firstWriteMs = Duration.between(startedAt, Instant.now()).toMillis();
        recoveryMs.add(firstWriteMs);
        long delay = rnd.nextInt(4000);
        jobs.sleepSupervising(Duration.ofMillis(delay));
        assertThat(jobs.exits).as("the job did not exit on its own").isEmpty();
        long atKill = f.tripCountSum("zone_windows_v1");
        jobs.killHard();
        String what =
            "kill "
                + k
                + ": "
                + delay
                + " ms after run "
                + k
                + "'s first write ("
                + firstWriteMs
                + " ms after its start), "
                + atKill
                + " trips in zone_windows_v1";
        kills.add(what);
        LOG.info(what);
        int next = Math.min(EVENTS, sentUpTo + chunk);
        f.send(events.subList(sentUpTo, next));
        sentUpTo = next;
      }
      assertThat(sentUpTo).isEqualTo(EVENTS);
      jobs.start();

      ExpectedWindows expected = FaultData.expected(f);
      assertThat(f.tripInputs()).as("each event once in the topic").hasSize(EVENTS);
      assertThat(expected.validCount()).isEqualTo(EVENTS - EVENTS / INVALID_EVERY);
      assertThat(expected.rejectedCount()).isEqualTo(EVENTS / INVALID_EVERY);
      Set<String> invalidSources = new TreeSet<>();
      for (ConsumerRecord<byte[], byte[]> r : f.readAll(f.tripsTopic)) {
        Instant ingest = Instant.ofEpochMilli(r.timestamp());
        if (ExpectedWindows.reason(r.value(), ExpectedWindows.skewReference(ingest, Instant.now()))
            != null) {
          invalidSources.add(r.partition() + ":" + r.offset());
        }
      }
      assertThat(invalidSources).hasSize(EVENTS / INVALID_EVERY);

      jobs.awaitUntil(
          "the aggregates of every valid trip",
          PipelineFixture.CONVERGE_TIMEOUT,
          1000,
          () -> FaultData.converged(f, expected));
      jobs.awaitUntil(
          "a dead letter for every invalid record",
          PipelineFixture.CONVERGE_TIMEOUT,
          1000,
          () -> f.deadLetterSources().containsAll(invalidSources));
      assertThat(jobs.exits).as("the job did not exit on its own").isEmpty();
      f.assertTablesEqual(expected, "v1");
      assertThat(f.deadLetterSources())
          .as("dead letters cover each invalid record, and only those")
          .isEqualTo(invalidSources);
      assertThat(f.deadLetterReasons().keySet()).isEqualTo(expected.rejectedByReason.keySet());
      long deadLetters = f.readAll(f.dlqTopic).size();
      long duplicates = deadLetters - invalidSources.size();
      String recovery = recoveryMs.stream().sorted().toList().toString();
      LOG.info(
          "FIGURES repeated kills (seed {}): {} kills; {} events ({} valid, {} invalid); aggregates exact "
              + "(lost 0, double 0); {} dead letters for {} invalid records: {} duplicate copies; restart to "
              + "first write (ms, sorted) {}",
          seed,
          KILLS,
          EVENTS,
          expected.validCount(),
          invalidSources.size(),
          deadLetters,
          invalidSources.size(),
          duplicates,
          recovery);
      kills.forEach(k -> LOG.info("  {}", k));
      assertThat(new String(f.readAll(f.dlqTopic).get(0).value(), StandardCharsets.UTF_8))
          .contains("reason");
    }
  }
}
