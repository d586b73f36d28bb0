package io.taxiplatform.streaming;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CQL script on the classpath (the job's DDL in {@code src/main/resources/cql}), split into
 * statements and rendered with {@code ${name}} placeholders.
 *
 * <p>Splitting follows CQL's lexical rules: statements end at {@code ;} outside string literals
 * ({@code '...'}, {@code ''} inside) and quoted identifiers ({@code "..."}); comments ({@code --}
 * and {@code //} to the end of the line, {@code /* ... *}{@code /}) are dropped; runs of whitespace
 * become one space, and none is kept after {@code (} or before {@code )}, so a script laid out over
 * several lines renders as the one-line statement the driver logs. Placeholders are replaced after
 * splitting, so a value (e.g. a replication map) cannot add or end a statement.
 */
final class CqlScript {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");

  private CqlScript() {}

  /**
   * The statements of the classpath resource, with every placeholder replaced.
   *
   * @throws IllegalStateException when the resource is missing or unreadable, has an unclosed
   *     string, identifier or comment, or uses a placeholder {@code values} does not name
   */
  static List<String> render(String resource, Map<String, String> values) {
    List<String> out = new ArrayList<>();
    for (String statement : split(read(resource), resource)) {
      Matcher m = PLACEHOLDER.matcher(statement);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String value = values.get(m.group(1));
        if (value == null) {
          throw new IllegalStateException(
              resource
                  + ": placeholder ${"
                  + m.group(1)
                  + "} has no value (known: "
                  + values.keySet()
                  + ")");
        }
        m.appendReplacement(sb, Matcher.quoteReplacement(value));
      }
      m.appendTail(sb);
      out.add(sb.toString());
    }
    return List.copyOf(out);
  }

  static String read(String resource) {
    try (InputStream in = CqlScript.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + ": no such resource on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /**
   * The statements of {@code script} (without their {@code ;}); {@code source} names it in errors.
   */
  static List<String> split(String script, String source) {
    List<String> statements = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean space = false;
    int n = script.length();
    int i = 0;
    while (i < n) {
      char c = script.charAt(i);
      char next = i + 1 < n ? script.charAt(i + 1) : 0;
      if ((c == '-' && next == '-') || (c == '/' && next == '/')) {
        while (i < n && script.charAt(i) != '\n') {
          i++;
        }
        space = true;
      } else if (c == '/' && next == '*') {
        int end = script.indexOf("*/", i + 2);
        if (end < 0) {
          throw new IllegalStateException(source + ": unclosed /* comment at " + lineOf(script, i));
        }
        i = end + 2;
        space = true;
      } else if (Character.isWhitespace(c)) {
        i++;
        space = true;
      } else if (c == ';') {
        addStatement(statements, cur);
        i++;
        space = false;
      } else {
        if (space && cur.length() > 0 && cur.charAt(cur.length() - 1) != '(' && c != ')') {
          cur.append(' ');
        }
        space = false;
        if (c == '\'' || c == '"') {
          int end = script.indexOf(c, i + 1);
          if (end < 0) {
            throw new IllegalStateException(
                source + ": unclosed " + c + " at " + lineOf(script, i));
          }
          // '' inside a string (or "" inside an identifier) is two adjacent quoted parts
          cur.append(script, i, end + 1);
          i = end + 1;
        } else {
          cur.append(c);
          i++;
        }
      }
    }
    addStatement(statements, cur);
    return statements;
  }

  private static void addStatement(List<String> statements, StringBuilder cur) {
    if (cur.length() > 0) {
      statements.add(cur.toString());
      cur.setLength(0);
    }
  }

  private static String lineOf(String script, int index) {
    int line = 1;
    for (int i = 0; i < index; i++) {
      if (script.charAt(i) == '\n') {
        line++;
      }
    }
    return "line " + line;
  }
}
