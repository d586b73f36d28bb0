package io.taxiplatform.producer;

import io.taxiplatform.config.HelpRequested;
import io.taxiplatform.config.UsageException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the producer image. Exit codes: 0 done, 1 failure (send errors, unreadable input,
 * check/smoke failed), 2 usage error (unknown or invalid flag/variable, usage on stderr).
 */
public final class ProducerMain {

  private static final Logger LOG = LoggerFactory.getLogger(ProducerMain.class);

  private ProducerMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs like {@link #main} and returns the exit code (tests call this). */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    TripProducerConfig config;
    try {
      config = TripProducerConfig.parse(env, args);
    } catch (HelpRequested h) {
      out.println(TripProducerConfig.USAGE);
      return 0;
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.println(TripProducerConfig.USAGE);
      return 2;
    }
    LOG.info("starting with {}", config);
    switch (config.mode()) {
      case CHECK:
        return CheckMode.run(config, out, err);
      case SMOKE:
        try (KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(config.kafkaProperties())) {
          return SmokeMode.run(config, producer, Clock.systemUTC(), out, err);
        }
      default:
        return produce(config, out, err);
    }
  }

  private static int produce(TripProducerConfig config, PrintStream out, PrintStream err) {
    try (ProducerMetrics metrics = new ProducerMetrics();
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.kafkaProperties())) {
      if (config.metricsPort() > 0) {
        int port = metrics.start(config.metricsPort());
        LOG.info("metrics on :{}/metrics, /healthz, /readyz", port);
      }
      TripProducerApp app = new TripProducerApp(config, producer, metrics, Clock.systemUTC());
      CountDownLatch done = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                app.stop();
                try {
                  done.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "producer-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      RunSummary summary;
      try {
        summary = app.run();
        out.print(summary.format());
        out.flush();
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running (Ctrl-C / SIGTERM) and waited for the summary above
        }
        done.countDown();
      }
      return summary.ok() ? 0 : 1;
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      LOG.error("producer failed", e);
      err.println("error: " + e);
      return 1;
    }
  }
}
