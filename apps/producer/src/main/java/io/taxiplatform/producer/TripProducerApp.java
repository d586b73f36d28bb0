package io.taxiplatform.producer;

import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventWriter;
import io.taxiplatform.producer.replay.DropoffOrders;
import io.taxiplatform.producer.replay.DropoffSort;
import io.taxiplatform.producer.replay.EventStream;
import io.taxiplatform.producer.replay.KeyPartitioner;
import io.taxiplatform.producer.replay.ReadAhead;
import io.taxiplatform.producer.replay.ReplayEvent;
import io.taxiplatform.producer.replay.ReplayMarker;
import io.taxiplatform.producer.replay.ReplayReader;
import io.taxiplatform.producer.replay.ResumeScanner;
import io.taxiplatform.producer.replay.RowListener;
import io.taxiplatform.producer.source.SourceRecord;
import io.taxiplatform.producer.source.SyntheticTripSource;
import io.taxiplatform.producer.source.TripSource;
import io.taxiplatform.producer.source.TripSources;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the producer in {@code synthetic} or {@code replay} mode against any {@link Producer} (a
 * real {@code KafkaProducer} or {@code MockProducer}). Programmatic entry for tests and local mode:
 *
 * <pre>{@code
 * TripProducerApp app = new TripProducerApp(config, producer, metricsOrNull, Clock.systemUTC());
 * // from another thread: app.stats().sent(), app.stop()
 * RunSummary summary = app.run();
 * }</pre>
 *
 * The caller owns (and closes) the producer. {@link #run()} flushes it before returning, so the
 * summary's {@code sent} and {@code sendErrors} are final. Values are the UTF-8 JSON of
 * docs/contracts.md, written by {@link TripEventWriter} straight to bytes (the producer's value
 * serializer is {@code ByteArraySerializer}).
 *
 * <p>Replay: the events of all inputs in the configured order (dropoff time by default, an external
 * merge sort), rows outside their file's period rejected, every record with an explicit partition
 * (Kafka's key partitioner formula) and a {@link ReplayMarker} header; with resume on, the records
 * an earlier run of the same replay already put on the topic are skipped (docs/producer.md).
 */
public final class TripProducerApp {

  private static final Logger LOG = LoggerFactory.getLogger(TripProducerApp.class);
  private static final int MAX_LOGGED = 10;
  private static final Duration RESUME_SCAN_TIMEOUT = Duration.ofSeconds(60);

  private final TripProducerConfig config;
  private final Producer<String, byte[]> producer;
  private final Supplier<Consumer<byte[], byte[]>> resumeConsumer;
  private final ProducerMetrics metrics;
  private final Clock clock;
  private final ProducerStats stats = new ProducerStats();
  private final CountDownLatch stopLatch = new CountDownLatch(1);
  private final Pacer pacer;
  private volatile boolean stopped;
  private volatile boolean indexAbandoned;
  // the first pass of the dropoff order, built while Kafka connects: the second pass's stream
  private java.util.concurrent.CompletableFuture<
          java.util.function.Function<RowListener, EventStream>>
      index;
  private volatile String failure;
  private long loggedRejects;
  private final AtomicLong loggedErrors = new AtomicLong();
  private final TripEventWriter writer = new TripEventWriter();

  /** The acknowledgement of every record whose send latency is not sampled (one shared object). */
  private final Callback acked = this::onAck;

  private long sendCount;

  /** Zone keys as strings (the Kafka key of a trip), for the usual zones. */
  private static final String[] ZONE_KEYS = new String[1024];

  static {
    for (int z = 0; z < ZONE_KEYS.length; z++) {
      ZONE_KEYS[z] = Integer.toString(z);
    }
  }

  /**
   * One record in this many carries a timed callback for the send-latency histogram (metrics on
   * only).
   */
  static final int LATENCY_SAMPLE_EVERY = 64;

  /**
   * Resume (replay mode) reads the topic with a {@link KafkaConsumer} built from the configuration.
   */
  public TripProducerApp(
      TripProducerConfig config,
      Producer<String, byte[]> producer,
      ProducerMetrics metrics,
      Clock clock) {
    this(
        config,
        producer,
        () -> new KafkaConsumer<>(config.resumeConsumerProperties()),
        metrics,
        clock,
        null);
  }

  /**
   * With the consumer that reads the topic's tail when a replay resumes (created, used and closed
   * once per run; not called when resume is off or the topic has no partition metadata).
   */
  public TripProducerApp(
      TripProducerConfig config,
      Producer<String, byte[]> producer,
      Supplier<Consumer<byte[], byte[]>> resumeConsumer,
      ProducerMetrics metrics,
      Clock clock) {
    this(config, producer, resumeConsumer, metrics, clock, null);
  }

  /**
   * With an explicit pacer ({@code null} = from the configuration, waiting interruptibly by {@link
   * #stop()}).
   */
  TripProducerApp(
      TripProducerConfig config,
      Producer<String, byte[]> producer,
      Supplier<Consumer<byte[], byte[]>> resumeConsumer,
      ProducerMetrics metrics,
      Clock clock,
      Pacer pacer) {
    if (config.mode() != TripProducerConfig.Mode.SYNTHETIC
        && config.mode() != TripProducerConfig.Mode.REPLAY) {
      throw new IllegalArgumentException(
          "TripProducerApp runs synthetic or replay, not " + config.mode());
    }
    this.config = config;
    this.producer = producer;
    this.resumeConsumer = resumeConsumer;
    this.metrics = metrics;
    this.clock = clock;
    Pacer.Sleeper sleeper = nanos -> stopLatch.await(nanos, TimeUnit.NANOSECONDS);
    this.pacer =
        pacer != null
            ? pacer
            : config.speed() != null
                ? Pacer.speed(config.speed(), System::nanoTime, sleeper)
                : config.rate() > 0
                    ? Pacer.fixedRate(config.rate(), System::nanoTime, sleeper)
                    : Pacer.unlimited();
  }

  /** Live counters. */
  public ProducerStats stats() {
    return stats;
  }

  /**
   * Asks a running {@link #run()} to stop after the current event (it still flushes). Idempotent.
   */
  public void stop() {
    stopped = true;
    stopLatch.countDown();
  }

  /**
   * Sends until the input ends, {@code maxEvents} are sent, {@link #stop()} is called or Kafka
   * fails.
   *
   * @throws IllegalArgumentException when an input file cannot be read (checked before anything is
   *     sent)
   */
  public RunSummary run() {
    boolean replay = config.mode() == TripProducerConfig.Mode.REPLAY;
    if (replay) {
      checkInputs();
    }
    long startNanos = System.nanoTime();
    if (replay) {
      index = startIndex();
    }
    ScheduledExecutorService rateUpdater = metrics == null ? null : startRateUpdater();
    try {
      int partitions = 0;
      try {
        List<PartitionInfo> info = producer.partitionsFor(config.topic());
        partitions = info == null ? 0 : info.size();
        if (metrics != null) {
          metrics.setReady(true);
        }
      } catch (KafkaException e) {
        fail("cannot fetch metadata of topic " + config.topic() + ": " + e);
      }
      if (failure == null) {
        if (replay) {
          replay(partitions);
        } else {
          synthetic();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    } finally {
      if (index != null && !index.isDone()) {
        indexAbandoned = true; // the run failed before it read the index
        index.exceptionally(e -> null).join();
      }
      try {
        producer.flush();
      } catch (KafkaException e) {
        fail("flush failed: " + e);
      }
      if (rateUpdater != null) {
        rateUpdater.shutdownNow();
      }
      if (metrics != null) {
        metrics.syncSent(stats.sent());
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    double seconds = Math.max(elapsed.toNanos() / 1e9, 1e-9);
    RunSummary summary =
        new RunSummary(
            stats.rowsRead(),
            stats.sent(),
            stats.sendErrors(),
            stats.rejected(),
            elapsed,
            stats.sent() / seconds,
            stopped,
            failure,
            stats.skippedAlreadyPresent());
    LOG.info(
        "run finished: read={} sent={} sendErrors={} rejected={} skipped={} elapsed={} s",
        summary.rowsRead(),
        summary.sent(),
        summary.sendErrors(),
        summary.rejected(),
        summary.skippedAlreadyPresent(),
        String.format("%.3f", seconds));
    return summary;
  }

  /**
   * Opens every input once, before anything is sent, and reads its header and first row: a file
   * that cannot be read as a TLC file (empty, a directory, random bytes, not UTF-8 at its start, a
   * truncated parquet file) fails the run here. A file without rows (a header only) is skipped with
   * a warning; when no input holds a row the run fails too, as a replay that sends nothing is a
   * mistake.
   *
   * @throws IllegalArgumentException naming the file and the cause, with nothing sent
   */
  private void checkInputs() {
    List<Path> empty = new java.util.ArrayList<>();
    for (Path p : config.inputs()) {
      try (TripSource source = TripSources.open(p)) {
        if (!source.hasNext()) {
          LOG.warn("{}: no rows (a header only): nothing to send from it", p);
          empty.add(p);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + "; nothing was sent", e);
      } catch (java.io.UncheckedIOException e) {
        throw new IllegalArgumentException(
            p + ": cannot read: " + e.getMessage() + "; nothing was sent", e);
      }
    }
    if (empty.size() == config.inputs().size()) {
      throw new IllegalArgumentException(
          "no input holds a row ("
              + (empty.size() == 1 ? "a header only: " : "headers only: ")
              + empty
              + "); nothing was sent");
    }
  }

  private void synthetic() throws InterruptedException {
    long seed =
        config.seed() != null ? config.seed() : ThreadLocalRandom.current().nextLong(1L << 48);
    LOG.info("synthetic trips with seed {}", seed);
    long index = 0;
    try (TripSource source = new SyntheticTripSource(seed, clock)) {
      while (!stopped && failure == null && source.hasNext()) {
        if (config.maxEvents() > 0 && index >= config.maxEvents()) {
          break;
        }
        SourceRecord r = source.next();
        stats.onRowRead();
        if (r.isRejected()) {
          reject(r.rejectReason(), r.detail());
          continue;
        }
        pacer.await(index, r.event().dropoffTime());
        if (stopped) {
          break;
        }
        send(r.event(), null, null);
        index++;
      }
    }
  }

  private void replay(int partitions) throws InterruptedException {
    TripProducerConfig.ReplaySettings settings = config.replay();
    boolean now = config.timeMode() == TripProducerConfig.TimeMode.NOW;
    String order = settings.order().name().toLowerCase(Locale.ROOT);
    String replayId =
        ReplayMarker.replayId(
            config.inputs(),
            order,
            config.timeMode().name().toLowerCase(Locale.ROOT),
            settings.period(),
            settings.periodTolerance());
    LOG.info("replay {}: {} file(s) in {} order", replayId, config.inputs().size(), order);
    ResumeScanner.Position position = ResumeScanner.Position.none();
    if (partitions < 1) {
      LOG.warn(
          "no partition metadata for {}: records go without explicit partitions, resume is off",
          config.topic());
    } else if (settings.resume()) {
      position = scanTopic(replayId, partitions);
      if (position == null) {
        return;
      }
    }
    Long shiftSeconds = now ? position.shiftSeconds() : null;
    try (EventStream events = openEvents()) {
      replayEvents(events, partitions, position, now, replayId, shiftSeconds);
    } catch (KafkaException e) {
      throw e;
    } catch (RuntimeException e) {
      // An input that fails while it is read (invalid UTF-8 or a damaged block past the first
      // rows): in dropoff
      // order the sort reads every input before the first send, so nothing was sent; in file order
      // the summary
      // says how many events were sent before.
      LOG.error("reading the input failed", e);
      fail(
          "reading the input failed after "
              + stats.rowsRead()
              + " rows read and "
              + stats.attempted()
              + " events handed to Kafka: "
              + e.getMessage());
    }
    if (stats.skippedAlreadyPresent() > 0) {
      LOG.info("resumed: skipped {} already in the topic", stats.skippedAlreadyPresent());
    }
  }

  private void replayEvents(
      EventStream events,
      int partitions,
      ResumeScanner.Position position,
      boolean now,
      String replayId,
      Long shift)
      throws InterruptedException {
    Long shiftSeconds = shift;
    ReplayMarker.Encoder markers = new ReplayMarker.Encoder(replayId);
    long seq = 0;
    long paced = 0;
    while (!stopped && failure == null && events.hasNext()) {
      if (config.maxEvents() > 0 && seq >= config.maxEvents()) {
        break;
      }
      ReplayEvent re = events.next();
      long mySeq = seq++;
      TripEvent e = re.event();
      Instant originalEventTime = e.dropoffTime();
      if (now && shiftSeconds == null) {
        // the first event of the replay order ends now
        shiftSeconds = Duration.between(originalEventTime, clock.instant()).getSeconds();
        LOG.info("time mode now: shifting event times by {} s", shiftSeconds);
      }
      Integer partition = partitions > 0 ? KeyPartitioner.partition(key(e), partitions) : null;
      if (partition != null && mySeq <= position.highest(partition)) {
        stats.onSkipped();
        continue;
      }
      if (now) {
        e = e.shiftedBySeconds(shiftSeconds);
      }
      pacer.await(paced++, originalEventTime);
      if (stopped) {
        break;
      }
      send(e, partition, markers.encode(mySeq, shiftSeconds));
    }
  }

  /** The events in the configured order; rows read and rejected are counted while reading. */
  private EventStream openEvents() {
    TripProducerConfig.ReplaySettings s = config.replay();
    RowListener listener =
        new RowListener() {
          @Override
          public void onRowRead() {
            stats.onRowRead();
          }

          @Override
          public void onRejected(String reason, String detail) {
            reject(reason, detail);
          }
        };
    // The files are read and mapped on a thread of their own ("replay-read") while this thread
    // sends: in file order, and in dropoff order after a first pass (DropoffOrders, started with
    // the run: the dropoff of every row, before the first send) by the ranks of rows nearly in
    // dropoff order (RankedDropoffOrder: the second pass reads in file order and holds each event
    // until its turn) or, for CSV rows far from it, the index of their places (DropoffIndex).
    // Otherwise (CSV files far from dropoff order that do not fit beside the heap, parquet rows
    // far from it, more rows than the first pass holds, CSV and parquet together) the external
    // sort: the files are read on "replay-read" while this thread sorts and spills, and the merge
    // of the sorted runs is read ahead ("replay-merge") while this thread sends.
    if (index != null) {
      java.util.function.Function<RowListener, EventStream> built;
      try {
        built = index.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw e;
      }
      if (built != null) {
        return ReadAhead.start(built, listener, "replay-read");
      }
    }
    ReadAhead read =
        ReadAhead.start(
            l ->
                new ReplayReader(
                    config.inputs(), TripSources::open, s.period(), s.periodTolerance(), l),
            listener,
            "replay-read");
    if (s.order() == TripProducerConfig.Order.FILE) {
      return read;
    }
    DropoffSort.SortedStream sorted =
        DropoffSort.sort(read, s.sortChunkRows(), s.spillDir(), () -> stopped);
    return ReadAhead.start(l -> sorted, RowListener.NONE, "replay-merge");
  }

  /**
   * In dropoff order, the first pass ({@link DropoffOrders}: the ranks of rows nearly in dropoff
   * order, or the index of CSV rows), on a thread of its own from the start of the run: it reads
   * the files while the run fetches the topic's metadata and scans it to resume. {@code null} when
   * neither applies; the future's value (the second pass) is {@code null} when the first pass could
   * not be used (the external sort is then used).
   */
  private java.util.concurrent.CompletableFuture<
          java.util.function.Function<RowListener, EventStream>>
      startIndex() {
    TripProducerConfig.ReplaySettings s = config.replay();
    if (s.order() != TripProducerConfig.Order.DROPOFF) {
      return null;
    }
    if (!DropoffOrders.applies(config.inputs())) {
      LOG.info(
          "dropoff order: the inputs are neither all CSV nor all parquet files: sorting with the"
              + " external sort");
      return null;
    }
    java.util.function.Supplier<java.util.function.Function<RowListener, EventStream>> firstPass =
        () ->
            DropoffOrders.firstPass(
                config.inputs(),
                TripSources::open,
                s.period(),
                s.periodTolerance(),
                DropoffOrders.Limits.ofThisJvm(s.sortChunkRows()),
                () -> stopped || indexAbandoned);
    return java.util.concurrent.CompletableFuture.supplyAsync(
        firstPass,
        work -> {
          Thread t = new Thread(work, "replay-index");
          t.setDaemon(true);
          t.start();
        });
  }

  /** What the topic already holds of this replay, or {@code null} after a failure. */
  private ResumeScanner.Position scanTopic(String replayId, int partitions) {
    long t0 = System.nanoTime();
    try (Consumer<byte[], byte[]> consumer = resumeConsumer.get()) {
      ResumeScanner.Position p =
          ResumeScanner.scan(
              consumer,
              config.topic(),
              partitions,
              replayId,
              ResumeScanner.TAIL_RECORDS,
              RESUME_SCAN_TIMEOUT);
      if (p.found()) {
        LOG.info(
            "resume: topic {} holds replay {} up to seq {} by partition (shift {}); scanned {} records "
                + "in {} ms",
            config.topic(),
            replayId,
            new java.util.TreeMap<>(p.highestSeq()),
            p.shiftSeconds(),
            p.recordsScanned(),
            (System.nanoTime() - t0) / 1_000_000);
      } else {
        LOG.info(
            "resume: no record of replay {} in the last {} records of each partition of {}",
            replayId,
            ResumeScanner.TAIL_RECORDS,
            config.topic());
      }
      return p;
    } catch (KafkaException e) {
      fail(
          "resume: cannot read the end of topic "
              + config.topic()
              + ": "
              + e
              + " (--resume false sends everything again)");
      return null;
    }
  }

  private void reject(String reason, String detail) {
    stats.onRejected(reason);
    if (metrics != null) {
      metrics.onRejected(reason);
    }
    if (loggedRejects++ < MAX_LOGGED) {
      LOG.warn("row rejected ({}): {}", reason, detail);
    }
  }

  private static String key(TripEvent e) {
    int z = e.pickupZone();
    return z >= 0 && z < ZONE_KEYS.length ? ZONE_KEYS[z] : e.kafkaKey();
  }

  /**
   * @param marker the {@link ReplayMarker} header's value, or {@code null} (synthetic mode)
   */
  private void send(TripEvent e, Integer partition, byte[] marker) {
    RecordHeaders headers = null;
    if (marker != null) {
      headers = new RecordHeaders();
      headers.add(ReplayMarker.HEADER, marker);
    }
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(config.topic(), partition, key(e), writer.toBytes(e), headers);
    stats.onAttempted();
    // One shared callback; with metrics on, every LATENCY_SAMPLE_EVERY-th record is timed (a cheap
    // histogram).
    Callback callback = acked;
    if (metrics != null && sendCount++ % LATENCY_SAMPLE_EVERY == 0) {
      long t0 = System.nanoTime();
      callback =
          (md, ex) -> {
            onAck(md, ex);
            if (ex == null) {
              metrics.observeSendLatency((System.nanoTime() - t0) / 1e9);
            }
          };
    }
    try {
      producer.send(record, callback);
    } catch (KafkaException ex) {
      stats.onSendError();
      if (metrics != null) {
        metrics.onSendError();
      }
      fail("send failed: " + ex);
    }
  }

  /** Counts an acknowledgement or a failed send (Kafka's I/O thread). */
  private void onAck(RecordMetadata md, Exception ex) {
    if (ex != null) {
      stats.onSendError();
      if (metrics != null) {
        metrics.onSendError();
      }
      if (loggedErrors.incrementAndGet() <= MAX_LOGGED) {
        LOG.error(
            "send to {} failed: {}",
            md == null ? config.topic() : md.topic() + "-" + md.partition(),
            ex.toString());
      }
    } else {
      stats.onSent();
    }
  }

  private void fail(String reason) {
    if (failure == null) {
      failure = reason;
      LOG.error("aborting: {}", reason);
      if (metrics != null) {
        metrics.setFailed(reason);
      }
    }
  }

  private ScheduledExecutorService startRateUpdater() {
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "producer-rate");
              t.setDaemon(true);
              return t;
            });
    long[] last = {0, System.nanoTime()};
    s.scheduleAtFixedRate(
        () -> {
          long now = System.nanoTime();
          long sent = stats.sent();
          double dt = (now - last[1]) / 1e9;
          if (dt > 0) {
            metrics.setRate((sent - last[0]) / dt);
          }
          metrics.syncSent(sent);
          last[0] = sent;
          last[1] = now;
        },
        1,
        1,
        TimeUnit.SECONDS);
    return s;
  }
}
