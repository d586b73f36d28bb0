package io.taxiplatform.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZoneLookupTest {

  @TempDir Path dir;

  @Test
  void parsesQuotedTlcFormatWithCommasInsideQuotes() {
    ZoneLookup z =
        ZoneLookup.parse(
            List.of(
                "\uFEFF\"LocationID\",\"Borough\",\"Zone\",\"service_zone\"",
                "1,\"EWR\",\"Newark Airport\",\"EWR\"",
                "56,\"Queens\",\"Corona\",\"Boro Zone\"",
                "999,\"Manhattan\",\"Some \"\"quoted\"\", place, with commas\",\"Yellow Zone\"",
                "264,\"Unknown\",\"\",\"N/A\"",
                ""),
            "test.csv");
    assertThat(z.zones()).containsOnlyKeys(1, 56, 999, 264);
    assertThat(z.zones().get(1)).isEqualTo(new ZoneLookup.Zone(1, "EWR", "Newark Airport"));
    assertThat(z.zones().get(999).name()).isEqualTo("Some \"quoted\", place, with commas");
    assertThat(z.zones().get(264).name()).isEqualTo(ZoneLookup.UNKNOWN);
  }

  @Test
  void badFilesFailWithFileAndLine() {
    assertThatThrownBy(
            () ->
                ZoneLookup.parse(
                    List.of("\"LocationID\",\"Borough\",\"Zone\"", "x,\"Q\",\"Z\""), "f.csv"))
        .hasMessageContaining("f.csv:2")
        .hasMessageContaining("not an integer");
    assertThatThrownBy(
            () ->
                ZoneLookup.parse(List.of("\"id\",\"Borough\",\"Zone\"", "1,\"Q\",\"Z\""), "f.csv"))
        .hasMessageContaining("locationid");
    assertThatThrownBy(
            () -> ZoneLookup.parse(List.of("LocationID,Borough,Zone", "1,Q,Z", "1,Q,Y"), "f.csv"))
        .hasMessageContaining("appears twice");
    assertThatThrownBy(
            () -> ZoneLookup.parse(List.of("LocationID,Borough,Zone", "1,Q,Z", "2,\"Q,Z"), "f.csv"))
        .hasMessageStartingWith("f.csv:3: not a CSV line (")
        .hasMessageContaining("Unclosed quoted field");
    assertThatThrownBy(() -> ZoneLookup.read(Path.of("/no/such/lookup.csv")))
        .hasMessageContaining("ZONE_LOOKUP_PATH");
  }

  @Test
  void theShippedTlcLookupHasEveryZoneWithItsBorough() {
    ZoneLookup z = ZoneLookup.read(Path.of(ZoneLookup.SHIPPED));
    assertThat(z.zones()).hasSize(265);
    assertThat(z.zones().keySet())
        .isEqualTo(IntStream.rangeClosed(1, 265).boxed().collect(Collectors.toSet()));
    assertThat(z.zones().values())
        .extracting(ZoneLookup.Zone::borough)
        .containsOnly(
            "EWR", "Queens", "Bronx", "Manhattan", "Staten Island", "Brooklyn", "Unknown");
    assertThat(
            z.zones().values().stream().filter(zone -> zone.borough().equals("Manhattan")).count())
        .isEqualTo(69);
    assertThat(z.zones().get(1)).isEqualTo(new ZoneLookup.Zone(1, "EWR", "Newark Airport"));
    assertThat(z.zones().get(132)).isEqualTo(new ZoneLookup.Zone(132, "Queens", "JFK Airport"));
    assertThat(z.zones().get(237))
        .isEqualTo(new ZoneLookup.Zone(237, "Manhattan", "Upper East Side South"));
  }

  @Test
  void zoneLookupPathReadsTheShippedResourceOrAFile() throws Exception {
    // The default of ZONE_LOOKUP_PATH names the shipped resource.
    assertThat(ZoneLookup.read(Path.of(ZoneLookup.SHIPPED)).zones())
        .isEqualTo(ZoneLookup.read(Path.of(ZoneLookup.SHIPPED)).zones());
    assertThatThrownBy(() -> ZoneLookup.read(Path.of("classpath:no_such_lookup.csv")))
        .hasMessageContaining("ZONE_LOOKUP_PATH classpath:no_such_lookup.csv")
        .hasMessageContaining("no such resource");
    Path file =
        Files.writeString(dir.resolve("zones.csv"), "LocationID,Borough,Zone\n7,Queens,Astoria\n");
    assertThat(ZoneLookup.read(file).zones()).containsOnlyKeys(7);
  }

  @Test
  void theShippedLookupEqualsTheTestDataCopyWhenPresent() throws Exception {
    // An optional second copy of the TLC file beside the repository (test data on the build
    // machines).
    Path file = TestData.shared("taxi_zone_lookup.csv");
    assumeTrue(Files.isRegularFile(file), "no test-data copy of taxi_zone_lookup.csv at " + file);
    assertThat(ZoneLookup.read(file).zones())
        .isEqualTo(ZoneLookup.read(Path.of(ZoneLookup.SHIPPED)).zones());
  }
}
