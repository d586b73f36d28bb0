package io.taxiplatform.producer;

import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventJson;
import io.taxiplatform.producer.source.SourceRecord;
import io.taxiplatform.producer.source.SyntheticTripSource;
import io.taxiplatform.producer.source.TripSource;
import io.taxiplatform.producer.source.TripSources;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the producer in {@code synthetic} or {@code replay} mode against any {@link Producer} (a real
 * {@code KafkaProducer} or {@code MockProducer}). Programmatic entry for tests and local mode:
 *
 * <pre>{@code
 * TripProducerApp app = new TripProducerApp(config, producer, metricsOrNull, Clock.systemUTC());
 * // from another thread: app.stats().sent(), app.stop()
 * RunSummary summary = app.run();
 * }</pre>
 *
 * The caller owns (and closes) the producer. {@link #run()} flushes it before returning, so the summary's
 * {@code sent} and {@code sendErrors} are final.
 */
public final class TripProducerApp {

  private static final Logger LOG = LoggerFactory.getLogger(TripProducerApp.class);
  private static final int MAX_LOGGED = 10;

  private final TripProducerConfig config;
  private final Producer<String, String> producer;
  private final ProducerMetrics metrics;
  private final Clock clock;
  private final ProducerStats stats = new ProducerStats();
  private final CountDownLatch stopLatch = new CountDownLatch(1);
  private final Pacer pacer;
  private volatile boolean stopped;
  private volatile String failure;
  private long loggedRejects;
  private final java.util.concurrent.atomic.AtomicLong loggedErrors = new java.util.concurrent.atomic.AtomicLong();

  public TripProducerApp(TripProducerConfig config, Producer<String, String> producer, ProducerMetrics metrics,
      Clock clock) {
    this(config, producer, metrics, clock, null);
  }

  /** With an explicit pacer ({@code null} = from the configuration, waiting interruptibly by {@link #stop()}). */
  TripProducerApp(TripProducerConfig config, Producer<String, String> producer, ProducerMetrics metrics,
      Clock clock, Pacer pacer) {
    if (config.mode() != TripProducerConfig.Mode.SYNTHETIC && config.mode() != TripProducerConfig.Mode.REPLAY) {
      throw new IllegalArgumentException("TripProducerApp runs synthetic or replay, not " + config.mode());
    }
    this.config = config;
    this.producer = producer;
    this.metrics = metrics;
    this.clock = clock;
    Pacer.Sleeper sleeper = nanos -> stopLatch.await(nanos, TimeUnit.NANOSECONDS);
    this.pacer = pacer != null ? pacer
        : config.speed() != null ? Pacer.speed(config.speed(), System::nanoTime, sleeper)
        : config.rate() > 0 ? Pacer.fixedRate(config.rate(), System::nanoTime, sleeper)
        : Pacer.unlimited();
  }

  /** Live counters. */
  public ProducerStats stats() {
    return stats;
  }

  /** Asks a running {@link #run()} to stop after the current event (it still flushes). Idempotent. */
  public void stop() {
    stopped = true;
    stopLatch.countDown();
  }

  /**
   * Sends until the input ends, {@code maxEvents} are sent, {@link #stop()} is called or Kafka fails.
   *
   * @throws IllegalArgumentException when an input file cannot be read (checked before anything is sent)
   */
  public RunSummary run() {
    List<Supplier<TripSource>> sources = sources();
    long startNanos = System.nanoTime();
    ScheduledExecutorService rateUpdater = metrics == null ? null : startRateUpdater();
    try {
      try {
        producer.partitionsFor(config.topic());
        if (metrics != null) {
          metrics.setReady(true);
        }
      } catch (KafkaException e) {
        fail("cannot fetch metadata of topic " + config.topic() + ": " + e);
      }
      long index = 0;
      Long shiftSeconds = null;
      outer:
      for (Supplier<TripSource> supplier : sources) {
        if (stopped || failure != null) {
          break;
        }
        try (TripSource source = supplier.get()) {
          LOG.info("reading {}", source.name());
          while (!stopped && failure == null && source.hasNext()) {
            if (config.maxEvents() > 0 && index >= config.maxEvents()) {
              break outer;
            }
            SourceRecord r = source.next();
            stats.onRowRead();
            if (r.isRejected()) {
              reject(r);
              continue;
            }
            TripEvent e = r.event();
            Instant originalEventTime = e.dropoffTime();
            if (config.timeMode() == TripProducerConfig.TimeMode.NOW
                && config.mode() == TripProducerConfig.Mode.REPLAY) {
              if (shiftSeconds == null) {
                shiftSeconds = Duration.between(originalEventTime, clock.instant()).getSeconds();
                LOG.info("time mode now: shifting event times by {} s", shiftSeconds);
              }
              e = e.shiftedBySeconds(shiftSeconds);
            }
            pacer.await(index, originalEventTime);
            if (stopped) {
              break outer;
            }
            send(e);
            index++;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    } finally {
      try {
        producer.flush();
      } catch (KafkaException e) {
        fail("flush failed: " + e);
      }
      if (rateUpdater != null) {
        rateUpdater.shutdownNow();
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    double seconds = Math.max(elapsed.toNanos() / 1e9, 1e-9);
    RunSummary summary = new RunSummary(stats.rowsRead(), stats.sent(), stats.sendErrors(), stats.rejected(),
        elapsed, stats.sent() / seconds, stopped, failure);
    LOG.info("run finished: read={} sent={} sendErrors={} rejected={} elapsed={} s", summary.rowsRead(),
        summary.sent(), summary.sendErrors(), summary.rejected(), String.format("%.3f", seconds));
    return summary;
  }

  private List<Supplier<TripSource>> sources() {
    List<Supplier<TripSource>> out = new ArrayList<>();
    if (config.mode() == TripProducerConfig.Mode.SYNTHETIC) {
      long seed = config.seed() != null ? config.seed() : ThreadLocalRandom.current().nextLong(1L << 48);
      LOG.info("synthetic trips with seed {}", seed);
      out.add(() -> new SyntheticTripSource(seed, clock));
      return out;
    }
    for (Path p : config.inputs()) {
      // open once up front: a file that cannot be read fails the run before anything is sent
      TripSources.open(p).close();
      out.add(() -> TripSources.open(p));
    }
    return out;
  }

  private void reject(SourceRecord r) {
    stats.onRejected(r.rejectReason());
    if (metrics != null) {
      metrics.onRejected(r.rejectReason());
    }
    if (loggedRejects++ < MAX_LOGGED) {
      LOG.warn("row rejected ({}): {}", r.rejectReason(), r.detail());
    }
  }

  private void send(TripEvent e) {
    ProducerRecord<String, String> record = new ProducerRecord<>(config.topic(), e.kafkaKey(),
        TripEventJson.toJson(e));
    long t0 = System.nanoTime();
    stats.onAttempted();
    try {
      producer.send(record, (md, ex) -> {
        if (ex != null) {
          stats.onSendError();
          if (metrics != null) {
            metrics.onSendError();
          }
          if (loggedErrors.incrementAndGet() <= MAX_LOGGED) {
            LOG.error("send of {} failed: {}", e.tripId(), ex.toString());
          }
        } else {
          stats.onSent();
          if (metrics != null) {
            metrics.onSent((System.nanoTime() - t0) / 1e9);
          }
        }
      });
    } catch (KafkaException ex) {
      stats.onSendError();
      if (metrics != null) {
        metrics.onSendError();
      }
      fail("send failed: " + ex);
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
    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "producer-rate");
      t.setDaemon(true);
      return t;
    });
    long[] last = {0, System.nanoTime()};
    s.scheduleAtFixedRate(() -> {
      long now = System.nanoTime();
      long sent = stats.sent();
      double dt = (now - last[1]) / 1e9;
      if (dt > 0) {
        metrics.setRate((sent - last[0]) / dt);
      }
      last[0] = sent;
      last[1] = now;
    }, 1, 1, TimeUnit.SECONDS);
    return s;
  }
}
