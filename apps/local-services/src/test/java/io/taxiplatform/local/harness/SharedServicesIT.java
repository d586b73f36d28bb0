package io.taxiplatform.local.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.taxiplatform.local.FreePorts;
import io.taxiplatform.local.SharedServices;
import org.junit.jupiter.api.Test;

/** The shared services are started once per test JVM and are usable. */
class SharedServicesIT {

  @Test
  void everyCallerGetsTheSameRunningNodes() {
    assertThat(SharedServices.kafka()).isSameAs(SharedServices.kafka());
    assertThat(SharedServices.cassandra()).isSameAs(SharedServices.cassandra());

    assertThat(SharedServices.kafka().process().isAlive()).isTrue();
    assertThat(FreePorts.isListening(SharedServices.kafka().port())).isTrue();
    assertThat(
            SharedServices.cassandra()
                .session()
                .execute("SELECT release_version FROM system.local")
                .one()
                .getString("release_version"))
        .startsWith("5.0.");
  }
}
