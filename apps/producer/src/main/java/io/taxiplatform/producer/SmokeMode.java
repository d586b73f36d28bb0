package io.taxiplatform.producer;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.taxiplatform.config.CassandraSettings;
import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventWriter;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code smoke} mode (helm test): sends {@code SMOKE_TRIPS} trips {@code smoke-<run id>-<n>} ending
 * now into zone {@code SMOKE_ZONE}, then polls {@code zone_windows_<PIPELINE_VERSION>} until the
 * window holding them shows at least that many trips with {@code max_ingest_time} not older than
 * the run's start.
 */
final class SmokeMode {

  private SmokeMode() {}

  /** The smoke trips of one run (all end at {@code dropoff}, so they share one window). */
  static TripEvent[] trips(String runId, int count, int zone, Instant dropoff) {
    TripEvent[] out = new TripEvent[count];
    for (int i = 0; i < count; i++) {
      out[i] =
          TripEvent.builder()
              .tripId("smoke-" + runId + "-" + (i + 1))
              .source("smoke")
              .vendorId(1)
              .pickupTime(dropoff.minusSeconds(300))
              .dropoffTime(dropoff)
              .passengerCount(1)
              .tripDistance(1.0)
              .pickupZone(zone)
              .dropoffZone(zone)
              .paymentType(1)
              .fareAmount(10.0)
              .tipAmount(2.0)
              .totalAmount(13.5)
              .build();
    }
    return out;
  }

  static int run(
      TripProducerConfig config,
      Producer<String, byte[]> producer,
      Clock clock,
      PrintStream out,
      PrintStream err) {
    TripProducerConfig.SmokeSettings smoke = config.smoke();
    String runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    Instant start = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Instant dropoff = start.truncatedTo(ChronoUnit.SECONDS);
    TripEventWriter writer = new TripEventWriter();
    try {
      for (TripEvent e : trips(runId, smoke.trips(), smoke.zone(), dropoff)) {
        producer
            .send(new ProducerRecord<>(config.topic(), e.kafkaKey(), writer.toBytes(e)))
            .get(60, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      err.println("smoke FAILED: sending to " + config.topic() + ": " + e);
      return 1;
    }
    out.println(
        "smoke: sent "
            + smoke.trips()
            + " trips smoke-"
            + runId
            + "-* to zone "
            + smoke.zone()
            + " ending at "
            + dropoff);

    CassandraSettings cs = config.cassandra();
    String cql =
        "SELECT window_start, window_end, trip_count, max_ingest_time FROM "
            + cs.keyspace()
            + "."
            + config.pipelineVersion().zoneWindowsTable()
            + " WHERE pickup_zone = ? AND window_start <= ? AND window_start > ?";
    Instant deadline = clock.instant().plus(smoke.timeout());
    String seen = "nothing yet";
    try (CqlSession session = CassandraSessions.open(cs)) {
      while (true) {
        try {
          ResultSet rs =
              session.execute(
                  SimpleStatement.newInstance(
                      cql, smoke.zone(), dropoff, dropoff.minus(smoke.zoneWindow())));
          for (Row row : rs) {
            long count = row.getLong("trip_count");
            Instant maxIngest = row.getInstant("max_ingest_time");
            Instant windowEnd = row.getInstant("window_end");
            seen =
                "window "
                    + row.getInstant("window_start")
                    + ".."
                    + windowEnd
                    + " trip_count="
                    + count
                    + " max_ingest_time="
                    + maxIngest;
            if (windowEnd != null
                && windowEnd.isAfter(dropoff)
                && count >= smoke.trips()
                && maxIngest != null
                && !maxIngest.isBefore(start)) {
              out.println("smoke OK: " + seen);
              return 0;
            }
          }
        } catch (RuntimeException e) {
          seen = "query failed: " + e.getMessage();
        }
        if (clock.instant().isAfter(deadline)) {
          err.println(
              "smoke FAILED after "
                  + smoke.timeout().toSeconds()
                  + " s: expected >= "
                  + smoke.trips()
                  + " trips in zone "
                  + smoke.zone()
                  + " with max_ingest_time >= "
                  + start
                  + "; saw "
                  + seen);
          return 1;
        }
        Thread.sleep(5_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("smoke FAILED: interrupted; saw " + seen);
      return 1;
    } catch (Exception e) {
      err.println("smoke FAILED: Cassandra " + cs.contactPoints() + ": " + e);
      return 1;
    }
  }
}
