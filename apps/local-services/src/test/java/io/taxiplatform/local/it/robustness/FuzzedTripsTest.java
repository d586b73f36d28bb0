package io.taxiplatform.local.it.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.it.pipeline.ExpectedWindows;
import io.taxiplatform.model.ParseResult;
import io.taxiplatform.model.Rejection;
import io.taxiplatform.model.TripEventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fuzz generator is deterministic per seed, and the tests' independent rules ({@link
 * ExpectedWindows#reason}) agree with the shared trip model the job validates with ({@link
 * TripEventJson#parse}) on every generated value: a quick, in-process version of what {@code
 * FuzzedEventsIT} checks on the real pipeline.
 */
class FuzzedTripsTest {

  private static final Instant START = Instant.parse("2025-06-01T10:00:00Z");

  @Test
  void theSameSeedGivesTheSameValues() {
    List<FuzzedTrips.Fuzzed> a = new FuzzedTrips(5, "p", START).next(500, 0.8);
    List<FuzzedTrips.Fuzzed> b = new FuzzedTrips(5, "p", START).next(500, 0.8);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).value()).isEqualTo(b.get(i).value());
    }
  }

  @Test
  void theExpectedRulesAgreeWithTheTripModelOnFuzzedValues() {
    Instant now = Instant.now();
    List<String> disagreements = new ArrayList<>();
    for (long seed = 1; seed <= 1; seed++) {
      FuzzedTrips gen = new FuzzedTrips(seed, "s" + seed, START);
      java.util.Set<String> ids = new java.util.HashSet<>();
      List<String> duplicates = new ArrayList<>();
      for (FuzzedTrips.Fuzzed f : gen.next(10_000, 0.8)) {
        String expected = ExpectedWindows.reason(f.value(), now);
        if (expected == null
            && !ids.add(ExpectedWindows.tripId(f.value()))
            && duplicates.size() < 10) {
          duplicates.add(f.kind() + ": " + preview(f.value()));
        }
        ParseResult r = TripEventJson.parse(f.value(), now, Duration.ofHours(1));
        String model = r instanceof Rejection rej ? rej.reason().wireName() : null;
        if (model == null
            && r instanceof io.taxiplatform.model.TripEvent e
            && io.taxiplatform.model.TripMetrics.roundCents(e.totalAmount())
                    .abs()
                    .compareTo(new java.math.BigDecimal("9999999999999999.99"))
                > 0) {
          model = "invalid_field"; // the job's TripParser: total_amount beyond decimal(18,2)
        }
        if (!java.util.Objects.equals(expected, model) && disagreements.size() < 30) {
          disagreements.add(
              f.kind()
                  + ": expected "
                  + expected
                  + ", model "
                  + model
                  + (r instanceof Rejection rej ? " (" + rej.detail() + ")" : "")
                  + " <- "
                  + preview(f.value()));
        }
      }
      assertThat(gen.kinds).as("every kind of mutation is generated").hasSize(17);
      assertThat(duplicates)
          .as("valid events with a trip id seen before (the job would drop them)")
          .isEmpty();
    }
    assertThat(disagreements).as(String.join("\n", disagreements)).isEmpty();
  }

  static String preview(byte[] value) {
    if (value == null) {
      return "null";
    }
    String s =
        new String(Arrays.copyOf(value, Math.min(value.length, 300)), StandardCharsets.UTF_8);
    return s + (value.length > 300 ? "... (" + value.length + " bytes)" : "");
  }
}
