package io.taxiplatform.local.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job's expected output computed independently, in plain Java, from the records actually in the trips
 * topic (their JSON values and Kafka timestamps), with the rules and metric definitions of docs/contracts.md.
 * Written from the contract, not from the job's code: the rules are re-implemented here on a Jackson tree.
 */
public final class ExpectedWindows {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final String[] REQUIRED = {"trip_id", "pickup_time", "dropoff_time", "trip_distance",
            "pickup_zone", "dropoff_zone", "fare_amount", "tip_amount", "total_amount"};

    /** One window's aggregate. */
    public static final class Agg {
        public long count;
        BigDecimal fare = BigDecimal.ZERO;
        BigDecimal revenue = BigDecimal.ZERO;
        BigDecimal distance = BigDecimal.ZERO;
        long durationS;
        double tipPctSum;
        long tipN;
        Instant maxIngest = Instant.EPOCH;
        Instant windowEnd;
        String zoneName;
        String borough;

        void add(JsonNode t, Instant ingest) {
            count++;
            fare = fare.add(cents(t.get("fare_amount")));
            revenue = revenue.add(cents(t.get("total_amount")));
            distance = distance.add(cents(t.get("trip_distance")));
            durationS += Instant.parse(t.get("dropoff_time").asText()).getEpochSecond()
                    - Instant.parse(t.get("pickup_time").asText()).getEpochSecond();
            double f = t.get("fare_amount").doubleValue();
            if (f > 0) {
                tipPctSum += 100.0 * t.get("tip_amount").doubleValue() / f;
                tipN++;
            }
            if (ingest.isAfter(maxIngest)) {
                maxIngest = ingest;
            }
        }
    }

    /** A record as the job reads it. */
    public record Input(byte[] value, Instant ingestTime) {
    }

    public final Map<String, Agg> zoneWindows = new TreeMap<>();
    public final Map<String, Agg> boroughWindows = new TreeMap<>();
    /** Expected dead letters: reason -> count. */
    public final Map<String, Long> rejectedByReason = new TreeMap<>();
    public final List<String> validTripIds = new ArrayList<>();

    /**
     * @param zones    zone id -> {borough, zone name}
     * @param now      processing time (for event_time_in_future; inputs here are far from the limit)
     */
    public static ExpectedWindows compute(List<Input> inputs, Map<Integer, String[]> zones, Duration zoneWindow,
                                   Duration boroughWindow, Duration boroughSlide, Instant now) {
        ExpectedWindows e = new ExpectedWindows();
        for (Input in : inputs) {
            String reason = reason(in.value(), now);
            if (reason != null) {
                e.rejectedByReason.merge(reason, 1L, Long::sum);
                continue;
            }
            JsonNode t = tree(in.value());
            e.validTripIds.add(t.get("trip_id").asText());
            int zone = t.get("pickup_zone").intValue();
            String[] z = zones.get(zone);
            String borough = z == null ? "Unknown" : z[0];
            String zoneName = z == null ? "Unknown" : z[1];
            long ts = Instant.parse(t.get("dropoff_time").asText()).getEpochSecond();
            long w = zoneWindow.toSeconds();
            long start = Math.floorDiv(ts, w) * w;
            Agg a = e.zoneWindows.computeIfAbsent(zone + "|" + Instant.ofEpochSecond(start), k -> new Agg());
            a.windowEnd = Instant.ofEpochSecond(start + w);
            a.zoneName = zoneName;
            a.borough = borough;
            a.add(t, in.ingestTime());
            long bw = boroughWindow.toSeconds();
            long slide = boroughSlide.toSeconds();
            for (long s = Math.floorDiv(ts, slide) * slide; s > ts - bw; s -= slide) {
                Agg b = e.boroughWindows.computeIfAbsent(borough + "|" + Instant.ofEpochSecond(s), k -> new Agg());
                b.windowEnd = Instant.ofEpochSecond(s + bw);
                b.add(t, in.ingestTime());
            }
        }
        return e;
    }

    public long validCount() {
        return validTripIds.size();
    }

    /** The sum of trip_count over the expected borough windows (each trip counts once per sliding window). */
    public long boroughTripTotal() {
        return boroughWindows.values().stream().mapToLong(a -> a.count).sum();
    }

