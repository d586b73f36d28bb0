import io.taxiplatform.model.ParseResult;
import io.taxiplatform.model.TripEvent;
import io.taxiplatform.model.TripEventJson;
import io.taxiplatform.model.TripEventWriter;
import io.taxiplatform.producer.source.SyntheticTripSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The job's parse in a plain JVM loop: 300,000 synthetic events as producers write them
 * (TripEventWriter), TripEventJson.parse of every one, 9 passes; prints the median and the fastest
 * pass in ns per record. Put the trip-model build to measure first on the class path:
 *
 * <pre>
 * CP="apps/benchmarks/target/classes:$(cat apps/benchmarks/target/classpath.txt)"
 * java -cp "$OLD_TRIP_MODEL_JAR:$CP" docs/benchmarks/round8/ParseLoop.java old
 * java -cp "$CP" docs/benchmarks/round8/ParseLoop.java new
 * </pre>
 */
public class ParseLoop {
  public static void main(String[] args) {
    String label = args.length > 0 ? args[0] : "run";
    SyntheticTripSource source = new SyntheticTripSource(42, Clock.systemUTC());
    TripEventWriter writer = new TripEventWriter();
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 300_000; i++) {
      values.add(writer.toBytes(source.next().event()));
    }
    Instant now = Instant.now();
    Duration skew = Duration.ofHours(1);
    double[] ns = new double[9];
    for (int pass = 0; pass < ns.length; pass++) {
      long t0 = System.nanoTime();
      int valid = 0;
      for (byte[] v : values) {
        ParseResult r = TripEventJson.parse(v, now, skew);
        valid += r instanceof TripEvent ? 1 : 0;
      }
      ns[pass] = (System.nanoTime() - t0) / (double) values.size();
      if (valid != values.size()) {
        throw new IllegalStateException(valid + " valid of " + values.size());
      }
    }
    Arrays.sort(ns);
    System.out.printf(
        "%s: TripEventJson.parse median %.0f ns, fastest pass %.0f ns per record%n",
        label, ns[ns.length / 2], ns[0]);
  }
}
