package io.taxiplatform.charts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Names read from docs/contracts.md and the root pom.xml (never hard-coded in the tests). */
public final class Contracts {

  private Contracts() {}

  public static String contractsText() {
    try {
      return Files.readString(ChartRenderer.repoRoot().resolve("docs/contracts.md"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every environment variable name of the contracts' "Environment variables" section. */
  public static Set<String> envVarNames() {
    String text = contractsText();
    int start = text.indexOf("## Environment variables");
    int end = text.indexOf("\n## ", start + 5);
    String section = text.substring(start, end < 0 ? text.length() : end);
    Set<String> names = new LinkedHashSet<>();
    Matcher m = Pattern.compile("`([A-Z][A-Z0-9_]{2,})`").matcher(section);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The default image reference of a contracts "Images" table row (producer, streaming job). */
  public static String imageReference(String row) {
    String text = contractsText();
    int images = text.indexOf("## Images");
    Matcher m =
        Pattern.compile("\\| " + Pattern.quote(row) + " \\| `([^`]+)`")
            .matcher(text.substring(images));
    if (!m.find()) {
      throw new AssertionError("no image row '" + row + "' in docs/contracts.md");
    }
    return m.group(1);
  }

  /** A backticked value that follows a marker in contracts.md (e.g. the mainApplicationFile). */
  public static String firstBacktickedAfter(String marker) {
    String text = contractsText();
    int i = text.indexOf(marker);
    if (i < 0) {
      throw new AssertionError("'" + marker + "' not in docs/contracts.md");
    }
    Matcher m = Pattern.compile("`([^`]+)`").matcher(text.substring(i + marker.length()));
    if (!m.find()) {
      throw new AssertionError("no value after '" + marker + "'");
    }
    return m.group(1);
  }

  /** A property of the root pom.xml. */
  public static String pomProperty(String name) {
    try {
      Path pom = ChartRenderer.repoRoot().resolve("pom.xml");
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document d = f.newDocumentBuilder().parse(pom.toFile());
      Element props = (Element) d.getDocumentElement().getElementsByTagName("properties").item(0);
      var nodes = props.getElementsByTagName(name);
      if (nodes.getLength() == 0) {
        throw new AssertionError("no property " + name + " in pom.xml");
      }
      return nodes.item(0).getTextContent().trim();
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read pom.xml", e);
    }
  }
}
