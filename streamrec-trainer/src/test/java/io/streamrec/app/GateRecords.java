package io.streamrec.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.kafka.TopicReader;
import io.streamrec.model.GateState;
import io.streamrec.model.MalformedRecordException;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelRecordCodec;
import io.streamrec.model.ModelUpdate;
import io.streamrec.stream.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * What the gate tests read from the topics, read_committed: the {@code gate:<partition>} records of
 * {@code model-updates}, and the events each user task trained as its {@code training-metrics} records count them
 * ({@code modelVersion}: the row steps applied, exactly-once).
 */
final class GateRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GateRecords() {}

    /** The user task of a user keyed by its id: the input partition the Java producer's murmur2 puts it on. */
    static int partitionOf(String user, int partitions) {
        return Utils.toPositive(Utils.murmur2(user.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The latest committed {@code gate:<partition>} record of each partition. */
    static Map<Integer, GateState> latestGates(String bootstrap) {
        Map<Integer, GateState> gates = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                TopicReader.readAll(bootstrap, Topics.MODEL_UPDATES, Duration.ofSeconds(60))) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (key.startsWith(ModelKeys.GATE_PREFIX) && r.value() != null) {
                try {
                    if (ModelRecordCodec.decode(key, r.value()) instanceof ModelUpdate.Gate g) {
                        gates.put(g.state().partition(), g.state());
                    }
                } catch (MalformedRecordException e) {
                    throw new AssertionError("unreadable gate record " + key, e);
                }
            }
        }
        return gates;
    }

    /** The closed ones of {@code gates}. */
    static Map<Integer, GateState> closed(Map<Integer, GateState> gates) {
        Map<Integer, GateState> out = new TreeMap<>();
        gates.forEach((p, g) -> {
            if (!g.open()) {
                out.put(p, g);
            }
        });
        return out;
    }

    /** The committed {@code training-metrics} records of the user tasks, in order. */
    static List<JsonNode> userMetrics(String bootstrap) {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                TopicReader.readAll(bootstrap, Topics.TRAINING_METRICS, Duration.ofSeconds(60))) {
            if (r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith("user-")) {
                try {
                    out.add(JSON.readTree(r.value()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    /** Per user partition, the events trained as of the last committed training-metrics record. */
    static Map<Integer, Long> trained(String bootstrap, int partitions) {
        return trained(userMetrics(bootstrap), partitions);
    }

    static Map<Integer, Long> trained(List<JsonNode> metrics, int partitions) {
        Map<Integer, Long> out = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            out.put(p, 0L);
        }
        for (JsonNode m : metrics) {
            out.put(m.get("partition").asInt(), m.get("modelVersion").asLong());
        }
        return out;
    }

    /** The events partition {@code p} had trained at {@code time}: its last training-metrics record until then. */
    static long trainedBefore(List<JsonNode> metrics, int p, long time) {
        long v = 0;
        for (JsonNode m : metrics) {
            if (m.get("partition").asInt() == p && m.get("timestamp").asLong() <= time) {
                v = m.get("modelVersion").asLong();
            }
        }
        return v;
    }

    /** Events quarantined by the label checks of all user partitions, as their latest gate records say. */
    static long quarantined(String bootstrap) {
        return latestGates(bootstrap).values().stream()
                .mapToLong(GateState::quarantined)
                .sum();
    }

    static long sum(Map<Integer, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }
}