    public long rejectedCount() {
        return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The contract's first failing rule, or null for a valid trip. */
    public static String reason(byte[] value, Instant now) {
        JsonNode t;
        try {
            t = JSON.readTree(value);
        } catch (Exception ex) {
            return "malformed_json";
        }
        if (t == null || !t.isObject()) {
            return "malformed_json";
        }
        JsonNode v = t.get("schema_version");
        if (v == null || !v.isIntegralNumber() || v.longValue() != 1) {
            return "unsupported_schema_version";
        }
        for (String f : REQUIRED) {
            if (t.get(f) == null || t.get(f).isNull()) {
                return "missing_field";
            }
        }
        Instant pickup;
        Instant dropoff;
        try {
            pickup = Instant.parse(t.get("pickup_time").asText());
            dropoff = Instant.parse(t.get("dropoff_time").asText());
        } catch (Exception ex) {
            return "invalid_field";
        }
        if (!t.get("trip_distance").isNumber() || !t.get("pickup_zone").isInt() || !t.get("dropoff_zone").isInt()
                || !t.get("fare_amount").isNumber() || !t.get("tip_amount").isNumber()
                || !t.get("total_amount").isNumber() || !t.get("trip_id").isTextual()) {
            return "invalid_field";
        }
        int pz = t.get("pickup_zone").intValue();
        int dz = t.get("dropoff_zone").intValue();
        if (pz < 1 || pz > 265 || dz < 1 || dz > 265) {
            return "zone_out_of_range";
        }
        BigDecimal distance = t.get("trip_distance").decimalValue();
        if (distance.signum() < 0 || distance.compareTo(BigDecimal.valueOf(500)) > 0) {
            return "distance_out_of_range";
        }
        BigDecimal fare = t.get("fare_amount").decimalValue();
        if (fare.signum() < 0 || fare.compareTo(BigDecimal.valueOf(1000)) > 0) {
            return "fare_out_of_range";
        }
        if (dropoff.isBefore(pickup)) {
            return "dropoff_before_pickup";
        }
        if (dropoff.isAfter(now.plus(Duration.ofHours(1)))) {
            return "event_time_in_future";
        }
        return null;
    }

    /** The record's {@code trip_id} when it is a JSON object with a textual one, else null. */
    public static String tripId(byte[] value) {
        try {
            JsonNode t = JSON.readTree(value);
            JsonNode id = t == null ? null : t.get("trip_id");
            return id != null && id.isTextual() ? id.asText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    public static JsonNode tree(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static BigDecimal cents(JsonNode n) {
        return n.decimalValue().setScale(2, RoundingMode.HALF_UP);
    }

    /** Asserts one Cassandra row equals the expected aggregate (exact sums, tolerance for the averages). */
    static void assertRow(Row row, Agg e, String what) {
        assertThat(row.getLong("trip_count")).as(what + " trip_count").isEqualTo(e.count);
        assertThat(row.getBigDecimal("fare_total")).as(what + " fare_total").isEqualByComparingTo(e.fare);
        assertThat(row.getBigDecimal("revenue_total")).as(what + " revenue_total").isEqualByComparingTo(e.revenue);
        assertThat(row.getBigDecimal("distance_total")).as(what + " distance_total").isEqualByComparingTo(e.distance);
        assertThat(row.getLong("duration_total_s")).as(what + " duration_total_s").isEqualTo(e.durationS);
        assertThat(row.getDouble("avg_fare")).as(what + " avg_fare")
                .isCloseTo(e.fare.doubleValue() / e.count, within(1e-6));
        assertThat(row.getDouble("avg_distance")).as(what + " avg_distance")
                .isCloseTo(e.distance.doubleValue() / e.count, within(1e-6));
        assertThat(row.getDouble("avg_duration_s")).as(what + " avg_duration_s")
                .isCloseTo((double) e.durationS / e.count, within(1e-6));
        if (e.tipN == 0) {
            assertThat(row.isNull("avg_tip_pct")).as(what + " avg_tip_pct is null").isTrue();
        } else {
            assertThat(row.getDouble("avg_tip_pct")).as(what + " avg_tip_pct")
                    .isCloseTo(e.tipPctSum / e.tipN, within(1e-6));
        }
        assertThat(row.getInstant("window_end")).as(what + " window_end").isEqualTo(e.windowEnd);
        assertThat(row.getInstant("max_ingest_time")).as(what + " max_ingest_time").isEqualTo(e.maxIngest);
        assertThat(row.getInstant("written_at")).as(what + " written_at").isAfterOrEqualTo(e.maxIngest);
    }
}
