package io.taxiplatform.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taxiplatform.producer.replay.KeyPartitioner;
import io.taxiplatform.producer.replay.ReplayMarker;
import io.taxiplatform.producer.replay.SyntheticTlcCsv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay order across files, the period rule, explicit partitions and resume, on
 * MockProducer/MockConsumer.
 */
class TripProducerAppReplayTest {

  private static final String TOPIC = "t";
  private static final int PARTITIONS = 3;
  private static final Instant NOW = Instant.parse("2026-11-22T03:30:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static MockProducer<String, byte[]> producer() {
    Node node = new Node(0, "127.0.0.1", 9092);
    List<PartitionInfo> parts =
        IntStream.range(0, PARTITIONS)
            .mapToObj(p -> new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node}))
            .toList();
    Cluster cluster =
        new Cluster("c", List.of(node), parts, java.util.Set.of(), java.util.Set.of());
    return new MockProducer<>(
        cluster, true, null, new StringSerializer(), new ByteArraySerializer());
  }

  private TripProducerConfig config(String... args) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of("--mode", "replay", "--topic", TOPIC, "--spill-dir", dir.toString()));
    all.addAll(List.of(args));
    return TripProducerConfig.parse(Map.of("METRICS_PORT", "0"), all.toArray(String[]::new));
  }

  private static final Supplier<Consumer<byte[], byte[]>> NO_CONSUMER =
      () -> {
        throw new AssertionError("the topic must not be read");
      };
  private static final Supplier<Consumer<byte[], byte[]>> EMPTY_TOPIC =
      () -> topicHolding(List.of());

  private static String row(String dropoff, int zone) {
    return "1,2025-01-01 00:00:00,"
        + dropoff
        + ",1,1.0,1,N,"
        + zone
        + ",20,1,-5,0,0.5,0,0,0.3,-4.2,,";
  }

  /** Two files whose rows interleave in dropoff time, each unsorted; one row of another year. */
  private List<Path> twoFiles() throws Exception {
    Path a =
        Files.writeString(
            dir.resolve("a_2025-01.csv"),
            String.join(
                    "\n",
                    SyntheticTlcCsv.HEADER,
                    row("2025-01-01 00:50:00", 1),
                    row("2025-01-01 00:10:00", 2),
                    row("2025-01-01 00:30:00", 3),
                    row("2024-06-01 00:00:00", 4))
                + "\n");
    Path b =
        Files.writeString(
            dir.resolve("b_2025-01.csv"),
            String.join(
                    "\n",
                    SyntheticTlcCsv.HEADER,
                    row("2025-01-01 00:40:00", 5),
                    row("2025-01-01 00:20:00", 6),
                    row("2025-01-01 00:30:00", 7))
                + "\n");
    return List.of(a, b);
  }

  private static String inputs(List<Path> files) {
    return files.stream().map(Path::toString).collect(Collectors.joining(","));
  }

  private static List<String> tripIds(List<ProducerRecord<String, byte[]>> records)
      throws Exception {
    List<String> out = new ArrayList<>();
    for (ProducerRecord<String, byte[]> r : records) {
      out.add(JSON.readTree(r.value()).get("trip_id").asText());
    }
    return out;
  }

  private static ReplayMarker marker(ProducerRecord<String, byte[]> r) {
    Header h = r.headers().lastHeader(ReplayMarker.HEADER);
    return ReplayMarker.decode(h == null ? null : h.value()).orElseThrow();
  }

  @Test
  void dropoffOrderMergesAllInputsAndRejectsRowsOutsideThePeriod() throws Exception {
    MockProducer<String, byte[]> producer = producer();
    ProducerMetrics metrics = new ProducerMetrics();
    RunSummary s =
        new TripProducerApp(
                config("--input", inputs(twoFiles())),
                producer,
                EMPTY_TOPIC,
                metrics,
                Clock.fixed(NOW, ZoneOffset.UTC))
            .run();
    // 00:30 in both files: the first file wins the tie
    assertThat(tripIds(producer.history()))
        .containsExactly(
            "a_2025-01.csv:2",
            "b_2025-01.csv:2",
            "a_2025-01.csv:3",
            "b_2025-01.csv:3",
            "b_2025-01.csv:1",
            "a_2025-01.csv:1");
    assertThat(s.rowsRead()).isEqualTo(7);
    assertThat(s.sent()).isEqualTo(6);
    assertThat(s.rejected()).containsExactlyEntriesOf(Map.of("outside_period", 1L));
    assertThat(s.format()).contains("outside_period");
    assertThat(
            metrics.registry().scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("taxi_producer_rows_rejected"))
                .findFirst()
                .orElseThrow()
                .getDataPoints()
                .stream()
                .map(
                    d ->
                        d.getLabels().get("reason")
                            + "="
                            + ((io.prometheus.metrics.model.snapshots.CounterSnapshot
                                        .CounterDataPointSnapshot)
                                    d)
                                .getValue())
                .toList())
        .contains("outside_period=1.0");
  }

  @Test
  void fileOrderKeepsEachFilesRowOrderAndStillAppliesThePeriodRule() throws Exception {
    MockProducer<String, byte[]> producer = producer();
    RunSummary s =
        new TripProducerApp(
                config("--input", inputs(twoFiles()), "--order", "file"),
                producer,
                EMPTY_TOPIC,
                null,
                Clock.fixed(NOW, ZoneOffset.UTC))
            .run();
    assertThat(tripIds(producer.history()))
        .containsExactly(
            "a_2025-01.csv:1",
            "a_2025-01.csv:2",
            "a_2025-01.csv:3",
            "b_2025-01.csv:1",
            "b_2025-01.csv:2",
            "b_2025-01.csv:3");
    assertThat(s.rejected()).containsExactlyEntriesOf(Map.of("outside_period", 1L));
  }

  @Test
  void timeModeNowShiftsFromTheFirstEventOfTheSortedOrder() throws Exception {
    MockProducer<String, byte[]> producer = producer();
    new TripProducerApp(
            config("--input", inputs(twoFiles()), "--time-mode", "now"),
            producer,
            EMPTY_TOPIC,
            null,
            Clock.fixed(NOW, ZoneOffset.UTC))
        .run();
    List<Instant> dropoffs = new ArrayList<>();
    for (ProducerRecord<String, byte[]> r : producer.history()) {
      dropoffs.add(Instant.parse(JSON.readTree(r.value()).get("dropoff_time").asText()));
    }
    // the earliest dropoff (00:10, second row of the first file) ends now; the last, 40 minutes
    // later
    assertThat(dropoffs.get(0)).isEqualTo(NOW);
    assertThat(dropoffs.get(5)).isEqualTo(NOW.plusSeconds(40 * 60));
    assertThat(dropoffs).isSorted();
  }

  @Test
  void speedFollowsTheTrueTimelineInDropoffOrder() throws Exception {
    long[] now = {0};
    List<Long> sleeps = new ArrayList<>();
    Pacer pacer =
        Pacer.speed(
            600,
            () -> now[0],
            n -> {
              sleeps.add(n);
              now[0] += n;
            });
    new TripProducerApp(
            config("--input", inputs(twoFiles()), "--speed", "600"),
            producer(),
            EMPTY_TOPIC,
            null,
            Clock.fixed(NOW, ZoneOffset.UTC),
            pacer)
        .run();
    // dropoffs 00:10, 00:20, 00:30, 00:30, 00:40, 00:50 at 600x: one second per 10 minutes, no wait
    // for the tie
    assertThat(sleeps)
        .containsExactly(1_000_000_000L, 1_000_000_000L, 1_000_000_000L, 1_000_000_000L);
  }

  @Test
  void everyRecordHasTheKeyPartitionersPartitionAndASequenceInEmittedOrder() throws Exception {
    MockProducer<String, byte[]> producer = producer();
    Path f = SyntheticTlcCsv.write(dir.resolve("x_2025-01.csv"), 200, YearMonth.of(2025, 1), 1, 4);
    new TripProducerApp(
            config("--input", f.toString()),
            producer,
            EMPTY_TOPIC,
            null,
            Clock.fixed(NOW, ZoneOffset.UTC))
        .run();
    List<ProducerRecord<String, byte[]>> sent = producer.history();
    assertThat(sent).hasSize(200);
    for (int i = 0; i < sent.size(); i++) {
      ProducerRecord<String, byte[]> r = sent.get(i);
      assertThat(r.partition()).isEqualTo(KeyPartitioner.partition(r.key(), PARTITIONS));
      assertThat(marker(r).seq()).isEqualTo(i);
      assertThat(marker(r).shiftSeconds()).isNull();
    }
    assertThat(sent).extracting(ProducerRecord::partition).containsOnly(0, 1, 2);
    assertThat(sent.stream().map(r -> marker(r).replayId()).distinct()).hasSize(1);
  }

  /** A consumer over what {@code records} would be on the topic, each partition in send order. */
  private static MockConsumer<byte[], byte[]> topicHolding(
      List<ProducerRecord<String, byte[]>> records) {
    MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest");
    Map<TopicPartition, Long> begin = new HashMap<>();
    Map<TopicPartition, Long> end = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      begin.put(new TopicPartition(TOPIC, p), 0L);
      end.put(new TopicPartition(TOPIC, p), 0L);
    }
    List<ConsumerRecord<byte[], byte[]>> recs = new ArrayList<>();
    for (ProducerRecord<String, byte[]> r : records) {
      TopicPartition tp = new TopicPartition(TOPIC, r.partition());
      long offset = end.merge(tp, 1L, Long::sum) - 1;
      recs.add(
          new ConsumerRecord<>(
              TOPIC,
              r.partition(),
              offset,
              0L,
              TimestampType.CREATE_TIME,
              0,
              0,
              r.key().getBytes(),
              r.value(),
              r.headers(),
              Optional.empty()));
    }
    c.updateBeginningOffsets(begin);
    c.updateEndOffsets(end);
    c.schedulePollTask(() -> recs.forEach(c::addRecord));
    return c;
  }

  /** What a run killed mid-way leaves: per partition, a prefix of that partition's records. */
  private static List<ProducerRecord<String, byte[]>> killedRun(
      List<ProducerRecord<String, byte[]>> full) {
    Map<Integer, Integer> kept = Map.of(0, 40, 1, 0, 2, 77);
    Map<Integer, Integer> seen = new HashMap<>();
    List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
    for (ProducerRecord<String, byte[]> r : full) {
      if (seen.merge(r.partition(), 1, Integer::sum) <= kept.get(r.partition())) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void aResumedReplaySendsExactlyWhatTheTopicLacksAndASecondCompleteRunSendsNothing()
      throws Exception {
    List<Path> files =
        List.of(
            SyntheticTlcCsv.write(dir.resolve("p_2025-01.csv"), 150, YearMonth.of(2025, 1), 60, 7),
            SyntheticTlcCsv.write(dir.resolve("q_2025-01.csv"), 150, YearMonth.of(2025, 1), 60, 8));
    TripProducerConfig config = config("--input", inputs(files), "--sort-chunk-rows", "40");
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    MockProducer<String, byte[]> first = producer();
    new TripProducerApp(config, first, EMPTY_TOPIC, null, clock)
        .run(); // what an uninterrupted run sends
    List<ProducerRecord<String, byte[]>> full = first.history();
    assertThat(full).hasSize(300);

    List<ProducerRecord<String, byte[]>> before = killedRun(full);
    assertThat(before).hasSize(117);
    MockProducer<String, byte[]> second = producer();
    AtomicInteger consumers = new AtomicInteger();
    RunSummary s =
        new TripProducerApp(
                config,
                second,
                () -> {
                  consumers.incrementAndGet();
                  return topicHolding(before);
                },
                null,
                clock)
            .run();
    assertThat(consumers).hasValue(1);
    assertThat(s.skippedAlreadyPresent()).isEqualTo(117);
    assertThat(s.sent()).isEqualTo(183);
    assertThat(s.rowsRead()).isEqualTo(300);
    assertThat(s.format()).contains("resumed:     skipped 117 already in the topic");
    // the topic now holds every event exactly once, each partition in the original order
    List<ProducerRecord<String, byte[]>> topic =
        Stream.concat(before.stream(), second.history().stream()).toList();
    assertThat(tripIds(topic))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(tripIds(full));
    for (int p = 0; p < PARTITIONS; p++) {
      int partition = p;
      assertThat(
              topic.stream()
                  .filter(r -> r.partition() == partition)
                  .map(r -> marker(r).seq())
                  .toList())
          .isSorted();
      assertThat(
              topic.stream()
                  .filter(r -> r.partition() == partition)
                  .map(ProducerRecord::value)
                  .toList())
          .containsExactlyElementsOf(
              full.stream()
                  .filter(r -> r.partition() == partition)
                  .map(ProducerRecord::value)
                  .toList());
    }

    MockProducer<String, byte[]> third = producer();
    RunSummary again =
        new TripProducerApp(config, third, () -> topicHolding(topic), null, clock).run();
    assertThat(third.history()).isEmpty();
    assertThat(again.sent()).isZero();
    assertThat(again.skippedAlreadyPresent()).isEqualTo(300);
    assertThat(again.ok()).isTrue();
  }

  @Test
  void aResumedTimeModeNowReplayReusesTheShiftOfTheFirstRun() throws Exception {
    Path f = SyntheticTlcCsv.write(dir.resolve("n_2025-01.csv"), 120, YearMonth.of(2025, 1), 1, 11);
    TripProducerConfig config = config("--input", f.toString(), "--time-mode", "now");
    MockProducer<String, byte[]> first = producer();
    new TripProducerApp(config, first, EMPTY_TOPIC, null, Clock.fixed(NOW, ZoneOffset.UTC)).run();
    List<ProducerRecord<String, byte[]>> full = first.history();
    long shift = marker(full.get(0)).shiftSeconds();

    MockProducer<String, byte[]> second = producer();
    RunSummary s =
        new TripProducerApp(
                config,
                second,
                () -> topicHolding(killedRun(full)),
                null,
                Clock.fixed(NOW.plusSeconds(3600), ZoneOffset.UTC))
            .run(); // restarted an hour later
    assertThat(s.skippedAlreadyPresent()).isPositive();
    Map<String, byte[]> fullById = new HashMap<>();
    for (ProducerRecord<String, byte[]> r : full) {
      fullById.put(JSON.readTree(r.value()).get("trip_id").asText(), r.value());
    }
    for (ProducerRecord<String, byte[]> r : second.history()) {
      JsonNode e = JSON.readTree(r.value());
      assertThat(r.value()).isEqualTo(fullById.get(e.get("trip_id").asText()));
      assertThat(marker(r).shiftSeconds()).isEqualTo(shift);
    }
  }

  @Test
  void anotherReplayInTheTopicIsNotSkippedAndResumeFalseDoesNotReadTheTopic() throws Exception {
    List<Path> files = twoFiles();
    MockProducer<String, byte[]> first = producer();
    new TripProducerApp(
            config("--input", inputs(files), "--order", "file"),
            first,
            EMPTY_TOPIC,
            null,
            Clock.fixed(NOW, ZoneOffset.UTC))
        .run();
    // the dropoff-order replay of the same files is another replay: nothing skipped
    MockProducer<String, byte[]> second = producer();
    RunSummary s =
        new TripProducerApp(
                config("--input", inputs(files)),
                second,
                () -> topicHolding(first.history()),
                null,
                Clock.fixed(NOW, ZoneOffset.UTC))
            .run();
    assertThat(s.skippedAlreadyPresent()).isZero();
    assertThat(second.history()).hasSize(6);

    MockProducer<String, byte[]> third = producer();
    RunSummary r =
        new TripProducerApp(
                config("--input", inputs(files), "--resume", "false"),
                third,
                NO_CONSUMER,
                null,
                Clock.fixed(NOW, ZoneOffset.UTC))
            .run();
    assertThat(r.sent()).isEqualTo(6);
  }

  @Test
  void aTopicThatCannotBeReadFailsTheRunBeforeSending() throws Exception {
    MockProducer<String, byte[]> producer = producer();
    RunSummary s =
        new TripProducerApp(
                config("--input", inputs(twoFiles())),
                producer,
                () -> {
                  throw new KafkaException("no broker");
                },
                null,
                Clock.fixed(NOW, ZoneOffset.UTC))
            .run();
    assertThat(s.ok()).isFalse();
    assertThat(s.failure()).contains("resume").contains("no broker").contains("--resume false");
    assertThat(producer.history()).isEmpty();
  }
}
