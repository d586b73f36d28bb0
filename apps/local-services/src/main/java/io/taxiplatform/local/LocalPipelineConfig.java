package io.taxiplatform.local;

import io.taxiplatform.config.Cli;
import io.taxiplatform.config.HelpRequested;
import io.taxiplatform.config.SparkDuration;
import io.taxiplatform.config.UsageException;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of {@link LocalPipeline}, declared once in {@link Options} (picocli: flag, default,
 * description; {@code --zones} also reads {@code ZONE_LOOKUP_PATH}); the usage is generated from
 * them and docs/local-mode.md's table is checked against them.
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
 * @param classDataSharing start Kafka, Cassandra and the job with class-data archives, built in the
 *     background on the first run of a build ({@link ClassDataArchives}); off with {@code --no-cds}
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
    Optional<String> reprocessZoneWindow,
    boolean classDataSharing) {

  public LocalPipelineConfig {
    replayFiles = List.copyOf(replayFiles);
  }

  /** Local mode's options, each declared once. */
  @Command(
      name = "LocalPipeline",
      description = {
        "Starts Kafka (KRaft), Cassandra and the streaming job (Spark local[2]) on 127.0.0.1, runs",
        "the producer and prints progress. Ctrl-C stops everything."
      })
  public static final class Options {
    @Spec CommandSpec spec;

    @Option(
        names = "--replay",
        paramLabel = "FILE[,FILE]",
        defaultValue = "",
        description = "replay TLC yellow-trip files (.csv or .parquet) instead of synthetic trips")
    String replay;

    @Option(
        names = "--rate",
        paramLabel = "N",
        defaultValue = "1000",
        description = "target events/s; 0 = as fast as possible")
    String rate;

    @Option(
        names = "--speed",
        paramLabel = "N",
        defaultValue = "",
        description = "replay at N x the original timeline (exclusive with --rate)")
    String speed;

    @Option(
        names = "--time-mode",
        paramLabel = "original|now",
        defaultValue = "original",
        description =
            "replay: original, or now: shift event times so the first trip ends now (later trips"
                + " then lie ahead of the clock unless --speed 1)")
    String timeMode;

    @Option(
        names = "--max-events",
        paramLabel = "N",
        defaultValue = "0",
        description = "stop producing after N events; 0 = no limit")
    String maxEvents;

    @Option(
        names = "--seed",
        paramLabel = "N",
        defaultValue = "",
        description = "synthetic generator seed (default: random)")
    String seed;

    @Option(
        names = "--zones",
        paramLabel = "FILE",
        defaultValue = "${env:ZONE_LOOKUP_PATH:-}",
        description =
            "a TLC taxi_zone_lookup.csv to use instead of the one shipped with the streaming job")
    String zones;

    @Option(
        names = "--duration",
        paramLabel = "SECONDS",
        defaultValue = "",
        description = "stop after this long (default: until Ctrl-C)")
    String duration;

    @Option(
        names = "--progress",
        paramLabel = "SECONDS",
        defaultValue = "5",
        description = "progress interval")
    String progress;

    @Option(
        names = "--partitions",
        paramLabel = "N",
        defaultValue = "4",
        description = "partitions of the trips topic, 1..64")
    String partitions;

    @Option(
        names = "--pipeline-version",
        paramLabel = "V",
        defaultValue = "v1",
        description = "PIPELINE_VERSION of the job")
    String pipelineVersion;

    @Option(
        names = "--reprocess",
        paramLabel = "V",
        defaultValue = "",
        description =
            "once the first version has written windows, start a second job, version V, beside"
                + " it: it reprocesses the topic from the earliest offset into its own tables and"
                + " checkpoint (Kappa reprocessing); progress shows its lag")
    String reprocess;

    @Option(
        names = "--reprocess-zone-window",
        paramLabel = "D",
        defaultValue = "",
        description = "ZONE_WINDOW of version V, e.g. \"10 minutes\" (default: the job's)")
    String reprocessZoneWindow;

    @Option(
        names = "--work-dir",
        paramLabel = "DIR",
        defaultValue = "",
        description = "where logs, checkpoints and data go (default <repo>/.local)")
    String workDir;

    @Option(
        names = "--services-only",
        description = "start only Kafka and Cassandra, print their addresses, wait for Ctrl-C")
    boolean servicesOnly;

    @Option(
        names = "--no-cds",
        description =
            "start the services without class-data archives (by default the first run of a build"
                + " archives their classes under <work dir>/cds for faster starts)")
    boolean noCds;

    @Mixin Cli.Help help;

    boolean given(String flag) {
      return spec.commandLine().getParseResult().hasMatchedOption(flag);
    }
  }

  /** Help text, generated from {@link Options}. */
  public static final String USAGE = Cli.usage(new Options(), List.of());

  /**
   * Parses flags ({@code --flag value} or {@code --flag=value}; blank arguments are ignored);
   * {@code env} supplies {@code ZONE_LOOKUP_PATH}.
   *
   * @throws UsageException for a bad flag
   * @throws HelpRequested for {@code --help}
   */
  public static LocalPipelineConfig parse(String[] args, Map<String, String> env) {
    String[] given = java.util.Arrays.stream(args).filter(a -> !a.isBlank()).toArray(String[]::new);
    Options o = Cli.parse(new Options(), env, given);
    String mode = "synthetic";
    List<Path> replay = new ArrayList<>();
    if (o.given("--replay")) {
      mode = "replay";
      for (String part : o.replay.split(",")) {
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
    double rate = parseDouble("--rate", o.rate);
    if (rate < 0) {
      throw new UsageException("--rate must be >= 0");
    }
    boolean rateGiven = o.given("--rate");
    Optional<Double> speed = Optional.empty();
    if (!o.speed.isBlank()) {
      double sp = parseDouble("--speed", o.speed);
      if (sp <= 0) {
        throw new UsageException("--speed must be > 0");
      }
      speed = Optional.of(sp);
    }
    String timeMode = o.timeMode;
    if (!timeMode.equals("now") && !timeMode.equals("original")) {
      throw new UsageException("--time-mode must be 'now' or 'original', not '" + timeMode + "'");
    }
    long maxEvents = parseLong("--max-events", o.maxEvents);
    if (maxEvents < 0) {
      throw new UsageException("--max-events must be >= 0");
    }
    OptionalLong seed =
        o.seed.isBlank() ? OptionalLong.empty() : OptionalLong.of(parseLong("--seed", o.seed));
    Optional<Duration> duration = Optional.empty();
    if (!o.duration.isBlank()) {
      long sec = parseLong("--duration", o.duration);
      if (sec <= 0) {
        throw new UsageException("--duration must be > 0 seconds");
      }
      duration = Optional.of(Duration.ofSeconds(sec));
    }
    long progressSeconds = parseLong("--progress", o.progress);
    if (progressSeconds <= 0) {
      throw new UsageException("--progress must be > 0 seconds");
    }
    long p = parseLong("--partitions", o.partitions);
    if (p < 1 || p > 64) {
      throw new UsageException("--partitions must be between 1 and 64");
    }
    String version = o.pipelineVersion;
    if (!version.matches("[a-z0-9_]+")) {
      throw new UsageException("--pipeline-version must match [a-z0-9_]+");
    }
    Optional<Path> workDir =
        o.workDir.isBlank()
            ? Optional.empty()
            : Optional.of(Paths.get(o.workDir).toAbsolutePath().normalize());
    Optional<String> reprocess = Optional.empty();
    if (!o.reprocess.isEmpty()) {
      if (!o.reprocess.matches("[a-z0-9_]+")) {
        throw new UsageException("--reprocess must match [a-z0-9_]+");
      }
      reprocess = Optional.of(o.reprocess);
    }
    Optional<String> reprocessZoneWindow = Optional.empty();
    if (o.given("--reprocess-zone-window")) {
      try {
        SparkDuration.parse("--reprocess-zone-window", o.reprocessZoneWindow).positive();
      } catch (UsageException e) {
        throw new UsageException(
            "--reprocess-zone-window needs '<n> <unit>' (a duration: ms, seconds, minutes, "
                + "hours, days), not '"
                + o.reprocessZoneWindow
                + "'");
      }
      reprocessZoneWindow = Optional.of(o.reprocessZoneWindow);
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
    Optional<Path> zones = Optional.empty();
    if (!o.zones.isBlank()) {
      Path z = Paths.get(o.zones.trim()).toAbsolutePath().normalize();
      if (!Files.isRegularFile(z)) {
        throw new UsageException(
            o.given("--zones")
                ? "--zones: no such file " + z
                : "ZONE_LOOKUP_PATH=" + o.zones + " is not a file");
      }
      zones = Optional.of(z);
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
        Duration.ofSeconds(progressSeconds),
        (int) p,
        version,
        workDir,
        o.servicesOnly,
        reprocess,
        reprocessZoneWindow,
        !o.noCds);
  }

  /** Whether the producer stops by itself (replay, or a bounded synthetic run). */
  public boolean producerIsFinite() {
    return mode.equals("replay") || maxEvents > 0;
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
