package io.taxiplatform.producer;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.taxiplatform.config.CassandraSettings;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Opens a {@link CqlSession} from {@link CassandraSettings} (check and smoke modes). */
final class CassandraSessions {

  private CassandraSessions() {}

  static CqlSession open(CassandraSettings s) throws Exception {
    CqlSessionBuilder b =
        CqlSession.builder()
            .withLocalDatacenter(s.localDc())
            .withConfigLoader(
                DriverConfigLoader.programmaticBuilder()
                    .withDuration(
                        DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                    .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                    .withDuration(
                        DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
                    .build());
    for (InetSocketAddress a : s.contactPointAddresses()) {
      b.addContactPoint(new InetSocketAddress(a.getHostString(), a.getPort()));
    }
    if (s.username() != null) {
      b.withAuthCredentials(s.username(), s.password() == null ? "" : s.password());
    }
    if (s.sslEnabled()) {
      b.withSslContext(sslContext(s));
    }
    return b.build();
  }

  private static SSLContext sslContext(CassandraSettings s) throws Exception {
    if (s.truststorePath() == null) {
      return SSLContext.getDefault();
    }
    Path p = Path.of(s.truststorePath());
    String type = p.toString().endsWith(".jks") ? "JKS" : "PKCS12";
    KeyStore ks = KeyStore.getInstance(type);
    try (InputStream in = Files.newInputStream(p)) {
      ks.load(in, s.truststorePassword() == null ? null : s.truststorePassword().toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
