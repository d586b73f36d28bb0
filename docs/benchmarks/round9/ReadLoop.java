import io.taxiplatform.model.TripEvent;
import io.taxiplatform.producer.source.CsvTripSource;
import io.taxiplatform.producer.source.SourceRecord;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The producer's CSV reading in a plain JVM loop: a TLC CSV of 1,000,000 of the benchmark's trips
 * (written once by the benchmark's own TlcBenchFiles, seed 42, if the file is absent), read and
 * mapped by CsvTripSource, 7 passes; prints the median and the fastest pass in ns per row, and a
 * checksum of the events (equal for two builds that read the same events). Put the producer build
 * to measure first on the class path:
 *
 * <pre>
 * CP="apps/benchmarks/target/classes:$(cat apps/benchmarks/target/classpath.txt)"
 * java -cp "$OLD_PRODUCER_CLASSES:$OLD_TRIP_MODEL_CLASSES:$CP" docs/benchmarks/round9/ReadLoop.java old /tmp/trips_2025-01.csv
 * java -cp "$CP" docs/benchmarks/round9/ReadLoop.java new /tmp/trips_2025-01.csv
 * </pre>
 */
public class ReadLoop {
  public static void main(String[] args) throws Exception {
    String label = args[0];
    Path file = Path.of(args[1]);
    if (!Files.exists(file)) {
      Method write =
          Class.forName("io.taxiplatform.bench.TlcBenchFiles")
              .getDeclaredMethod("writeCsv", Path.class, long.class, int.class);
      write.setAccessible(true);
      write.invoke(null, file, 42L, 1_000_000);
    }
    double[] ns = new double[7];
    long checksum = 0;
    for (int pass = 0; pass < ns.length; pass++) {
      long t0 = System.nanoTime();
      long rows = 0;
      long sum = 0;
      try (CsvTripSource source = new CsvTripSource(file, "replay")) {
        while (source.hasNext()) {
          SourceRecord r = source.next();
          rows++;
          TripEvent e = r.event();
          if (e != null) {
            sum = 31 * sum + e.pickupTime().getEpochSecond() + e.dropoffTime().getEpochSecond()
                + Double.hashCode(e.totalAmount()) + e.tripId().hashCode();
          }
        }
      }
      ns[pass] = (System.nanoTime() - t0) / (double) rows;
      checksum = sum;
    }
    Arrays.sort(ns);
    System.out.printf(
        "%s: CsvTripSource read + map median %.0f ns, fastest pass %.0f ns per row (checksum %x)%n",
        label, ns[ns.length / 2], ns[0], checksum);
  }
}
