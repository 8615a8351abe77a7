package io.streamrec.stream;

import java.nio.charset.StandardCharsets;

/**
 * The {@code training-metrics} record, one per flush and partition, key {@code <role>-<partition>}:
 * {@code {"partition":0,"role":"user","events":32,"rmse":0.94,"mae":0.74,"logloss":null,"auc":null,"recallAt10":null,"loss":0.45,
 * "learningRate":0.3,"modelVersion":1234,"latencyMs":85,"timestamp":1732873200123}}. A value that is not finite is
 * written as null (item tasks have no quality figures and no loss).
 *
 * @param events events this flush covers
 * @param quality the prequential figures of the user role, {@link Quality#NONE} for items
 * @param modelVersion the row steps this task applied
 * @param latencyMs from the oldest event's ingest time to the publish of its rows
 */
public record TrainingMetrics(
        int partition,
        Role role,
        int events,
        Quality quality,
        double loss,
        double learningRate,
        long modelVersion,
        long latencyMs,
        long timestamp) {

    /**
     * Prequential quality: RMSE and MAE over the task's last 1,000 events, {@code recallAt10} over its last 1,000
     * ranked events (a sampled estimate, see {@code StreamRanking}; NaN until one was ranked).
     */
    public record Quality(double rmse, double mae, double logloss, double auc, double recallAt10) {
        public static final Quality NONE = new Quality(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /** The record's JSON bytes. */
    byte[] encode() {
        // One per flush: written by hand, the same text ObjectNode.toString gave (Double.toString numbers, null for
        // a non-finite value); the role is one of two fixed words, so nothing needs escaping.
        StringBuilder b = new StringBuilder(200);
        b.append("{\"partition\":")
                .append(partition)
                .append(",\"role\":\"")
                .append(role.label())
                .append("\",\"events\":")
                .append(events);
        num(b, "rmse", quality.rmse());
        num(b, "mae", quality.mae());
        num(b, "logloss", quality.logloss());
        num(b, "auc", quality.auc());
        num(b, "recallAt10", quality.recallAt10());
        num(b, "loss", loss);
        num(b, "learningRate", learningRate);
        b.append(",\"modelVersion\":")
                .append(modelVersion)
                .append(",\"latencyMs\":")
                .append(latencyMs)
                .append(",\"timestamp\":")
                .append(timestamp)
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
