package io.streamrec.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * The {@code training-metrics} record, one per flush and partition, key {@code <role>-<partition>}:
 * {@code {"partition":0,"role":"user","events":32,"rmse":0.94,"mae":0.74,"logloss":null,"auc":null,"loss":0.45,
 * "learningRate":0.3,"modelVersion":1234,"latencyMs":85,"timestamp":1732873200123}}. RMSE and MAE are prequential
 * over the task's last 1,000 events (user role only); {@code modelVersion} counts the row steps this task applied;
 * {@code latencyMs} runs from the oldest event's ingest time to the publish of its rows.
 */
public final class TrainingMetrics {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TrainingMetrics() { }

    static byte[] record(int partition, String role, int events, double rmse, double mae, double logloss, double auc,
                         double loss, double lr, long modelVersion, long latencyMs, long now) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("partition", partition);
        o.put("role", role);
        o.put("events", events);
        put(o, "rmse", rmse);
        put(o, "mae", mae);
        put(o, "logloss", logloss);
        put(o, "auc", auc);
        put(o, "loss", loss);
        put(o, "learningRate", lr);
        o.put("modelVersion", modelVersion);
        o.put("latencyMs", latencyMs);
        o.put("timestamp", now);
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void put(ObjectNode o, String k, double v) {
        if (Double.isFinite(v)) {
            o.put(k, v);
        } else {
            o.putNull(k);
        }
    }
}
