package io.taxiplatform.local;

import io.taxiplatform.config.HelpRequested;
import io.taxiplatform.config.UsageException;
import io.taxiplatform.producer.RunSummary;
import io.taxiplatform.producer.TripProducerApp;
import io.taxiplatform.producer.TripProducerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The producer as {@link LocalPipeline} drives it: {@link TripProducerApp} in this JVM on its own
 * thread, configured with the producer's own flags (so local mode validates input exactly as the
 * producer does).
 */
final class ProducerRun implements AutoCloseable {

  private final TripProducerApp app;
  private final Producer<String, byte[]> kafkaProducer;
  private final Thread thread;
  private final String description;
  private final AtomicReference<RunSummary> summary = new AtomicReference<>();
  private final AtomicReference<String> crash = new AtomicReference<>();

  private ProducerRun(
      TripProducerApp app, Producer<String, byte[]> kafkaProducer, String description) {
    this.app = app;
    this.kafkaProducer = kafkaProducer;
    this.description = description;
    this.thread = new Thread(this::runApp, "local-producer");
    this.thread.setDaemon(true);
  }

  /**
   * The producer flags local mode passes for {@code config} (metrics endpoint off: the port is not
   * needed).
   */
  static List<String> producerArgs(
      LocalPipelineConfig config, String bootstrapServers, String topic) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--mode",
                config.mode(),
                "--bootstrap-servers",
                bootstrapServers,
                "--topic",
                topic,
                "--metrics-port",
                "0",
                "--max-events",
                Long.toString(config.maxEvents())));
    if (config.mode().equals("replay")) {
      args.add("--input");
      args.add(config.replayFiles().stream().map(Path::toString).collect(Collectors.joining(",")));
      args.add("--time-mode");
      args.add(config.timeMode());
    }
    if (config.speed().isPresent()) {
      args.add("--speed");
      args.add(Double.toString(config.speed().get()));
    } else {
      args.add("--rate");
      args.add(Double.toString(config.rate()));
    }
    config
        .seed()
        .ifPresent(
            seed -> {
              args.add("--seed");
              args.add(Long.toString(seed));
            });
    return args;
  }

  /** Starts the producer thread. */
  static ProducerRun start(LocalPipelineConfig config, String bootstrapServers, String topic) {
    List<String> args = producerArgs(config, bootstrapServers, topic);
    TripProducerConfig producerConfig;
    try {
      producerConfig = TripProducerConfig.parse(Map.of(), args.toArray(String[]::new));
    } catch (UsageException | HelpRequested e) {
      throw new IllegalArgumentException(
          "producer configuration " + args + ": " + e.getMessage(), e);
    }
    Producer<String, byte[]> kafkaProducer = new KafkaProducer<>(producerConfig.kafkaProperties());
    TripProducerApp app =
        new TripProducerApp(producerConfig, kafkaProducer, null, Clock.systemUTC());
    String rate =
        config
            .speed()
            .map(s -> s + "x the original timeline")
            .orElse(
                config.rate() == 0
                    ? "as fast as possible"
                    : String.format(Locale.ROOT, "%.0f events/s", config.rate()));
    String description =
        config.mode().equals("replay")
            ? "replay of " + config.replayFiles() + ", " + rate + ", time mode " + config.timeMode()
            : "synthetic trips, " + rate;
    if (config.maxEvents() > 0) {
      description += ", at most " + config.maxEvents() + " events";
    }
    ProducerRun run = new ProducerRun(app, kafkaProducer, description);
    run.thread.start();
    return run;
  }

  private void runApp() {
    try {
      summary.set(app.run());
    } catch (RuntimeException e) {
      crash.set(e.toString());
    }
  }

  /** What runs (mode, rate, input). */
  String description() {
    return description;
  }

  /** Events acknowledged by Kafka so far. */
  long sent() {
    return app.stats().sent();
  }

  /** Whether the run ended (input exhausted, max events reached, stopped or failed). */
  boolean isFinished() {
    return !thread.isAlive();
  }

  /** Why the run failed, if it did. */
  Optional<String> failure() {
    if (crash.get() != null) {
      return Optional.of(crash.get());
    }
    RunSummary s = summary.get();
    return s == null || s.failure() == null ? Optional.empty() : Optional.of(s.failure());
  }

  /**
   * The producer's own summary (read, sent, rejected by reason, rate), or its live counters while
   * running.
   */
  String summary() {
    RunSummary s = summary.get();
    if (s != null) {
      return s.format().strip().replace("\n", "\n  ");
    }
    return "sent "
        + app.stats().sent()
        + ", rejected "
        + app.stats().rejected()
        + " (still running)";
  }

  /** Stops the run (it flushes), waits for it, then closes the Kafka producer. */
  @Override
  public void close() {
    app.stop();
    try {
      thread.join(Duration.ofSeconds(15).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    kafkaProducer.close(Duration.ofSeconds(5));
  }
}
