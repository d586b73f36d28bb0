package io.taxiplatform.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * TLS material generated for one test run with the JDK's {@code keytool}: a self-signed CA (basic
 * constraints CA:true), a server key pair whose certificate that CA signs for {@code 127.0.0.1} and
 * {@code localhost} (SAN, server authentication), the server keystore (key, certificate and CA
 * chain) and a client truststore holding the CA only, all PKCS12 with random passwords. Valid for 2
 * days; nothing leaves {@link #dir()}.
 *
 * @param dir the directory of the files
 * @param keystore the server's PKCS12 keystore (key + chain)
 * @param keystorePassword its password (also the key's password)
 * @param truststore the clients' PKCS12 truststore (the CA certificate)
 * @param truststorePassword its password
 * @param caCertificate the CA certificate (PEM)
 */
public record LocalTls(
    Path dir,
    Path keystore,
    String keystorePassword,
    Path truststore,
    String truststorePassword,
    Path caCertificate) {

  /** Generates the CA, the server certificate and both stores in a new work directory. */
  public static LocalTls generate() {
    Path dir = LocalPaths.newWorkDir("tls");
    String caPass = UUID.randomUUID().toString();
    String serverPass = UUID.randomUUID().toString();
    String trustPass = UUID.randomUUID().toString();
    Path ca = dir.resolve("ca.p12");
    Path caPem = dir.resolve("ca.pem");
    Path server = dir.resolve("server-keystore.p12");
    Path csr = dir.resolve("server.csr");
    Path serverPem = dir.resolve("server.pem");
    Path trust = dir.resolve("truststore.p12");
    keytool(
        dir,
        "-genkeypair",
        "-alias",
        "ca",
        "-dname",
        "CN=taxi-platform local test CA",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-ext",
        "bc:c",
        "-keystore",
        ca.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        caPass);
    keytool(
        dir,
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.toString(),
        "-storepass",
        caPass,
        "-file",
        caPem.toString());
    keytool(
        dir,
        "-genkeypair",
        "-alias",
        "server",
        "-dname",
        "CN=localhost",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-keystore",
        server.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        serverPass);
    keytool(
        dir,
        "-certreq",
        "-alias",
        "server",
        "-keystore",
        server.toString(),
        "-storepass",
        serverPass,
        "-file",
        csr.toString());
    keytool(
        dir,
        "-gencert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.toString(),
        "-storepass",
        caPass,
        "-infile",
        csr.toString(),
        "-outfile",
        serverPem.toString(),
        "-validity",
        "2",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-ext",
        "KU=digitalSignature,keyEncipherment",
        "-ext",
        "EKU=serverAuth");
    keytool(
        dir,
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        caPem.toString(),
        "-keystore",
        server.toString(),
        "-storepass",
        serverPass);
    keytool(
        dir,
        "-importcert",
        "-alias",
        "server",
        "-file",
        serverPem.toString(),
        "-keystore",
        server.toString(),
        "-storepass",
        serverPass);
    keytool(
        dir,
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        caPem.toString(),
        "-keystore",
        trust.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        trustPass);
    try {
      Files.deleteIfExists(ca); // the CA key is not needed any more
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LocalTls(dir, server, serverPass, trust, trustPass, caPem);
  }

  private static void keytool(Path dir, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool " + args[0] + " did not finish within 60 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "keytool " + args[0] + " exited with " + p.exitValue() + ": " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run keytool", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }

  @Override
  public String toString() {
    return "LocalTls[" + dir + "]";
  }
}
