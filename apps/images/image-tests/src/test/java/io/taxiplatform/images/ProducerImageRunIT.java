package io.taxiplatform.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taxiplatform.local.KafkaNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the producer image (the tarball built on the offline JRE base) in podman with runc: against
 * the real local KRaft broker over the host network it must deliver its trips, and with a bad flag
 * it must exit 2 with its usage. Skips with the reason where podman cannot run containers, unless
 * {@code -Dtaxi.require.podman=true} (CI), where that is a failure.
 */
class ProducerImageRunIT {

  private static final Logger LOG = LoggerFactory.getLogger(ProducerImageRunIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EVENTS = 300;
  private static final long SEED = 4242;

  private static String imageRef;
  private static String imageId;
  private static boolean podmanRuns;
  private static String unavailableReason;

  @BeforeAll
  static void loadImage() throws IOException {
    Path baseTar =
        ImagePaths.repoRoot().resolve("apps/images/jre-base/target/jib/jre-base-image.tar");
    Optional<String> unavailable = Podman.unavailableReason(baseTar, "localhost/taxi-jre-base:17");
    if (unavailable.isPresent()) {
      if (Boolean.getBoolean("taxi.require.podman")) {
        fail(
            "podman is required (-Dtaxi.require.podman=true) but cannot run: " + unavailable.get());
      }
      unavailableReason = "podman cannot run containers here: " + unavailable.get();
      return;
    }
    podmanRuns = true;
    ImageTarball tarball =
        ImageTarball.read(ImagePaths.producerTarget().resolve("jib/taxi-producer.tar"));
    Podman.Result load = Podman.run(Duration.ofMinutes(5), "load", "-i", tarball.path().toString());
    assertThat(load.exitCode()).as("podman load: %s", load.output()).isZero();
    // A tag of our own, so that parallel runs or a developer's real image are never touched.
    imageRef = "localhost/taxi-producer-it:" + UUID.randomUUID().toString().substring(0, 8);
    Podman.Result tag =
        Podman.run(Duration.ofMinutes(1), "tag", tarball.repoTags().get(0), imageRef);
    assertThat(tag.exitCode()).as("podman tag: %s", tag.output()).isZero();
    Podman.Result id =
        Podman.run(Duration.ofMinutes(1), "image", "inspect", "--format", "{{.Id}}", imageRef);
    assertThat(id.exitCode()).as("podman image inspect: %s", id.output()).isZero();
    imageId = id.output().strip();
  }

  /** Removes what this test loaded (the image under all its tags, and the base used as a probe). */
  @BeforeEach
  void assumePodmanRuns() {
    Assumptions.assumeTrue(podmanRuns, () -> unavailableReason);
  }

  @AfterAll
  static void removeImages() throws IOException {
    if (!podmanRuns) {
      return;
    }
    if (imageId != null) {
      Podman.run(Duration.ofMinutes(2), "rmi", "--force", imageId);
    }
    Podman.run(Duration.ofMinutes(2), "rmi", "--ignore", "--force", "localhost/taxi-jre-base:17");
  }

  @Test
  void sendsSyntheticTripsToTheLocalBroker() throws IOException {
    String topic = "taxi.trips.image-it-" + UUID.randomUUID().toString().substring(0, 8);
    try (KafkaNode kafka = KafkaNode.start()) {
      kafka.createTopic(topic, 1);
      Instant started = Instant.now();
      String name = "taxi-producer-it-" + UUID.randomUUID().toString().substring(0, 8);
      Podman.Result run;
      try {
        run =
            Podman.run(
                Duration.ofMinutes(5),
                "run",
                "--rm",
                "--name",
                name,
                "--network=host",
                // Both ways of configuring it: environment variables (as the chart does) and flags.
                "-e",
                "TRIPS_TOPIC=" + topic,
                "-e",
                "METRICS_PORT=0",
                imageRef,
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--mode",
                "synthetic",
                "--max-events",
                String.valueOf(EVENTS),
                "--seed",
                String.valueOf(SEED));
      } finally {
        Podman.run(Duration.ofMinutes(1), "rm", "--force", "--ignore", name);
      }
      LOG.info("producer container output:\n{}", run.output());
      assertThat(run.exitCode())
          .as("producer container exit code; output:\n%s", run.output())
          .isZero();

      List<ConsumerRecord<String, String>> records =
          consumeAll(kafka.bootstrapServers(), topic, EVENTS);
      assertThat(records).hasSize(EVENTS);
      Set<String> tripIds = new HashSet<>();
      for (ConsumerRecord<String, String> record : records) {
        JsonNode trip = JSON.readTree(record.value());
        assertThat(trip.path("schema_version").asInt()).isEqualTo(1);
        String tripId = trip.path("trip_id").asText();
        assertThat(tripId).startsWith("syn-" + SEED + "-");
        tripIds.add(tripId);
        assertThat(record.key())
            .as("key of %s", tripId)
            .isEqualTo(trip.path("pickup_zone").asText());
        assertThat(trip.path("pickup_zone").asInt()).isBetween(1, 265);
        assertThat(Instant.ofEpochMilli(record.timestamp()))
            .as("ingest time of %s", tripId)
            .isAfterOrEqualTo(started.minusSeconds(1));
      }
      assertThat(tripIds).as("distinct trip ids").hasSize(EVENTS);
    }
  }

  @Test
  void badFlagExitsTwoWithUsage() throws IOException {
    Podman.Result run =
        Podman.run(
            Duration.ofMinutes(2),
            "run",
            "--rm",
            "--network=host",
            imageRef,
            "--no-such-flag",
            "x");
    LOG.info("producer container output with a bad flag:\n{}", run.output());
    assertThat(run.exitCode()).as("exit code; output:\n%s", run.output()).isEqualTo(2);
    assertThat(run.output()).contains("--no-such-flag").containsIgnoringCase("usage");
  }

  private static List<ConsumerRecord<String, String>> consumeAll(
      String bootstrap, String topic, int expected) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long total = end.values().stream().mapToLong(Long::longValue).sum();
      LOG.info("{} records in {} (expected {})", total, topic, expected);
      Instant deadline = Instant.now().plusSeconds(60);
      while (records.size() < total && Instant.now().isBefore(deadline)) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    return records;
  }
}
