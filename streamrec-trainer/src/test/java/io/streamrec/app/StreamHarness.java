package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.fail;

import io.streamrec.data.Rating;
import io.streamrec.kafka.TopicReader;
import io.streamrec.model.ModelUpdates;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Shared steps of the trainer integration tests: config, producing events, reading the published model. */
final class StreamHarness {
    private StreamHarness() {}

    /** A trainer config for tests: its own application id and state dir, no HTTP; the rest are the defaults. */
    static TrainerConfig config(String bootstrap, String applicationId, Path stateDir, int partitions) {
        return config(bootstrap, applicationId, stateDir, partitions, Map.of());
    }

    /** As {@link #config(String, String, Path, int)} with {@code train.batch.size} set. */
    static TrainerConfig config(String bootstrap, String applicationId, Path stateDir, int partitions, int batchSize) {
        return config(
                bootstrap,
                applicationId,
                stateDir,
                partitions,
                Map.of(TrainerConfig.BATCH_SIZE, String.valueOf(batchSize)));
    }

    /** A trainer's settings against {@code bootstrap}, HTTP on an ephemeral local port, plus {@code more}. */
    static TrainerConfig config(
            String bootstrap, String applicationId, Path stateDir, int partitions, Map<String, String> more) {
        Map<String, String> s = new HashMap<>(more);
        s.put(TrainerConfig.BOOTSTRAP_SERVERS, bootstrap);
        s.put(TrainerConfig.APPLICATION_ID, applicationId);
        s.put("state.dir", stateDir.toString());
        s.put(TrainerConfig.PARTITIONS, String.valueOf(partitions));
        s.put(TrainerConfig.HTTP_PORT, "0");
        s.put(TrainerConfig.HTTP_BIND, "127.0.0.1");
        return TrainerConfig.of(s);
    }

    /** Sends the ratings to {@code interactions}, keyed by user, in order; returns when all are acknowledged. */
    static void produce(String bootstrap, List<Rating> ratings) {
        try (KafkaProducer<String, byte[]> p = producer(bootstrap)) {
            for (Rating r : ratings) {
                p.send(new ProducerRecord<>(
                        Topics.INTERACTIONS, r.user(), io.streamrec.app.InteractionProducer.toJson(r)));
            }
            p.flush();
        }
    }

