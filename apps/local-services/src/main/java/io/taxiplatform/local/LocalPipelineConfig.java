package io.taxiplatform.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The options of {@link LocalPipeline}, parsed from command-line flags (and {@code
 * ZONE_LOOKUP_PATH}).
 *
 * @param mode {@code synthetic} (default) or {@code replay}
 * @param replayFiles TLC files to replay ({@code --replay a.csv,b.parquet}); empty for synthetic
 * @param rate target events/s; 0 = as fast as possible (default 1000)
 * @param speed replay at N× the original timeline instead of a rate (optional)
 * @param timeMode replay: {@code original} (default, Kappa replay) or {@code now} (event times
 *     shifted so the first trip ends now)
 * @param maxEvents stop the producer after N events; 0 = no limit (default for synthetic)
 * @param seed synthetic generator seed (optional)
 * @param zoneLookup a TLC zone lookup CSV given by {@code --zones} or {@code ZONE_LOOKUP_PATH};
 *     empty (the default): the lookup shipped with the streaming job
 * @param duration stop everything after this long (optional; default: until Ctrl-C, or until a
 *     finite producer run has been processed)
 * @param progressInterval how often to print progress (default 5 s)
 * @param partitions partitions of the trips topic (default 4)
 * @param pipelineVersion {@code PIPELINE_VERSION} of the job (default {@code v1})
 * @param workDir root of this run's files (default {@code <repo>/.local})
 * @param servicesOnly start Kafka and Cassandra only (no job, no producer), print their addresses,
 *     wait
 * @param reprocessVersion a second {@code PIPELINE_VERSION} to start beside the first once it has
 *     written windows, reprocessing the topic from the earliest offset (optional)
 * @param reprocessZoneWindow {@code ZONE_WINDOW} of that second version (optional: the job's
 *     default)
 */
