package io.streamrec.app;

import io.streamrec.data.Rating;
import io.streamrec.stream.Topics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes events to {@code interactions} as producers should: JSON values keyed by user id, optionally paced to a
 * rate. Used by {@code produce}, {@code demo} and the benchmarks.
 *
 * <p>Every send is followed to its end: the producer's callbacks count the events the cluster acknowledged and
 * those it did not, and keep the first error ({@link #delivery()}). Sending stops at the first failure, and the
 * waits are bounded ({@link #MAX_BLOCK_MS}, {@link #DELIVERY_TIMEOUT_MS}), so an unreachable cluster fails in
 * seconds instead of blocking every send for a minute.
 */
public final class InteractionProducer implements AutoCloseable {
    /** Default {@code max.block.ms} (Kafka's: 60000): how long a send waits for the topic's metadata. */
    public static final String MAX_BLOCK_MS = "10000";
    /** Default {@code delivery.timeout.ms} (Kafka's: 120000): how long a sent event may take to be acknowledged. */
    public static final String DELIVERY_TIMEOUT_MS = "30000";
    /** Kafka's default {@code request.timeout.ms}; lowered when a shorter delivery timeout would not allow it. */
    private static final long REQUEST_TIMEOUT_MS = 30_000;

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final LongAdder sent = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicReference<Exception> firstError = new AtomicReference<>();
    private final Callback callback = (metadata, error) -> {
        if (error == null) {
            delivered.increment();
        } else {
            failed.increment();
            firstError.compareAndSet(null, error);
        }
    };

    /** What became of the events sent so far: {@code sent = delivered + failed + still in flight}. */
    public record Delivery(long sent, long delivered, long failed, Exception firstError) {}

    /**
     * @param settings producer settings; {@code bootstrap.servers} at least (security settings pass through);
     *                 they override the defaults here (acks=all, linger 5 ms, the timeouts above)
     * @throws org.apache.kafka.common.config.ConfigException when a setting is invalid
     */
    public InteractionProducer(Map<String, ?> settings, String topic) {
        this.producer = new KafkaProducer<>(settings(settings), new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /**
     * The settings with the defaults filled in. Kafka refuses a {@code delivery.timeout.ms} below
     * {@code linger.ms + request.timeout.ms}; when only the former is given, the request timeout shrinks to fit.
     */
    static Map<String, Object> settings(Map<String, ?> settings) {
        Map<String, Object> props = new HashMap<>(settings);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
        if (!props.containsKey(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)) {
            try {
                long delivery = Long.parseLong(props.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)
                        .toString()
                        .trim());
                long linger = Long.parseLong(
                        props.get(ProducerConfig.LINGER_MS_CONFIG).toString().trim());
                if (delivery - linger < REQUEST_TIMEOUT_MS) {
                    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(1, delivery - linger)));
                }
            } catch (NumberFormatException e) {
                // Left to the producer, whose ConfigException names the setting and the value.
            }
        }
        return props;
    }

    public InteractionProducer(String bootstrapServers) {
        this(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), Topics.INTERACTIONS);
    }

    /** Sends one event; its outcome is counted in {@link #delivery()} once the cluster answers (or the wait ends). */
    public void send(Rating r) {
        sent.increment();
        producer.send(new ProducerRecord<>(topic, r.user(), toJson(r)), callback);
    }

    /** What became of the events sent so far; after {@link #sendAll} or {@link #flush()}, none is in flight. */
    public Delivery delivery() {
        return new Delivery(sent.sum(), delivered.sum(), failed.sum(), firstError.get());
    }

    /** Waits until every event sent so far was acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    /**
     * Sends events until the iterator ends, {@code limit} were sent, {@code stop} says so, or a delivery failed,
     * at most {@code rate} per second (0 = as fast as the producer goes); then flushes. Stopping at the first
     * failure keeps a replay from going on with a gap in it, and bounds the time lost to an unreachable cluster.
     *
     * @param beforeSend told each event just before it is sent (a demo scores it, a benchmark notes the time)
     * @return the number of events sent
     */
    public long sendAll(
            Iterator<Rating> events, long limit, double rate, BooleanSupplier stop, Consumer<Rating> beforeSend) {
        long start = System.nanoTime();
        long count = 0;
        while (count < limit && events.hasNext() && !stop.getAsBoolean() && firstError.get() == null) {
            Rating r = events.next();
            beforeSend.accept(r);
            send(r);
            count++;
            if (rate > 0) {
                long wait = start + (long) (count / rate * 1e9) - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        producer.flush();
        return count;
    }

    /** The {@code interactions} JSON value of a rating; {@code timestamp} and {@code weight} only when set. */
    public static byte[] toJson(Rating r) {
        StringBuilder sb = new StringBuilder(96);
        sb.append("{\"user\":");
        quote(sb, r.user());
        sb.append(",\"item\":");
        quote(sb, r.item());
        sb.append(",\"label\":").append(r.label());
        if (r.timestamp() > 0) {
            sb.append(",\"timestamp\":").append(r.timestamp());
        }
        if (r.weight() != 1f) {
            sb.append(",\"weight\":").append(r.weight());
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    @Override
    public void close() {
        producer.close();
    }
}
