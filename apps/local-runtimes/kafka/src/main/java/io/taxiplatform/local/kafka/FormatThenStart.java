package io.taxiplatform.local.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Formats a KRaft broker's storage, then runs the broker, in one JVM: what {@code kafka-storage
 * format} followed by {@code kafka-server-start} do in two. The format step loads most of the
 * classes the broker loads next (its configuration, the metadata records, Scala's runtime), so one
 * JVM saves the second JVM's start and class loading: about a second per broker start on two cores
 * ({@code io.taxiplatform.local.KafkaNode} forks this class).
 *
 * <p>Arguments: {@code <format arguments file> <server.properties>}. The file holds the arguments
 * of {@code kafka.tools.StorageTool} (from {@code format} on), one per line, so that SCRAM
 * passwords given to the format stay out of the broker process's command line. A format that fails
 * prints its reason and exits with the tool's code (1), as {@code StorageTool.main} does; the
 * broker does not start.
 */
public final class FormatThenStart {

  private FormatThenStart() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println(
          "usage: FormatThenStart <storage format arguments file, one per line> <server.properties>");
      System.exit(2);
    }
    int exit = format(Files.readAllLines(Path.of(args[0])));
    if (exit != 0) {
      System.err.println("kafka.tools.StorageTool format exited with " + exit);
      System.exit(exit);
    }
    kafka.Kafka.main(new String[] {args[1]});
  }

  /**
   * {@code StorageTool}'s exit code for {@code formatArgs}, its failures reported as its main's.
   */
  static int format(List<String> formatArgs) {
    try {
      return kafka.tools.StorageTool.execute(formatArgs.toArray(String[]::new), System.out);
    } catch (kafka.tools.TerseFailure | org.apache.kafka.metadata.storage.FormatterException e) {
      System.err.println(e.getMessage());
      return 1;
    }
  }
}
