package io.taxiplatform.producer.bench;

import io.taxiplatform.producer.RunSummary;
import io.taxiplatform.producer.TripProducerApp;
import io.taxiplatform.producer.TripProducerConfig;
import io.taxiplatform.producer.replay.DropoffIndex;
import io.taxiplatform.producer.replay.DropoffSort;
import io.taxiplatform.producer.replay.EventStream;
import io.taxiplatform.producer.replay.ReplayReader;
import io.taxiplatform.producer.replay.RowListener;
import io.taxiplatform.producer.replay.SyntheticTlcCsv;
import io.taxiplatform.producer.replay.TripPeriod;
import io.taxiplatform.producer.source.TripSources;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Replay ordering benchmark (figures for docs/benchmarks.md, not a test): writes a synthetic TLC
 * CSV of N rows in random dropoff order, then measures side by side, each repeated (median of the
 * repetitions):
 *
 * <ol>
 *   <li>reading the file in file order vs the external dropoff sort (read + map + spill + merge)
 *       and vs the dropoff index ({@link DropoffIndex}: its first pass, then every row read again
 *       in order, and again on the same rows already in dropoff order, which bounds what reading
 *       rows at random places costs), no Kafka;
 *   <li>the whole replay ({@link TripProducerApp}, {@code --order file} vs {@code --order dropoff})
 *       into a null producer (serializes key and value, acknowledges at once, keeps nothing) and,
 *       with {@code --bootstrap-servers}, into a real broker (a new 3-partition topic per run).
 * </ol>
 *
 * <pre>{@code
 * ./mvnw -q -o -pl apps/producer test-compile -Dimages.skip=true
 * java -Xmx256m -cp "apps/producer/target/test-classes:apps/producer/target/classes:$(cat apps/producer/target/runtime-classpath.txt)" \
 *   io.taxiplatform.producer.bench.ReplayOrderBench [--rows 1000000] [--chunk 100000] [--reps 3] \
 *   [--bootstrap-servers 127.0.0.1:9092] [--kafka-rows 300000]
 * }</pre>
 */
public final class ReplayOrderBench {