public record LocalPipelineConfig(
    String mode,
    List<Path> replayFiles,
    double rate,
    Optional<Double> speed,
    String timeMode,
    long maxEvents,
    OptionalLong seed,
    Optional<Path> zoneLookup,
    Optional<Duration> duration,
    Duration progressInterval,
    int partitions,
    String pipelineVersion,
    Optional<Path> workDir,
    boolean servicesOnly,
    Optional<String> reprocessVersion,
    Optional<String> reprocessZoneWindow) {

  public LocalPipelineConfig {
    replayFiles = List.copyOf(replayFiles);
  }

  /** Thrown for bad flags; the caller prints the message and {@link #USAGE} and exits 2. */
  public static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }

  private static final java.util.Set<String> VALUED_FLAGS =
      java.util.Set.of(
          "--replay",
          "--rate",
          "--speed",
          "--time-mode",
          "--max-events",
          "--seed",
          "--zones",
          "--duration",
          "--progress",
          "--partitions",
          "--pipeline-version",
          "--work-dir",
          "--reprocess",
          "--reprocess-zone-window");

  /** Help text. */
  public static final String USAGE =
      """
            Usage: LocalPipeline [options]
              Starts Kafka (KRaft), Cassandra and the streaming job (Spark local[2]) on 127.0.0.1, runs the
              producer and prints progress. Ctrl-C stops everything.

              --replay FILE[,FILE]   replay TLC yellow-trip files (.csv or .parquet) instead of synthetic trips
              --rate N               target events/s, 0 = as fast as possible (default 1000)
              --speed N              replay at N x the original timeline (exclusive with --rate)
              --time-mode MODE       replay: original (default) or now (shift event times so the first trip
                                     ends now; later trips then lie ahead of the clock unless --speed 1)
              --max-events N         stop producing after N events (default: no limit)
              --seed N               synthetic generator seed
              --zones FILE           a TLC taxi_zone_lookup.csv to use instead of the one shipped with the
                                     streaming job (default: $ZONE_LOOKUP_PATH if set, else the shipped one)
              --duration SECONDS     stop after this long (default: until Ctrl-C)
              --progress SECONDS     progress interval (default 5)
              --partitions N         partitions of the trips topic (default 4)
              --pipeline-version V   PIPELINE_VERSION of the job (default v1)
              --reprocess V          once the first version has written windows, start a second job, version V,
                                     beside it: it reprocesses the topic from the earliest offset into its own
                                     tables and checkpoint (Kappa reprocessing); progress shows its lag
              --reprocess-zone-window D  ZONE_WINDOW of version V, e.g. "10 minutes" (default: the job's)
              --work-dir DIR         where logs, checkpoints and data go (default <repo>/.local)
              --services-only        start only Kafka and Cassandra, print their addresses, wait for Ctrl-C
              --help                 this text
            """;

  /**
   * Parses flags ({@code --flag value} or {@code --flag=value}); {@code env} supplies {@code
   * ZONE_LOOKUP_PATH}.
   */
  public static LocalPipelineConfig parse(String[] args, Map<String, String> env) {
    String mode = "synthetic";
    List<Path> replay = new ArrayList<>();
    double rate = 1000;
    boolean rateGiven = false;
    Optional<Double> speed = Optional.empty();
    String timeMode = "original";
    long maxEvents = 0;
    OptionalLong seed = OptionalLong.empty();
    Optional<Path> zones = Optional.empty();
    Optional<Duration> duration = Optional.empty();
    Duration progress = Duration.ofSeconds(5);
    int partitions = 4;
    String version = "v1";
    Optional<Path> workDir = Optional.empty();
    boolean servicesOnly = false;
    Optional<String> reprocess = Optional.empty();
    Optional<String> reprocessZoneWindow = Optional.empty();

    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.isBlank()) {
        continue;
      }
      if (arg.equals("--help") || arg.equals("-h")) {
        throw new UsageException("");
      }
      if (arg.equals("--services-only")) {
        servicesOnly = true;
        continue;
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String flag = arg;
      String value;
      int eq = arg.indexOf('=');
      if (!VALUED_FLAGS.contains(eq > 0 ? arg.substring(0, eq) : arg)) {
        throw new UsageException("unknown flag " + (eq > 0 ? arg.substring(0, eq) : arg));
      }
      if (eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else {
        if (i + 1 >= args.length) {
          throw new UsageException(flag + " needs a value");
        }
        value = args[++i];
      }
      switch (flag) {
        case "--replay" -> {
          mode = "replay";
          for (String part : value.split(",")) {
            if (part.isBlank()) {
              continue;
            }
            Path file = Paths.get(part.trim()).toAbsolutePath().normalize();
            if (!Files.isRegularFile(file)) {
              throw new UsageException("--replay: no such file " + file);
            }
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (!name.endsWith(".csv") && !name.endsWith(".parquet")) {
              throw new UsageException("--replay: " + file + " is neither .csv nor .parquet");
            }
            replay.add(file);
          }
          if (replay.isEmpty()) {
            throw new UsageException("--replay needs at least one file");
          }
        }
        case "--rate" -> {
          rate = parseDouble(flag, value);
          if (rate < 0) {
            throw new UsageException("--rate must be >= 0");
          }
          rateGiven = true;
        }
        case "--speed" -> {
          double s = parseDouble(flag, value);
          if (s <= 0) {
            throw new UsageException("--speed must be > 0");
          }
          speed = Optional.of(s);
        }
        case "--time-mode" -> {
          if (!value.equals("now") && !value.equals("original")) {
            throw new UsageException(
                "--time-mode must be 'now' or 'original', not '" + value + "'");
          }
          timeMode = value;
        }
        case "--max-events" -> {
          maxEvents = parseLong(flag, value);
          if (maxEvents < 0) {
            throw new UsageException("--max-events must be >= 0");
          }
        }
        case "--seed" -> seed = OptionalLong.of(parseLong(flag, value));
        case "--zones" -> zones = Optional.of(existingFile(flag, value));
        case "--duration" -> {
          long s = parseLong(flag, value);
          if (s <= 0) {
            throw new UsageException("--duration must be > 0 seconds");
          }
          duration = Optional.of(Duration.ofSeconds(s));
        }
        case "--progress" -> {
          long s = parseLong(flag, value);
          if (s <= 0) {
            throw new UsageException("--progress must be > 0 seconds");
          }
          progress = Duration.ofSeconds(s);
        }
        case "--partitions" -> {
          long p = parseLong(flag, value);
          if (p < 1 || p > 64) {
            throw new UsageException("--partitions must be between 1 and 64");
          }
          partitions = (int) p;
        }
        case "--pipeline-version" -> {
          if (!value.matches("[a-z0-9_]+")) {
            throw new UsageException("--pipeline-version must match [a-z0-9_]+");
          }
          version = value;
        }
        case "--work-dir" -> workDir = Optional.of(Paths.get(value).toAbsolutePath().normalize());
        case "--reprocess" -> {
          if (!value.matches("[a-z0-9_]+")) {
            throw new UsageException("--reprocess must match [a-z0-9_]+");
          }
          reprocess = Optional.of(value);
        }
        case "--reprocess-zone-window" -> {
          if (!value.matches("\\d+\\s*(ms|seconds?|minutes?|hours?|days?)")) {
            throw new UsageException(
                "--reprocess-zone-window needs '<n> <unit>' (seconds, minutes, "
                    + "hours, days), not '"
                    + value
                    + "'");
          }
          reprocessZoneWindow = Optional.of(value);
        }
        default -> throw new UsageException("unknown flag " + flag);
      }
    }
    if (speed.isPresent() && rateGiven) {
      throw new UsageException("--speed and --rate are exclusive");
    }
    if (speed.isPresent() && !mode.equals("replay")) {
      throw new UsageException("--speed needs --replay");
    }
    if (speed.isPresent()) {
      rate = 0;
    }
    if (reprocess.isPresent() && reprocess.get().equals(version)) {
      throw new UsageException(
          "--reprocess " + reprocess.get() + " must differ from --pipeline-version");
    }
    if (reprocessZoneWindow.isPresent() && reprocess.isEmpty()) {
      throw new UsageException("--reprocess-zone-window needs --reprocess");
    }
    if (zones.isEmpty()) {
      String fromEnv = env.get("ZONE_LOOKUP_PATH");
      if (fromEnv != null && !fromEnv.isBlank()) {
        Path p = Paths.get(fromEnv).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
          throw new UsageException("ZONE_LOOKUP_PATH=" + fromEnv + " is not a file");
        }
        zones = Optional.of(p);
      }
    }
    return new LocalPipelineConfig(
        mode,
        replay,
        rate,
        speed,
        timeMode,
        maxEvents,
        seed,
        zones,
        duration,
        progress,
        partitions,
        version,
        workDir,
        servicesOnly,
        reprocess,
        reprocessZoneWindow);
  }

  /** Whether the producer stops by itself (replay, or a bounded synthetic run). */
  public boolean producerIsFinite() {
    return mode.equals("replay") || maxEvents > 0;
  }

  private static Path existingFile(String flag, String value) {
    Path p = Paths.get(value).toAbsolutePath().normalize();
    if (!Files.isRegularFile(p)) {
      throw new UsageException(flag + ": no such file " + p);
    }
    return p;
  }

  private static double parseDouble(String flag, String value) {
    try {
      double d = Double.parseDouble(value);
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " needs a number, not '" + value + "'");
    }
  }

  private static long parseLong(String flag, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " needs an integer, not '" + value + "'");
    }
  }
}
