package io.taxiplatform.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taxiplatform.producer.replay.SyntheticTlcCsv;
import io.taxiplatform.producer.source.CsvTripSource;
import io.taxiplatform.producer.source.RowRejects;
import io.taxiplatform.producer.source.TlcParquetFiles;
import io.taxiplatform.producer.source.TlcParquetFiles.Variant;
import io.taxiplatform.producer.source.TripSources;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad replay inputs (issue 10 item 6): each fails or is skipped with a message that names the file
 * and the cause, and an exit code; a bad file fails before anything is sent, and a file that fails
 * while it is read leaves a summary that says what was sent before.
 */
class BadInputFilesTest {

  private static final String TOPIC = "t";

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /**
   * ProducerMain with the inputs; the broker address is a closed local port (nothing may be sent).
   */
  private int main(String... inputs) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
    env.put("METRICS_PORT", "0");
    env.put("PRODUCER_SPILL_DIR", dir.toString());
    return ProducerMain.run(
        new String[] {"--mode", "replay", "--input", String.join(",", inputs)},
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static MockProducer<String, byte[]> producer() {
    Node node = new Node(0, "127.0.0.1", 9092);
    List<PartitionInfo> parts =
        IntStream.range(0, 2)
            .mapToObj(p -> new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node}))
            .toList();
    Cluster cluster =
        new Cluster("c", List.of(node), parts, java.util.Set.of(), java.util.Set.of());
    return new MockProducer<>(
        cluster, true, null, new StringSerializer(), new ByteArraySerializer());
  }

  private static final Supplier<Consumer<byte[], byte[]>> EMPTY_TOPIC =
      () -> {
        MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest");
        Map<org.apache.kafka.common.TopicPartition, Long> ends = new HashMap<>();
        for (int p = 0; p < 2; p++) {
          ends.put(new org.apache.kafka.common.TopicPartition(TOPIC, p), 0L);
        }
        c.updateBeginningOffsets(ends);
        c.updateEndOffsets(ends);
        return c;
      };

  private RunSummary replay(MockProducer<String, byte[]> producer, String order, Path... inputs)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--mode",
                "replay",
                "--topic",
                TOPIC,
                "--spill-dir",
                dir.toString(),
                "--order",
                order,
                "--input"));
    args.add(String.join(",", java.util.Arrays.stream(inputs).map(Path::toString).toList()));
    TripProducerConfig config =
        TripProducerConfig.parse(Map.of("METRICS_PORT", "0"), args.toArray(String[]::new));
    return new TripProducerApp(config, producer, EMPTY_TOPIC, null, Clock.systemUTC()).run();
  }

  private Path csv(String name, int rows) {
    return SyntheticTlcCsv.write(dir.resolve(name), rows, YearMonth.of(2025, 1), 30, 7);
  }

  @Test
  void aTruncatedParquetFileFailsBeforeAnythingIsSent() throws Exception {
    Path good = dir.resolve("good_2025-01.parquet");
    Map<String, Object> row = new HashMap<>();
    row.put("VendorID", 1L);
    row.put(
        "tpep_pickup_datetime",
        TlcParquetFiles.encode(LocalDateTime.parse("2025-01-05T10:00:00"), TimeUnit.MICROS));
    row.put(
        "tpep_dropoff_datetime",
        TlcParquetFiles.encode(LocalDateTime.parse("2025-01-05T10:20:00"), TimeUnit.MICROS));
    row.put("trip_distance", 2.5);
    row.put("PULocationID", 48L);
    row.put("DOLocationID", 50L);
    row.put("fare_amount", 12.5);
    row.put("tip_amount", 2.0);
    row.put("total_amount", 18.3);
    TlcParquetFiles.write(
        good, TlcParquetFiles.schema(Variant.Y2024, TimeUnit.MICROS, false), List.of(row, row));
    byte[] bytes = Files.readAllBytes(good);
    Path truncated =
        Files.write(
            dir.resolve("truncated_2025-01.parquet"),
            java.util.Arrays.copyOf(bytes, bytes.length / 2));

    assertThat(main(csv("ok_2025-01.csv", 5).toString(), truncated.toString())).isEqualTo(1);
    assertThat(stderr())
        .contains("truncated_2025-01.parquet: not a readable parquet file")
        .contains("nothing was sent");
    MockProducer<String, byte[]> p = producer();
    assertThatThrownBy(() -> replay(p, "file", csv("ok2_2025-01.csv", 5), truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nothing was sent");
    assertThat(p.history()).isEmpty();
  }

  @Test
  void aCsvOfRandomBytesFailsBeforeAnythingIsSent() throws Exception {
    byte[] random = new byte[200_000];
    new Random(10).nextBytes(random);
    Path file = Files.write(dir.resolve("random_2025-01.csv"), random);
    assertThat(main(csv("ok_2025-01.csv", 5).toString(), file.toString())).isEqualTo(1);
    assertThat(stderr())
        .contains("random_2025-01.csv: not UTF-8 text near line 1")
        .contains("nothing was sent");

    // Random ASCII (valid UTF-8, no TLC header): the header names none of the columns.
    StringBuilder ascii = new StringBuilder();
    Random r = new Random(11);
    for (int i = 0; i < 100_000; i++) {
      char c = (char) (r.nextInt(95) + 32);
      ascii.append(c == '"' ? '\'' : c);
      if (r.nextInt(80) == 0) {
        ascii.append('\n');
      }
    }
    Path text = Files.writeString(dir.resolve("noise_2025-01.csv"), ascii);
    err.reset();
    assertThat(main(text.toString())).isEqualTo(1);
    assertThat(stderr())
        .contains("noise_2025-01.csv: required column")
        .contains("is missing")
        .contains("nothing was sent");
  }

  @Test
  void aHundredMegabyteLineIsRejectedUnreadAndTheOtherRowsAreSent() throws Exception {
    Path file = dir.resolve("long_2025-01.csv");
    List<String> rows = java.nio.file.Files.readAllLines(csv("src_2025-01.csv", 3));
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      o.write((rows.get(0) + "\n" + rows.get(1) + "\n").getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[1 << 20];
      java.util.Arrays.fill(chunk, (byte) '7');
      for (int i = 0; i < 100; i++) {
        o.write(chunk);
      }
      o.write(("\n" + rows.get(2) + "\n" + rows.get(3) + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(Files.size(file)).isGreaterThan(100L << 20);
    MockProducer<String, byte[]> p = producer();
    RunSummary s = replay(p, "dropoff", file);
    assertThat(s.ok()).isTrue();
    assertThat(s.rowsRead()).isEqualTo(4);
    assertThat(s.rejected()).containsEntry(RowRejects.MALFORMED_ROW, 1L);
    assertThat(s.sent())
        .isPositive()
        .isEqualTo(s.rowsRead() - s.rejectedTotal())
        .isEqualTo(p.history().size());
    // The reader never holds the line: its rejection names the length.
    try (var source = TripSources.open(file)) {
      source.next();
      var rejected = source.next();
      assertThat(rejected.isRejected()).isTrue();
      assertThat(rejected.detail())
          .contains("long_2025-01.csv:2 is a line of " + (100L << 20) + " bytes")
          .contains("longer than " + CsvTripSource.MAX_LINE_BYTES);
      assertThat(source.next().isRejected()).isFalse();
    }
  }

  @Test
  void anEmptyFileFailsBeforeAnythingIsSent() throws Exception {
    Path emptyCsv = Files.writeString(dir.resolve("empty_2025-01.csv"), "");
    assertThat(main(csv("ok_2025-01.csv", 5).toString(), emptyCsv.toString())).isEqualTo(1);
    assertThat(stderr())
        .contains("empty_2025-01.csv: empty file, no CSV header")
        .contains("nothing was sent");
    Path emptyParquet = Files.writeString(dir.resolve("empty_2025-01.parquet"), "");
    err.reset();
    assertThat(main(emptyParquet.toString())).isEqualTo(1);
    assertThat(stderr())
        .contains("empty_2025-01.parquet: not a readable parquet file")
        .contains("nothing was sent");
  }

  @Test
  void aHeaderOnlyFileIsSkippedAndAloneFailsTheRun() throws Exception {
    Path header =
        Files.writeString(dir.resolve("header_2025-01.csv"), SyntheticTlcCsv.HEADER + "\n\n");
    assertThat(main(header.toString())).isEqualTo(1);
    assertThat(stderr())
        .contains("no input holds a row (a header only: [" + header + "])")
        .contains("nothing was sent");

    MockProducer<String, byte[]> p = producer();
    RunSummary s = replay(p, "dropoff", header, csv("ok_2025-01.csv", 4));
    assertThat(s.ok()).isTrue();
    assertThat(s.rowsRead()).isEqualTo(4);
    assertThat(s.sent())
        .isPositive()
        .isEqualTo(s.rowsRead() - s.rejectedTotal())
        .isEqualTo(p.history().size());
  }

  @Test
  void aDirectoryInsteadOfAFileIsAUsageError() throws Exception {
    Path d = Files.createDirectories(dir.resolve("trips_2025-01.csv"));
    assertThat(main(d.toString())).isEqualTo(2);
    assertThat(stderr()).contains("--input: " + d + " is a directory").contains("Usage:");
    assertThatThrownBy(() -> TripSources.open(d))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a directory");
    assertThatThrownBy(() -> TripSources.open(Files.createDirectories(dir.resolve("x.parquet"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a readable parquet file");
  }

  /**
   * Valid rows, then bytes that are not UTF-8 past what opening the file reads (its first lines).
   */
  private Path invalidUtf8Late() throws Exception {
    Path source = csv("many_2025-01.csv", 20_000);
    byte[] good = Files.readAllBytes(source);
    Path file = dir.resolve("late_2025-01.csv");
    try (OutputStream o = Files.newOutputStream(file)) {
      o.write(good);
      o.write(new byte[] {'1', ',', (byte) 0xc3, (byte) 0x28, (byte) 0xff, '\n'});
    }
    return file;
  }

  @Test
  void aFileThatFailsWhileReadInDropoffOrderSendsNothingAndSaysSo() throws Exception {
    MockProducer<String, byte[]> p = producer();
    RunSummary s = replay(p, "dropoff", invalidUtf8Late());
    assertThat(s.ok()).isFalse();
    assertThat(s.sent()).isZero();
    assertThat(p.history()).isEmpty();
    assertThat(s.failure())
        .contains("late_2025-01.csv: not UTF-8 text")
        .contains("0 events handed to Kafka");
    assertThat(s.format()).contains("sent:        0").contains("FAILED:");
  }

  @Test
  void aFileThatFailsWhileReadInFileOrderReportsWhatWasSent() throws Exception {
    MockProducer<String, byte[]> p = producer();
    RunSummary s = replay(p, "file", invalidUtf8Late());
    assertThat(s.ok()).isFalse();
    assertThat(s.sent()).isPositive().isEqualTo(p.history().size());
    assertThat(s.failure())
        .contains("not UTF-8 text")
        .contains(s.sent() + " events handed to Kafka");
    assertThat(s.format()).contains("sent:        " + s.sent()).contains("FAILED:");
  }
}
