package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.model.ModelUpdates;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written flush records read exactly as the Jackson trees they replaced. */
class TrainingMetricsTextTest {
    private static final double[] SPECIAL = {
        0.0,
        -0.0,
        1.0,
        1e-7,
        123456789.123,
        1e21,
        Double.NaN,
        Double.POSITIVE_INFINITY,
        0.30000001192092896,
        Double.MIN_VALUE
    };

    @Test
    void shouldWriteTheSameMetricsTextAsTheJacksonTree() {
        Random r = new Random(7);
        for (int n = 0; n < 2000; n++) {
            double[] v = new double[7];
            for (int j = 0; j < v.length; j++) {
                v[j] = r.nextInt(4) == 0
                        ? SPECIAL[r.nextInt(SPECIAL.length)]
                        : r.nextGaussian() * Math.pow(10, r.nextInt(12) - 6);
            }
            Role role = r.nextBoolean() ? Role.USER : Role.ITEM;
            long now = r.nextLong();
            assertEquals(
                    tree(n, role.label(), n * 3, v, n * 7L, -n, now),
                    text(new TrainingMetrics(
                                    n,
                                    role,
                                    n * 3,
                                    new TrainingMetrics.Quality(v[0], v[1], v[2], v[3], v[4]),
                                    v[5],
                                    v[6],
                                    n * 7L,
                                    -n,
                                    now)
                            .encode()));
        }
    }

    @Test
    void shouldWriteTheSameMeanTextAsTheJacksonTreeAndRefuseNonFiniteSums() {
        Random r = new Random(11);
        ObjectMapper m = new ObjectMapper();
        for (int n = 0; n < 2000; n++) {
            double sum = r.nextInt(4) == 0
                    ? SPECIAL[r.nextInt(SPECIAL.length)]
                    : r.nextDouble() * Math.pow(10, r.nextInt(12));
            double count = r.nextInt(1_000_000);
            if (!Double.isFinite(sum)) {
                // JSON has no NaN or Infinity: the writer refuses them rather than publish what no client reads.
                double refused = sum;
                assertThrows(IllegalArgumentException.class, () -> ModelUpdates.mean(0, refused, count));
                continue;
            }
            String tree = m.createObjectNode()
                    .put("kind", "mean")
                    .put("partition", n)
                    .put("sum", sum)
                    .put("count", count)
                    .toString();
            assertEquals(tree, text(ModelUpdates.mean(n, sum, count)));
        }
    }

    /** The record as a Jackson tree writes it: the reference the hand-written text must equal. */
    private static String tree(
            int partition, String role, int events, double[] v, long version, long latency, long now) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("partition", partition);
        o.put("role", role);
        o.put("events", events);
        String[] names = {"rmse", "mae", "logloss", "auc", "recallAt10", "loss", "learningRate"};
        for (int k = 0; k < names.length; k++) {
            if (Double.isFinite(v[k])) {
                o.put(names[k], v[k]);
            } else {
                o.putNull(names[k]);
            }
        }
        o.put("modelVersion", version);
        o.put("latencyMs", latency);
        o.put("timestamp", now);
        return o.toString();
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
