import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;

/**
 * The heap an in-memory global store of {@code model-updates} holds per user row: ROWS rows of 32 factors as the
 * trainer publishes them ({@code ModelUpdates.row}, random factors of the size trained rows have), keyed as on the
 * topic, in the map Kafka Streams' {@code InMemoryKeyValueStore} keeps (a {@code TreeMap<Bytes, byte[]>}; kafka-streams
 * 4.4.0). docs/benchmarks.md quotes it.
 *
 * <pre>java -Xmx8g -cp target/streamrec.jar docs/experiments/GlobalStoreMemory.java ROWS</pre>
 */
public class GlobalStoreMemory {
    public static void main(String[] args) {
        int rows = Integer.parseInt(args[0]);
        int width = 33;
        SplittableRandom rnd = new SplittableRandom(42);
        float[] params = new float[width];
        long before = used();
        TreeMap<Bytes, byte[]> map = new TreeMap<>();
        long valueBytes = 0;
        for (int u = 0; u < rows; u++) {
            for (int j = 0; j < width; j++) {
                params[j] = (float) (rnd.nextGaussian() * 0.3);
            }
            String id = Integer.toString(100_000 + u);
            byte[] value = ModelUpdates.row(RowKind.USER, id, params, 0, width, 1 + u % 50, 1 + u % 200,
                    1_764_000_000_000L + u);
            valueBytes += value.length;
            map.put(Bytes.wrap(ModelKeys.row(RowKind.USER, id).getBytes(java.nio.charset.StandardCharsets.UTF_8)), value);
        }
        long after = used();
        System.out.printf("{\"rows\":%d,\"mean_value_bytes\":%.1f,\"heap_bytes_per_row\":%.1f,\"entries\":%d}%n",
                rows, (double) valueBytes / rows, (double) (after - before) / rows, map.size());
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        for (int k = 0; k < 3; k++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
