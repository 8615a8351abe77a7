package io.streamrec.app;

import io.streamrec.data.Rating;
import io.streamrec.stream.Topics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes events to {@code interactions} as producers should: JSON values keyed by user id, optionally paced to a
 * rate. Used by {@code produce}, {@code demo} and the benchmarks.
 */
public final class InteractionProducer implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    /** @param settings producer settings; {@code bootstrap.servers} at least (security settings pass through) */
    public InteractionProducer(Map<String, ?> settings, String topic) {
        Map<String, Object> props = new HashMap<>(settings);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    public InteractionProducer(String bootstrapServers) {
        this(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), Topics.INTERACTIONS);
    }

    public void send(Rating r) {
        producer.send(new ProducerRecord<>(topic, r.user(), toJson(r)));
    }

    /**
     * Sends events until the iterator ends, {@code limit} were sent, or {@code stop} says so, at most {@code rate}
     * per second (0 = as fast as the producer goes); then flushes.
     *
     * @param beforeSend told each event just before it is sent (a demo scores it, a benchmark notes the time)
     * @return the number of events sent
     */
    public long sendAll(Iterator<Rating> events, long limit, double rate, BooleanSupplier stop, Consumer<Rating> beforeSend) {
        long start = System.nanoTime();
        long sent = 0;
        while (sent < limit && events.hasNext() && !stop.getAsBoolean()) {
            Rating r = events.next();
            beforeSend.accept(r);
            send(r);
            sent++;
            if (rate > 0) {
                long wait = start + (long) (sent / rate * 1e9) - System.nanoTime();
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
        return sent;
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