    /** As {@link #produce}, at most {@code eventsPerSecond}; returns early when the thread is interrupted. */
    static void produce(String bootstrap, List<Rating> ratings, double eventsPerSecond) {
        try (KafkaProducer<String, byte[]> p = producer(bootstrap)) {
            long start = System.nanoTime();
            for (int n = 0; n < ratings.size(); n++) {
                Rating r = ratings.get(n);
                p.send(new ProducerRecord<>(
                        Topics.INTERACTIONS, r.user(), io.streamrec.app.InteractionProducer.toJson(r)));
                long wait = start + (long) (n / eventsPerSecond * 1e9) - System.nanoTime();
                if (wait > 1_000_000) {
                    try {
                        Thread.sleep(wait / 1_000_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            p.flush();
        }
    }

    /** Sends raw values keyed by {@code key} (malformed events for the dead-letter topic). */
    static void produceRaw(String bootstrap, String key, List<String> values) {
        try (KafkaProducer<String, byte[]> p = producer(bootstrap)) {
            for (String v : values) {
                p.send(new ProducerRecord<>(Topics.INTERACTIONS, key, v.getBytes(StandardCharsets.UTF_8)));
            }
            p.flush();
        }
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.LINGER_MS_CONFIG,
                "5",
                ProducerConfig.ACKS_CONFIG,
                "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Polls until {@code done} holds; fails the test with {@code what} on timeout. */
    static void await(String what, Duration timeout, BooleanSupplier done) {
        Awaitility.await(what)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(100))
                .until(done::getAsBoolean);
    }

    static long events(Collection<PrequentialTotals> totals) {
        return totals.stream().mapToLong(PrequentialTotals::events).sum();
    }

    /** The cumulative RMSE over several instances' totals (their squared errors pooled). */
    static double pooledRmse(Collection<PrequentialTotals> totals) {
        double sq = 0;
        long n = 0;
        for (PrequentialTotals t : totals) {
            sq += t.rmse() * t.rmse() * t.events();
            n += t.events();
        }
        return Math.sqrt(sq / n);
    }

    /** The latest committed value of every key of {@code model-updates}. */
    static Map<String, byte[]> latestModel(String bootstrap) {
        Map<String, byte[]> latest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                TopicReader.readAll(bootstrap, Topics.MODEL_UPDATES, Duration.ofSeconds(60))) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                latest.remove(key);
            } else {
                latest.put(key, r.value());
            }
        }
        return latest;
    }

    /** Sum of {@code updates} over the latest {@code user:*} rows: the events the published user rows include. */
    static long userUpdates(Map<String, byte[]> model, int width) {
        long sum = 0;
        for (Map.Entry<String, byte[]> e : model.entrySet()) {
            if (e.getKey().startsWith("user:")) {
                ModelUpdates.ParsedRow row = ModelUpdates.parseRow(e.getKey(), e.getValue(), width);
                if (row == null) {
                    fail("unparseable row " + e.getKey() + ": " + new String(e.getValue(), StandardCharsets.UTF_8));
                }
                sum += row.updates();
            }
        }
        return sum;
    }

    /** Polls {@code model-updates} until the user rows include {@code expected} events (or more); returns the model. */
    static Map<String, byte[]> awaitUserUpdates(String bootstrap, int width, long expected, Duration timeout)
            throws InterruptedException {
        return awaitModel(bootstrap, timeout, model -> userUpdates(model, width) >= expected);
    }

    /**
     * Polls {@code model-updates} until the latest model satisfies {@code done} or the timeout passes; returns the last
     * model read either way, so the caller's assertions say what was missing.
     */
    static Map<String, byte[]> awaitModel(String bootstrap, Duration timeout, Predicate<Map<String, byte[]>> done)
            throws InterruptedException {
        try {
            return Awaitility.await()
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> latestModel(bootstrap), done);
        } catch (ConditionTimeoutException e) {
            return latestModel(bootstrap);
        }
    }

    /** The {@code updates} of every latest {@code user:*} row, by user id. */
    static Map<String, Long> publishedUserUpdates(Map<String, byte[]> model, int width) {
        Map<String, Long> published = new java.util.TreeMap<>();
        model.forEach((k, v) -> {
            if (k.startsWith("user:")) {
                published.put(k.substring(5), ModelUpdates.parseRow(k, v, width).updates());
            }
        });
        return published;
    }

    /**
     * Reads the whole history of {@code model-updates} and fails the test if any user or item row's {@code version}
     * or {@code updates} went down from one record to the next of its key (at most 20 are named).
     *
     * @return the number of row records read
     */
    static long assertNoRowWentBackwards(String bootstrap, int width) {
        Map<String, ModelUpdates.ParsedRow> last = new HashMap<>();
        List<String> regressions = new java.util.ArrayList<>();
        long rows = 0;
        for (ConsumerRecord<byte[], byte[]> r :
                TopicReader.readAll(bootstrap, Topics.MODEL_UPDATES, Duration.ofSeconds(60))) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null || !(key.startsWith("user:") || key.startsWith("item:"))) {
                continue;
            }
            ModelUpdates.ParsedRow row = ModelUpdates.parseRow(key, r.value(), width);
            if (row == null) {
                fail("unparseable row " + key);
            }
            rows++;
            ModelUpdates.ParsedRow before = last.put(key, row);
            if (before != null && (row.version() < before.version() || row.updates() < before.updates())) {
                regressions.add(key + ": version " + before.version() + " -> " + row.version() + ", updates "
                        + before.updates() + " -> " + row.updates());
            }
        }
        if (!regressions.isEmpty()) {
            fail(regressions.size() + " published rows went backwards, e.g. "
                    + regressions.subList(0, Math.min(20, regressions.size())));
        }
        return rows;
    }
}
