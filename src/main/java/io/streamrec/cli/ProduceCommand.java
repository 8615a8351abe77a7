package io.streamrec.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.stream.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code produce}: replays a ratings file (timestamp order) or a synthetic stream into {@code interactions}. */
@Command(name = "produce", header = "Replays a ratings file or a synthetic stream into the interactions topic.", mixinStandardHelpOptions = true,
        description = {"Replays a ratings file in timestamp order, or a synthetic stream with planted low-rank",
                "structure, into the interactions topic, keyed by user. The last stdout line is a JSON summary."})
public final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka brokers.")
    String bootstrapServers;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Target topic. Default: interactions.")
    String topic = Topics.INTERACTIONS;

    @Option(names = "--ratings", paramLabel = "FILE", description = "Ratings file to replay.")
    Path ratings;

    @Option(names = "--synthetic", description = "Produce synthetic events instead of a file.")
    boolean synthetic;

    @Option(names = "--logistic", description = "Synthetic 0/1 click labels instead of 1..5 ratings.")
    boolean logistic;

    @Option(names = "--events", paramLabel = "N", description = "Stop after N events (default: the whole file; synthetic: 100000).")
    Long events;

    @Option(names = "--skip", paramLabel = "N", description = "Skip the first N events of the (time-ordered) file.")
    long skip;

    @Option(names = "--rate", paramLabel = "EVENTS/S", description = "Target events per second; 0 = as fast as possible. Default: 0.")
    double rate;

    @Option(names = "--loop", description = "Synthetic: run until stopped.")
    boolean loop;

    @Option(names = "--property", paramLabel = "KEY=VALUE", description = "Extra producer setting (SASL, SSL, ...); repeatable.")
    Map<String, String> properties = new HashMap<>();

    @Mixin
    RatingsOptions input;

    @Override
    public Integer call() {
        if ((ratings == null) == !synthetic) {
            throw Cli.usage(spec, "give exactly one of --ratings FILE or --synthetic");
        }
        if (rate < 0 || (events != null && events < 0) || skip < 0) {
            throw Cli.usage(spec, "--rate, --events and --skip must be >= 0");
        }
        Iterator<Rating> source;
        long total;
        if (ratings != null) {
            List<Rating> all = RatingReader.sortByTime(input.read(ratings, System.err).ratings());
            List<Rating> rest = all.subList((int) Math.min(skip, all.size()), all.size());
            total = events == null ? rest.size() : Math.min(events, rest.size());
            source = rest.iterator();
        } else {
            SyntheticRatings gen = new SyntheticRatings(logistic
                    ? SyntheticRatings.Spec.binary(10_000, 2_000, 8, 42)
                    : SyntheticRatings.Spec.explicit(10_000, 2_000, 8, 42));
            total = loop ? Long.MAX_VALUE : events == null ? 100_000 : events;
            source = gen.iterator();
        }
        Map<String, Object> props = new HashMap<>(properties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        long sent = 0;
        long start = System.nanoTime();
        ProgressBar bar = new ProgressBar(System.out, "produce", total == Long.MAX_VALUE ? 0 : total);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            while (sent < total && source.hasNext()) {
                Rating r = source.next();
                producer.send(new ProducerRecord<>(topic, r.user(), toJson(r)));
                sent++;
                if (rate > 0) {
                    long due = start + (long) (sent / rate * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
                if ((sent & 1023) == 0) {
                    bar.update(sent);
                }
            }
            producer.flush();
        }
        bar.done();
        double secs = (System.nanoTime() - start) / 1e9;
        ObjectNode o = Json.object();
        o.put("command", "produce");
        o.put("topic", topic);
        o.put("events", sent);
        Json.put(o, "seconds", secs);
        Json.put(o, "events_per_second", sent / secs);
        System.out.println(o);
        return 0;
    }

    /** The interactions JSON value of a rating. */
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
}
