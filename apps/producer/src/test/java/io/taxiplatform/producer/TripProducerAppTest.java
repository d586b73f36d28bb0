package io.taxiplatform.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TripProducerAppTest {

  private static final Instant NOW = Instant.parse("2026-11-22T03:30:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String HEADER =
      "VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,"
          + "trip_distance,RatecodeID,store_and_fwd_flag,PULocationID,DOLocationID,payment_type,fare_amount,extra,"
          + "mta_tax,tip_amount,tolls_amount,improvement_surcharge,total_amount,congestion_surcharge,Airport_fee";

  @TempDir Path dir;

  private static MockProducer<String, byte[]> mock() {
    return new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  }

  private Path csv() throws Exception {
    return Files.writeString(
        dir.resolve("trips.csv"),
        String.join(
                "\n",
                HEADER,
                "1,2025-01-01 00:18:38,2025-01-01 00:26:59,1,1.6,1,N,229,237,1,10,3.5,0.5,3,0,1,18,2.5,0",
                "2,2025-01-01 00:30:00,2025-01-01 00:40:00,1,2.0,1,N,132,161,1,-7.2,0,-0.5,0,0,-1,-8.7,0,0",
                "2,2025-01-01 00:31:00,,1,2.0,1,N,132,161,1,7.2,0,0.5,0,0,1,8.7,0,0",
                "2,2025-01-01 00:32:00,2025-01-01 00:50:00,1,x,1,N,132,161,1,7.2,0,0.5,0,0,1,8.7,0,0",
                "2,2025-01-01 00:33:00,2025-01-01 00:51:00,1,3.1,1,N,48,161,2,17.2,0,0.5,0,0,1,18.7,0,0")
            + "\n");
  }

  private static TripProducerConfig config(String... args) throws Exception {
    return TripProducerConfig.parse(Map.of("METRICS_PORT", "0"), args);
  }

  @Test
  void replaySendsExactlyTheRowsThatBecomeEventsKeyedByPickupZone() throws Exception {
    Path file = csv();
    MockProducer<String, byte[]> producer = mock();
    ProducerMetrics metrics = new ProducerMetrics();
    RunSummary s =
        new TripProducerApp(
                config("--mode", "replay", "--input", file.toString(), "--topic", "t"),
                producer,
                metrics,
                CLOCK)
            .run();

    List<ProducerRecord<String, byte[]>> sent = producer.history();
    assertThat(sent).extracting(ProducerRecord::key).containsExactly("229", "132", "48");
    assertThat(sent).extracting(ProducerRecord::topic).containsOnly("t");
    TripEvent first =
        (TripEvent) TripEventJson.parse(sent.get(0).value(), NOW, Duration.ofDays(3650));
    assertThat(first.tripId()).isEqualTo("trips.csv:1");
    assertThat(first.dropoffTime()).isEqualTo(Instant.parse("2025-01-01T05:26:59Z"));
    assertThat(new String(sent.get(1).value(), StandardCharsets.UTF_8))
        .contains("\"trip_id\":\"trips.csv:2\"")
        .contains("\"fare_amount\":-7.2");
    assertThat(new String(sent.get(2).value(), StandardCharsets.UTF_8))
        .contains("\"trip_id\":\"trips.csv:5\"");

    assertThat(s.rowsRead()).isEqualTo(5);
    assertThat(s.sent()).isEqualTo(3);
    assertThat(s.sendErrors()).isZero();
    assertThat(s.rejected())
        .containsExactlyInAnyOrderEntriesOf(Map.of("missing_field", 1L, "bad_number", 1L));
    assertThat(s.ok()).isTrue();
    assertThat(s.stoppedEarly()).isFalse();
    assertThat(s.format())
        .contains("sent:        3")
        .contains("missing_field")
        .contains("bad_number");
    assertThat(producer.flushed()).isTrue();
  }

  @Test
  void maxEventsStopsAfterThatManyEvents() throws Exception {
    MockProducer<String, byte[]> producer = mock();
    RunSummary s =
        new TripProducerApp(
                config("--mode", "replay", "--input", csv().toString(), "--max-events", "2"),
                producer,
                null,
                CLOCK)
            .run();
    assertThat(producer.history()).hasSize(2);
    assertThat(s.sent()).isEqualTo(2);
  }

  @Test
  void timeModeNowShiftsEveryEventSoTheFirstEndsNow() throws Exception {
    MockProducer<String, byte[]> producer = mock();
    new TripProducerApp(
            config("--mode", "replay", "--input", csv().toString(), "--time-mode", "now"),
            producer,
            null,
            CLOCK)
        .run();
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> events = new java.util.ArrayList<>();
    for (ProducerRecord<String, byte[]> r : producer.history()) {
      events.add(json.readTree(r.value()));
    }
    assertThat(Instant.parse(events.get(0).get("dropoff_time").asText())).isEqualTo(NOW);
    assertThat(Instant.parse(events.get(0).get("pickup_time").asText()))
        .isEqualTo(NOW.minusSeconds(8 * 60 + 21));
    // relative spacing is kept: the third event ended 24m01s after the first
    assertThat(Instant.parse(events.get(2).get("dropoff_time").asText()))
        .isEqualTo(NOW.plus(Duration.ofMinutes(24).plusSeconds(1)));
  }

  @Test
  void sendErrorsAreCountedAndMakeTheRunFail() throws Exception {
    // the broker rejects the records of zone 132
    MockProducer<String, byte[]> producer =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
          @Override
          public synchronized Future<RecordMetadata> send(
              ProducerRecord<String, byte[]> r, Callback cb) {
            if ("132".equals(r.key())) {
              TimeoutException e = new TimeoutException("broker gone");
              cb.onCompletion(null, e);
              return CompletableFuture.failedFuture(e);
            }
            return super.send(r, cb);
          }
        };
    ProducerMetrics metrics = new ProducerMetrics();
    RunSummary s =
        new TripProducerApp(
                config("--mode", "replay", "--input", csv().toString()), producer, metrics, CLOCK)
            .run();
    assertThat(s.sent()).isEqualTo(2);
    assertThat(s.sendErrors()).isEqualTo(1);
    assertThat(s.ok()).isFalse();
    assertThat(s.format()).contains("send errors: 1");
  }

  @Test
  void syntheticRunsUntilStoppedAndCountsLive() throws Exception {
    MockProducer<String, byte[]> producer = mock();
    TripProducerApp app =
        new TripProducerApp(
            config("--seed", "9", "--rate", "1000"), producer, null, Clock.systemUTC());
    CompletableFuture<RunSummary> run = CompletableFuture.supplyAsync(app::run);
    while (app.stats().sent() < 20) {
      Thread.sleep(5);
    }
    app.stop();
    RunSummary s = run.get(30, TimeUnit.SECONDS);
    assertThat(s.stoppedEarly()).isTrue();
    assertThat(s.sent()).isGreaterThanOrEqualTo(20).isEqualTo(producer.history().size());
    assertThat(new String(producer.history().get(0).value(), StandardCharsets.UTF_8))
        .contains("\"trip_id\":\"syn-9-1\"");
  }

  @Test
  void syntheticMaxEventsEndsTheRun() throws Exception {
    MockProducer<String, byte[]> producer = mock();
    RunSummary s =
        new TripProducerApp(config("--seed", "1", "--max-events", "250"), producer, null, CLOCK)
            .run();
    assertThat(s.sent()).isEqualTo(250);
    assertThat(s.rowsRead()).isEqualTo(250);
    assertThat(producer.history())
        .extracting(ProducerRecord::key)
        .allSatisfy(k -> assertThat(Integer.parseInt(k)).isBetween(1, 265));
  }

  @Test
  void anUnreadableFileFailsBeforeAnythingIsSent() throws Exception {
    Path good = csv();
    Path bad = Files.writeString(dir.resolve("bad.csv"), "a,b,c\n1,2,3\n");
    MockProducer<String, byte[]> producer = mock();
    TripProducerApp app =
        new TripProducerApp(
            config("--mode", "replay", "--input", good + "," + bad), producer, null, CLOCK);
    assertThatThrownBy(app::run)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.csv");
    assertThat(producer.history()).isEmpty();
  }
}
