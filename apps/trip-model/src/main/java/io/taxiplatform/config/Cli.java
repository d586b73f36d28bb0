package io.taxiplatform.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The apps' one command-line layer, on picocli. An app declares each option once, as a picocli
 * {@code @Option} whose {@code defaultValue} names its environment variable and default in
 * picocli's own notation, {@code "${env:PRODUCER_RATE:-0}"} ({@code "${env:PRODUCER_SEED:-}"}: no
 * default). A flag wins over the variable, the variable over the default; a blank variable counts
 * as unset. The environment is a map ({@link #parse}), so tests need no real environment: picocli's
 * own variable interpolation is off, and a default value provider reads the map. Secrets are not
 * options: see {@link Secrets}.
 */
public final class Cli {

  private static final Pattern ENV_DEFAULT =
      Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)(?::-(.*))?}", Pattern.DOTALL);

  private Cli() {}

  /**
   * What an option declares.
   *
   * @param flag its longest name ({@code --rate})
   * @param label its parameter label ({@code N}), empty for a boolean switch
   * @param variable its environment variable, or {@code null}
   * @param defaultValue its default ({@code ""}: none)
   * @param description its description, one line
   */
  public record Declared(
      String flag, String label, String variable, String defaultValue, String description) {}

  /** The {@code -h}/{@code --help} option every app has: {@code @Mixin Cli.Help help;}. */
  public static final class Help {
    @CommandLine.Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "this text")
    boolean help;
  }

  /** The environment variable and default of an option declared {@code ${env:NAME:-default}}. */
  static Optional<String[]> envDefault(ArgSpec arg) {
    String raw = arg.defaultValue();
    if (raw == null) {
      return Optional.empty();
    }
    Matcher m = ENV_DEFAULT.matcher(raw);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new String[] {m.group(1), m.group(2) == null ? "" : m.group(2)});
  }

  /** A picocli command line whose defaults come from {@code env}. */
  public static CommandLine commandLine(Object command, Map<String, String> env) {
    CommandLine cl = new CommandLine(command);
    cl.setInterpolateVariables(false);
    cl.setDefaultValueProvider(
        arg ->
            envDefault(arg)
                .map(
                    d -> {
                      String v = env.get(d[0]);
                      return v == null || v.isBlank() ? d[1] : v;
                    })
                .orElse(null));
    return cl;
  }

  /**
   * Fills {@code command}'s options from {@code args}, then {@code env}, then the declared
   * defaults.
   *
   * @throws UsageException for an unknown flag or a flag without its value (picocli's message)
   * @throws HelpRequested for {@code --help} / {@code -h}
   */
  public static <T> T parse(T command, Map<String, String> env, String[] args) {
    CommandLine cl = commandLine(command, env);
    try {
      cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new UsageException(e.getMessage());
    }
    if (cl.isUsageHelpRequested()) {
      throw new HelpRequested();
    }
    return command;
  }

  /** Every option of {@code command} (its mixins included) as declared, in declaration order. */
  public static List<Declared> declared(Object command) {
    CommandSpec spec = commandLine(command, Map.of()).getCommandSpec();
    List<Declared> out = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (o.usageHelp() || o.versionHelp()) {
        continue;
      }
      Optional<String[]> d = envDefault(o);
      String label = o.arity().max() == 0 ? "" : o.paramLabel();
      out.add(
          new Declared(
              o.longestName(),
              label,
              d.map(x -> x[0]).orElse(null),
              d.map(x -> x[1]).orElse(o.defaultValue() == null ? "" : o.defaultValue()),
              String.join(" ", o.description())));
    }
    return out;
  }

  /**
   * The usage text of a program that takes no arguments: its environment variables, defaults and
   * descriptions, then its secrets.
   */
  public static String environmentUsage(Object command, List<Secrets.Secret> secrets) {
    CommandSpec spec = commandLine(command, Map.of()).getCommandSpec();
    StringBuilder b = new StringBuilder();
    b.append("Usage: ").append(spec.name()).append(" (no arguments)\n");
    for (String line : spec.usageMessage().description()) {
      b.append("  ").append(line).append('\n');
    }
    b.append("Environment:\n");
    for (Declared d : declared(command)) {
      b.append("  ").append(d.variable());
      if (!d.defaultValue().isEmpty()) {
        b.append(" (default: ").append(d.defaultValue()).append(')');
      }
      b.append(": ").append(d.description()).append('\n');
    }
    appendSecrets(b, secrets);
    return b.toString();
  }

  /**
   * The usage text generated from the declarations: a header, each option with its variable and
   * default, then the secrets, read from the environment only.
   */
  public static String usage(Object command, List<Secrets.Secret> secrets) {
    CommandSpec spec = commandLine(command, Map.of()).getCommandSpec();
    StringBuilder b = new StringBuilder();
    b.append("Usage: ").append(spec.name()).append(" [options]\n");
    for (String line : spec.usageMessage().description()) {
      b.append("  ").append(line).append('\n');
    }
    b.append("Options (each also read from its environment variable; a flag wins):\n");
    for (Declared d : declared(command)) {
      b.append("  ").append(d.flag());
      if (!d.label().isEmpty()) {
        b.append(' ').append(d.label());
      }
      b.append("\n      ");
      if (d.variable() != null) {
        b.append(d.variable());
        if (!d.defaultValue().isEmpty()) {
          b.append(" (default: ").append(d.defaultValue()).append(')');
        }
        b.append(": ");
      } else if (!d.defaultValue().isEmpty()) {
        b.append("(default: ").append(d.defaultValue()).append(") ");
      }
      b.append(d.description()).append('\n');
    }
    b.append("  -h, --help\n      this text\n");
    appendSecrets(b, secrets);
    for (String line : spec.usageMessage().footer()) {
      b.append(line).append('\n');
    }
    return b.toString();
  }

  private static void appendSecrets(StringBuilder b, List<Secrets.Secret> secrets) {
    if (!secrets.isEmpty()) {
      b.append("Secrets (environment only, never a flag; never printed):\n");
      for (Secrets.Secret s : secrets) {
        b.append("  ").append(s.variable()).append(": ").append(s.description()).append('\n');
      }
    }
  }
}
