package io.taxiplatform.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A duration in Spark's interval style, the one grammar of every duration the apps read ({@code
 * ZONE_WINDOW}, {@code WATERMARK_DELAY}, {@code PRODUCER_PERIOD_TOLERANCE}, {@code
 * CASSANDRA_ACCESS_TIMEOUT}, ...) and of the chart's schema ({@code values.schema.json}, whose
 * patterns a test checks against {@link #GRAMMAR}): a whole number, optional blanks, a unit: {@code
 * ms}/{@code millisecond(s)}, {@code s}/{@code sec(s)}/{@code second(s)}, {@code m}/{@code
 * min(s)}/{@code minute(s)}, {@code h}/{@code hour(s)}, {@code d}/{@code day(s)}, in lower case (as
 * Spark writes them; the schema's patterns cannot ignore case). Zero is a duration; {@link
 * #positive()} refuses it where it makes no sense.
 *
 * @param name the variable it was read from (for messages)
 * @param text normalised for Spark: {@code "<n> seconds"} or {@code "<n> milliseconds"}
 * @param duration the value
 */
public record SparkDuration(String name, String text, Duration duration) implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * The grammar, as a regular expression that means the same in Java and in JSON Schema (ECMA 262);
   * the chart's schema anchors it with {@code ^...$}.
   */
  public static final String GRAMMAR =
      "\\s*([0-9]+)\\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?)\\s*";

  private static final Pattern FORM = Pattern.compile(GRAMMAR);
  private static final Pattern UNKNOWN_UNIT = Pattern.compile("\\s*[0-9]+\\s*([a-zA-Z]+)\\s*");

  /**
   * Parses {@code text}.
   *
   * @throws UsageException naming {@code name}
   */
  public static SparkDuration parse(String name, String text) {
    String t = text == null ? "" : text;
    Matcher m = FORM.matcher(t);
    if (!m.matches()) {
      Matcher u = UNKNOWN_UNIT.matcher(t);
      if (u.matches()) {
        throw new UsageException(
            name
                + ": unknown unit '"
                + u.group(1)
                + "' in '"
                + text
                + "' (use ms, s, seconds, m, minutes, h, hours, d or days)");
      }
      throw new UsageException(name + " must look like '10 minutes', got '" + text + "'");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new UsageException(name + ": too large: '" + text + "'");
    }
    Duration d =
        switch (m.group(2)) {
          case "ms", "millisecond", "milliseconds" -> Duration.ofMillis(n);
          case "s", "sec", "secs", "second", "seconds" -> Duration.ofSeconds(n);
          case "m", "min", "mins", "minute", "minutes" -> Duration.ofMinutes(n);
          case "h", "hour", "hours" -> Duration.ofHours(n);
          case "d", "day", "days" -> Duration.ofDays(n);
          default -> throw new IllegalStateException("unit outside the grammar: " + m.group(2));
        };
    // Spark's interval parser wants the long unit names; normalise so both sides agree.
    return new SparkDuration(
        name,
        d.toMillis() % 1000 != 0 ? d.toMillis() + " milliseconds" : d.getSeconds() + " seconds",
        d);
  }

  /**
   * This duration, if it is not zero.
   *
   * @throws UsageException naming the variable
   */
  public SparkDuration positive() {
    if (duration.isZero()) {
      throw new UsageException(name + " must be positive");
    }
    return this;
  }

  @Override
  public String toString() {
    return text;
  }
}
