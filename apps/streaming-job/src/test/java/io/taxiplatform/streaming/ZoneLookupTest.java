package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZoneLookupTest {

  @Test
  void parsesQuotedTlcFormatWithCommasInsideQuotes() {
    ZoneLookup z = ZoneLookup.parse(List.of(
        "\uFEFF\"LocationID\",\"Borough\",\"Zone\",\"service_zone\"",
        "1,\"EWR\",\"Newark Airport\",\"EWR\"",
        "56,\"Queens\",\"Corona\",\"Boro Zone\"",
        "999,\"Manhattan\",\"Some \"\"quoted\"\", place, with commas\",\"Yellow Zone\"",
        "264,\"Unknown\",\"\",\"N/A\"",
        ""), "test.csv");
    assertThat(z.zones()).containsOnlyKeys(1, 56, 999, 264);
    assertThat(z.zones().get(1)).isEqualTo(new ZoneLookup.Zone(1, "EWR", "Newark Airport"));
    assertThat(z.zones().get(999).name()).isEqualTo("Some \"quoted\", place, with commas");
    assertThat(z.zones().get(264).name()).isEqualTo(ZoneLookup.UNKNOWN);
  }

  @Test
  void badFilesFailWithFileAndLine() {
    assertThatThrownBy(() -> ZoneLookup.parse(List.of("\"LocationID\",\"Borough\",\"Zone\"", "x,\"Q\",\"Z\""), "f.csv"))
        .hasMessageContaining("f.csv:2").hasMessageContaining("not an integer");
    assertThatThrownBy(() -> ZoneLookup.parse(List.of("\"id\",\"Borough\",\"Zone\"", "1,\"Q\",\"Z\""), "f.csv"))
        .hasMessageContaining("locationid");
    assertThatThrownBy(() -> ZoneLookup.parse(List.of("LocationID,Borough,Zone", "1,Q,Z", "1,Q,Y"), "f.csv"))
        .hasMessageContaining("appears twice");
    assertThatThrownBy(() -> ZoneLookup.read(Path.of("/no/such/lookup.csv")))
        .hasMessageContaining("ZONE_LOOKUP_PATH");
  }

  @Test
  void readsTheRealTlcLookupWhenPresent() {
    Path file = TestData.shared("taxi_zone_lookup.csv");
    assumeTrue(Files.isRegularFile(file), "../shared/data/taxi_zone_lookup.csv is absent (" + file + ")");
    ZoneLookup z = ZoneLookup.read(file);
    assertThat(z.zones()).hasSize(265);
    assertThat(z.zones().get(132).name()).isEqualTo("JFK Airport");
    assertThat(z.zones().get(132).borough()).isEqualTo("Queens");
  }
}
