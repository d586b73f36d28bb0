package io.taxiplatform.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * values.yaml documents every key: a key is documented when a comment line directly precedes it or
 * precedes one of its ancestors (a documented `resources:` documents its requests/limits).
 */
class ValuesDocumentationTest {

  private static final Pattern KEY = Pattern.compile("^(\\s*)([A-Za-z0-9_.\\-]+):");

  record Key(int indent, String name, boolean documented) {}

  static List<String> undocumented(List<String> lines) {
    List<String> missing = new ArrayList<>();
    Deque<Key> stack = new ArrayDeque<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String trimmed = line.strip();
      Matcher m = KEY.matcher(line);
      if (trimmed.startsWith("#") || trimmed.startsWith("-") || !m.find()) {
        continue;
      }
      int indent = m.group(1).length();
      int j = i - 1;
      while (j >= 0 && lines.get(j).isBlank()) {
        j--;
      }
      boolean documented = j >= 0 && lines.get(j).strip().startsWith("#");
      while (!stack.isEmpty() && stack.peek().indent() >= indent) {
        stack.pop();
      }
      boolean ancestorDocumented = stack.stream().anyMatch(Key::documented);
      stack.push(new Key(indent, m.group(2), documented));
      if (!documented && !ancestorDocumented) {
        List<String> path = new ArrayList<>();
        stack.descendingIterator().forEachRemaining(k -> path.add(k.name()));
        missing.add("line " + (i + 1) + ": " + String.join(".", path));
      }
    }
    return missing;
  }

  @Test
  void everyKeyOfValuesYamlIsDocumented() throws Exception {
    List<String> lines = Files.readAllLines(ChartRenderer.chartDir().resolve("values.yaml"));
    assertThat(undocumented(lines)).isEmpty();
  }

  @Test
  void theCheckFindsAnUndocumentedKey() {
    List<String> lines =
        List.of("# -- documented", "a:", "  b: 1", "c:", "  d: 2", "  # -- e", "  e: 3");
    assertThat(undocumented(lines)).containsExactly("line 4: c", "line 5: c.d");
  }
}
