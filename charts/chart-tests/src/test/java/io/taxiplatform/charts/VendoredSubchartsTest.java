package io.taxiplatform.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real chart with its real subcharts: only when a user has run {@code helm dependency build
 * charts/taxi-platform} (needs the chart repositories, unreachable in this project's CI). Every
 * scenario renders, every built-in object parses strictly, and every custom resource whose CRD is
 * known validates.
 */
class VendoredSubchartsTest {

  @Test
  void realChartWithSubchartsRendersAndParses() {
    assumeTrue(
        ChartRenderer.allSubchartsVendored(),
        "subcharts not vendored in charts/taxi-platform/charts (missing: "
            + ChartRenderer.missingSubcharts()
            + "); `helm dependency build charts/taxi-platform` needs the chart repositories, which are not reachable here");
    CrdValidator crds = CrdValidator.load();
    for (Scenarios.Scenario s : Scenarios.all()) {
      {
        ChartRenderer.Rendered r =
            ChartRenderer.renderVendored(s.profile(), s.valuesFile(), s.sets());
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> o : r.objects()) {
          try {
            if (StrictKubernetes.isBuiltInApi(o)) {
              StrictKubernetes.modelOf(o).ifPresent(type -> StrictKubernetes.parse(o, type));
            } else if (crds.knows(o)) {
              crds.validate(o)
                  .forEach(
                      m ->
                          problems.add(
                              o.get("kind") + " " + ChartRenderer.Rendered.name(o) + ": " + m));
            }
          } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
          }
        }
        assertThat(problems).as(s.label()).isEmpty();
        if (s.label().equals("operators-only")) {
          assertThat(r.ofKind("Deployment"))
              .as("operator Deployments rendered from the subcharts")
              .hasSizeGreaterThanOrEqualTo(3);
        }
      }
    }
  }
}