  private ReplayOrderBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt =
        new java.util.HashMap<>(
            Map.of(
                "--rows",
                "1000000",
                "--chunk",
                "100000",
                "--reps",
                "3",
                "--kafka-rows",
                "300000",
                "--phases",
                "ab"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i], args[i + 1]);
    }
    int rows = Integer.parseInt(opt.get("--rows"));
    int chunk = Integer.parseInt(opt.get("--chunk"));
    int reps = Integer.parseInt(opt.get("--reps"));
    String bootstrap = opt.get("--bootstrap-servers");
    int kafkaRows = Math.min(rows, Integer.parseInt(opt.get("--kafka-rows")));
    String phases = opt.get("--phases");

    Path dir = Files.createTempDirectory("replay-order-bench");
    try {
      System.out.printf(
          Locale.ROOT,
          "JVM: %s, %d cores, max heap %d MiB%n",
          Runtime.version(),
          Runtime.getRuntime().availableProcessors(),
          Runtime.getRuntime().maxMemory() >> 20);
      long t0 = System.nanoTime();
      Path csv =
          SyntheticTlcCsv.write(
              dir.resolve("yellow_tripdata_2025-01_bench.csv"), rows, YearMonth.of(2025, 1), 1, 42);
      System.out.printf(
          Locale.ROOT,
          "wrote %,d rows (%,d bytes) in random dropoff order: %.1f s%n",
          rows,
          Files.size(csv),
          (System.nanoTime() - t0) / 1e9);
      Path spill = Files.createDirectory(dir.resolve("spill"));

      if (phases.contains("a")) {
        sortAndMerge(csv, rows, chunk, reps, spill);
      }
      if (!phases.contains("b")) {
        return;
      }
      // (b) whole replay into a null producer
      replayRates("null producer", csv, rows, reps, chunk, spill, null);
      if (bootstrap != null) {
        Path small =
            kafkaRows == rows
                ? csv
                : SyntheticTlcCsv.write(
                    dir.resolve("yellow_tripdata_2025-01_k.csv"),
                    kafkaRows,
                    YearMonth.of(2025, 1),
                    1,
                    43);
        replayRates("Kafka at " + bootstrap, small, kafkaRows, reps, chunk, spill, bootstrap);
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** (a): wall and process CPU seconds of reading in file order vs sorting, no Kafka. */
  private static void sortAndMerge(Path csv, int rows, int chunk, int reps, Path spill)
      throws Exception {
    double[] read = new double[reps];
    double[] sort = new double[reps];
    double[] readCpu = new double[reps];
    double[] sortCpu = new double[reps];
    long[] spilled = new long[2];
    long peakRead = 0;
    long peakSort = 0;
    double[] index = new double[reps];
    double[] indexCpu = new double[reps];
    double[] firstPass = new double[reps];
    long peakIndex = 0;
    // the same rows, already in dropoff order: the index's second pass then reads them in place
    // order, which bounds what its reading at random places costs (the lines are sorted in memory)
    boolean room = 2 * Files.size(csv) < Runtime.getRuntime().maxMemory();
    Path inOrder = room ? inDropoffOrder(csv) : null;
    double[] inOrderIndex = new double[reps];
    double[] inOrderFirstPass = new double[reps];
    for (int r = 0; r < reps; r++) {
      resetPeaks();
      double c0 = cpu();
      read[r] = time(() -> drain(reader(csv)));
      readCpu[r] = cpu() - c0;
      peakRead = Math.max(peakRead, heapPeak());
      resetPeaks();
      c0 = cpu();
      sort[r] =
          time(
              () -> {
                try (DropoffSort.SortedStream s =
                    DropoffSort.sort(reader(csv), chunk, spill, () -> false)) {
                  spilled[0] = s.spilledChunks();
                  spilled[1] = s.spilledBytes();
                  drain(s);
                }
              });
      sortCpu[r] = cpu() - c0;
      peakSort = Math.max(peakSort, heapPeak());
      resetPeaks();
      c0 = cpu();
      double[] first = new double[1];
      index[r] = time(() -> first[0] = indexBothPasses(csv, rows));
      firstPass[r] = first[0];
      indexCpu[r] = cpu() - c0;
      peakIndex = Math.max(peakIndex, heapPeak());
      if (inOrder != null) {
        inOrderIndex[r] = time(() -> first[0] = indexBothPasses(inOrder, rows));
        inOrderFirstPass[r] = first[0];
      }
    }
    double perM = 1e6 / rows;
    System.out.printf(
        Locale.ROOT,
        "%n(a) %,d rows, chunk %,d: %d spill files, %,d bytes spilled (%.0f bytes/row)%n",
        rows,
        chunk,
        spilled[0],
        spilled[1],
        spilled[0] == 0 ? 0.0 : (double) spilled[1] / (spilled[0] * chunk));
    System.out.printf(
        Locale.ROOT,
        "  file order (read+map)             : wall %s, cpu %s -> median wall %.2f s, "
            + "cpu %.2f s per million rows; heap pools peak %d MiB%n",
        fmt(read),
        fmt(readCpu),
        median(read) * perM,
        median(readCpu) * perM,
        peakRead >> 20);
    System.out.printf(
        Locale.ROOT,
        "  dropoff (read+map+spill+merge)    : wall %s, cpu %s -> median wall %.2f s, "
            + "cpu %.2f s per million rows; heap pools peak %d MiB%n",
        fmt(sort),
        fmt(sortCpu),
        median(sort) * perM,
        median(sortCpu) * perM,
        peakSort >> 20);
    System.out.printf(
        Locale.ROOT,
        "  dropoff by index (pass 1 + pass 2): wall %s (first pass %s), cpu %s -> median wall"
            + " %.2f s (first pass %.2f s), cpu %.2f s per million rows; heap pools peak %d MiB%n",
        fmt(index),
        fmt(firstPass),
        fmt(indexCpu),
        median(index) * perM,
        median(firstPass) * perM,
        median(indexCpu) * perM,
        peakIndex >> 20);
    double[] second = new double[reps];
    double[] inOrderSecond = new double[reps];
    for (int r = 0; r < reps; r++) {
      second[r] = index[r] - firstPass[r];
      inOrderSecond[r] = inOrderIndex[r] - inOrderFirstPass[r];
    }
    System.out.printf(
        Locale.ROOT,
        "  index's second pass: wall %s -> median %.2f s per million rows; on the same rows already"
            + " in dropoff order: %s%n",
        fmt(second),
        median(second) * perM,
        inOrder == null
            ? "not measured (sorting the file's lines needs a heap of twice its size: -Xmx)"
            : String.format(
                Locale.ROOT,
                "wall %s -> median %.2f s (first pass %s)",
                fmt(inOrderSecond),
                median(inOrderSecond) * perM,
                fmt(inOrderFirstPass)));
    System.out.printf(
        Locale.ROOT,
        "  ratio index/file: wall %.2f, cpu %.2f%n",
        median(index) / median(read),
        median(indexCpu) / median(readCpu));
    System.out.printf(
        Locale.ROOT,
        "  ratio dropoff/file: wall %.2f, cpu %.2f; the sort adds %.2f s wall, %.2f s cpu "
            + "per million rows%n",
        median(sort) / median(read),
        median(sortCpu) / median(readCpu),
        (median(sort) - median(read)) * perM,
        (median(sortCpu) - median(readCpu)) * perM);
  }

  /** Builds the dropoff index of {@code csv} and reads it; returns the first pass's seconds. */
  private static double indexBothPasses(Path csv, int rows) {
    long t0 = System.nanoTime();
    DropoffIndex idx =
        DropoffIndex.build(
            List.of(csv),
            TripSources::open,
            null,
            TripPeriod.DEFAULT_TOLERANCE,
            DropoffIndex.maxRows(Runtime.getRuntime().maxMemory()),
            () -> false);
    if (idx == null) {
      throw new IllegalStateException(
          "the dropoff index does not apply to " + rows + " rows (heap too small?)");
    }
    double first = (System.nanoTime() - t0) / 1e9;
    drain(idx.stream(RowListener.NONE));
    return first;
  }

  /**
   * A copy of {@code csv} with its rows sorted by their dropoff text (the synthetic file's third
   * column, plain, in a month without a clock change: the text's order is the dropoff's).
   */
  private static Path inDropoffOrder(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    String header = lines.remove(0);
    lines.sort(Comparator.comparing(l -> l.split(",", 4)[2]));
    lines.add(0, header);
    String name = csv.getFileName().toString().replace(".csv", "_in_dropoff_order.csv");
    return Files.write(csv.resolveSibling(name), lines);
  }

  /** CPU seconds of this process so far (all threads: GC and JIT included). */
  private static double cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }

  private static void replayRates(
      String sink, Path csv, int rows, int reps, int chunk, Path spill, String bootstrap)
      throws Exception {
    double[] file = new double[reps];
    double[] dropoff = new double[reps];
    double[] fileCpu = new double[reps];
    double[] dropoffCpu = new double[reps];
    for (int r = 0; r < reps; r++) {
      double c0 = cpu();
      file[r] = replay(csv, "file", chunk, spill, bootstrap);
      fileCpu[r] = (cpu() - c0) / rows * 1e6;
      c0 = cpu();
      dropoff[r] = replay(csv, "dropoff", chunk, spill, bootstrap);
      dropoffCpu[r] = (cpu() - c0) / rows * 1e6;
    }
    System.out.printf(
        Locale.ROOT,
        "%n(b) replay of %,d rows into %s (events/s over the whole run incl. the sort; "
            + "producer-JVM cpu s per million rows)%n",
        rows,
        sink);
    System.out.printf(
        Locale.ROOT,
        "  --order file   : %s -> median %,.0f ev/s; cpu %s%n",
        fmt0(file),
        median(file),
        fmt(fileCpu));
    System.out.printf(
        Locale.ROOT,
        "  --order dropoff: %s -> median %,.0f ev/s; cpu %s%n",
        fmt0(dropoff),
        median(dropoff),
        fmt(dropoffCpu));
    System.out.printf(
        Locale.ROOT,
        "  ratio dropoff/file: rate %.2f, cpu %.2f%n",
        median(dropoff) / median(file),
        median(dropoffCpu) / median(fileCpu));
  }

  private static double replay(Path csv, String order, int chunk, Path spill, String bootstrap)
      throws Exception {
    String topic = "bench-" + UUID.randomUUID();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--mode",
                "replay",
                "--input",
                csv.toString(),
                "--order",
                order,
                "--sort-chunk-rows",
                Integer.toString(chunk),
                "--spill-dir",
                spill.toString(),
                "--topic",
                topic,
                "--metrics-port",
                "0"));
    if (bootstrap == null) {
      args.addAll(List.of("--resume", "false"));
      TripProducerConfig config = TripProducerConfig.parse(Map.of(), args.toArray(String[]::new));
      return check(
          new TripProducerApp(config, new NullProducer(topic), null, Clock.systemUTC()).run());
    }
    args.addAll(List.of("--bootstrap-servers", bootstrap));
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin a = Admin.create(admin)) {
      a.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }
    TripProducerConfig config = TripProducerConfig.parse(Map.of(), args.toArray(String[]::new));
    try (Producer<String, byte[]> p = new KafkaProducer<>(config.kafkaProperties())) {
      RunSummary s = new TripProducerApp(config, p, null, Clock.systemUTC()).run();
      try (Admin a = Admin.create(admin)) {
        a.deleteTopics(List.of(topic)).all().get();
      }
      return check(s);
    }
  }

  private static double check(RunSummary s) {
    if (!s.ok()) {
      throw new IllegalStateException("replay failed: " + s.format());
    }
    return s.eventsPerSecond();
  }

  private static ReplayReader reader(Path csv) {
    return new ReplayReader(
        List.of(csv), TripSources::open, null, TripPeriod.DEFAULT_TOLERANCE, RowListener.NONE);
  }

  private static long drain(EventStream s) {
    long n = 0;
    try (s) {
      while (s.hasNext()) {
        s.next();
        n++;
      }
    }
    return n;
  }

  private interface Body {
    void run() throws Exception;
  }

  private static double time(Body body) throws Exception {
    System.gc();
    long t0 = System.nanoTime();
    body.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  /**
   * Sum of the heap pools' peaks since the last reset (an upper bound of the live heap: includes
   * garbage).
   */
  private static long heapPeak() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String fmt(double[] v) {
    return Arrays.stream(v)
        .mapToObj(d -> String.format(Locale.ROOT, "%.2f s", d))
        .toList()
        .toString();
  }

  private static String fmt0(double[] v) {
    return Arrays.stream(v)
        .mapToObj(d -> String.format(Locale.ROOT, "%,.0f", d))
        .toList()
        .toString();
  }

  /** Serializes like a real producer, acknowledges at once, keeps nothing; 6 partitions. */
  private static final class NullProducer extends MockProducer<String, byte[]> {
    private final StringSerializer serializer = new StringSerializer();
    private final String topic;

    NullProducer(String topic) {
      super(cluster(topic), true, null, new StringSerializer(), new ByteArraySerializer());
      this.topic = topic;
    }

    private static Cluster cluster(String topic) {
      Node node = new Node(0, "127.0.0.1", 9092);
      List<PartitionInfo> parts =
          IntStream.range(0, 6)
              .mapToObj(
                  p -> new PartitionInfo(topic, p, node, new Node[] {node}, new Node[] {node}))
              .toList();
      return new Cluster("bench", List.of(node), parts, java.util.Set.of(), java.util.Set.of());
    }

    @Override
    public synchronized Future<RecordMetadata> send(
        ProducerRecord<String, byte[]> record, Callback callback) {
      byte[] k = serializer.serialize(topic, record.key());
      byte[] v = record.value();
      RecordMetadata md =
          new RecordMetadata(
              new TopicPartition(topic, record.partition() == null ? 0 : record.partition()),
              0,
              0,
              0,
              k.length,
              v.length);
      if (callback != null) {
        callback.onCompletion(md, null);
      }
      return CompletableFuture.completedFuture(md);
    }
  }
}
