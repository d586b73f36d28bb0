import java.lang.reflect.*;
import java.util.*;
public class FormatThenKafka {
  public static void main(String[] a) throws Throwable {
    int sep = Arrays.asList(a).indexOf("--");
    String[] f = Arrays.copyOfRange(a, 0, sep), k = Arrays.copyOfRange(a, sep+1, a.length);
    int rc = (int) Class.forName("kafka.tools.StorageTool").getMethod("execute", String[].class, java.io.PrintStream.class).invoke(null, f, System.out);
    if (rc != 0) System.exit(rc);
    Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) k);
  }
}
