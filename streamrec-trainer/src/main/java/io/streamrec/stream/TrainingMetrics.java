package io.streamrec.stream;

import java.nio.charset.StandardCharsets;

/**
 * The {@code training-metrics} record, one per flush and partition, key {@code <role>-<partition>}:
 * {@code {"partition":0,"role":"user","events":32,"rmse":0.94,"mae":0.74,"logloss":null,"auc":null,"recallAt10":null,"loss":0.45,
 * "learningRate":0.3,"modelVersion":1234,"latencyMs":85,"timestamp":1732873200123}}. RMSE and MAE are prequential
 * over the task's last 1,000 events (user role only), {@code recallAt10} over its last 1,000 ranked events (a
 * sampled estimate, see {@code StreamRanking}; null until one was ranked); {@code modelVersion} counts the row steps this task applied;
 * {@code latencyMs} runs from the oldest event's ingest time to the publish of its rows.
 */
public final class TrainingMetrics {
    private TrainingMetrics() {}

    static byte[] record(
            int partition,
            String role,
            int events,
            double rmse,
            double mae,
            double logloss,
            double auc,
            double recallAt10,
            double loss,
            double lr,
            long modelVersion,
            long latencyMs,
            long now) {
        // One per flush: written by hand, the same text ObjectNode.toString gave (Double.toString numbers, null for
        // a non-finite value); the role is one of two fixed words, so nothing needs escaping.
        StringBuilder b = new StringBuilder(200);
        b.append("{\"partition\":")
                .append(partition)
                .append(",\"role\":\"")
                .append(role)
                .append("\",\"events\":")
                .append(events);
        num(b, "rmse", rmse);
        num(b, "mae", mae);
        num(b, "logloss", logloss);
        num(b, "auc", auc);
        num(b, "recallAt10", recallAt10);
        num(b, "loss", loss);
        num(b, "learningRate", lr);
        b.append(",\"modelVersion\":")
                .append(modelVersion)
                .append(",\"latencyMs\":")
                .append(latencyMs)
                .append(",\"timestamp\":")
                .append(now)
                .append('}');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void num(StringBuilder b, String k, double v) {
        b.append(",\"").append(k).append("\":");
        if (Double.isFinite(v)) {
            b.append(v);
        } else {
            b.append("null");
        }
    }
}
