package io.streamrec.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.app.InteractionProducer;
import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.stream.Topics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code produce}: replays a ratings file (timestamp order) or a synthetic stream into {@code interactions}. */
@Command(
        name = "produce",
        header = "Replays a ratings file or a synthetic stream into the interactions topic.",
        mixinStandardHelpOptions = true,
        description =
                "Replays a ratings file in timestamp order, or a synthetic stream with planted low-rank structure, "
                        + "into the interactions topic, keyed by user. The last stdout line is a JSON summary with the events "
                        + "sent, delivered and failed. Sending stops at the first event the cluster did not acknowledge, and "
                        + "the command exits 1 when any event was not delivered.")
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

    @Option(
            names = "--events",
            paramLabel = "N",
            description = "Stop after N events (default: the whole file; synthetic: 100000).")
    Long events;

    @Option(names = "--skip", paramLabel = "N", description = "Skip the first N events of the (time-ordered) file.")
    long skip;

    @Option(
            names = "--rate",
            paramLabel = "EVENTS/S",
            description = "Target events per second; 0 = as fast as possible. Default: 0.")
    double rate;

    @Option(names = "--loop", description = "Synthetic: run until stopped.")
    boolean loop;

    @Option(
            names = {"-D", "--set", "--property"},
            paramLabel = "KEY=VALUE",
            description = "Extra producer setting (SASL, SSL, ...); "
                    + "repeatable. Waits are bounded unless set here: delivery.timeout.ms="
                    + InteractionProducer.DELIVERY_TIMEOUT_MS
                    + " for each acknowledgement, and max.block.ms=" + InteractionProducer.MAX_BLOCK_MS
                    + " for the topic's metadata (an unreachable cluster fails after it).")
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
            List<Rating> all =
                    RatingReader.sortByTime(input.read(ratings, System.err).ratings());
            List<Rating> rest = all.subList((int) Math.min(skip, all.size()), all.size());
            total = events == null ? rest.size() : Math.min(events, rest.size());
            source = rest.iterator();
        } else {
            SyntheticRatings gen = new SyntheticRatings(
                    logistic
                            ? SyntheticRatings.Spec.binary(10_000, 2_000, 8, 42)
                            : SyntheticRatings.Spec.explicit(10_000, 2_000, 8, 42));
            total = loop ? Long.MAX_VALUE : events == null ? 100_000 : events;
            source = gen.iterator();
        }
        Map<String, Object> props = new HashMap<>(properties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        long start = System.nanoTime();
        ProgressBar bar = new ProgressBar(System.err, "produce", total == Long.MAX_VALUE ? 0 : total);
        long[] count = {0};
        InteractionProducer.Delivery delivery;
        try (InteractionProducer producer = open(props)) {
            producer.sendAll(source, total, rate, () -> false, r -> {
                if ((++count[0] & 1023) == 0) {
                    bar.update(count[0]);
                }
            });
            delivery = producer.delivery();
        }
        bar.done(count[0]);
        double secs = (System.nanoTime() - start) / 1e9;
        ObjectNode o = Json.object();
        o.put("command", "produce");
        o.put("topic", topic);
        o.put("events", delivery.sent());
        o.put("delivered", delivery.delivered());
        o.put("failed", delivery.failed());
        Json.put(o, "seconds", secs);
        Json.put(o, "events_per_second", delivery.delivered() / secs);
        System.out.println(o);
        if (delivery.delivered() < delivery.sent()) {
            Exception e = delivery.firstError();
            System.err.println("error: " + (delivery.sent() - delivery.delivered()) + " of " + delivery.sent()
                    + " events were not delivered: " + (e == null ? "no acknowledgement" : describe(e)));
            System.err.println("Sending stopped at the first failure."
                    + (e instanceof org.apache.kafka.common.errors.TimeoutException
                            ? " Is the cluster at " + bootstrapServers + " reachable, and does topic " + topic
                                    + " exist?"
                            : ""));
            return 1;
        }
        return 0;
    }

    /** The producer; a usage error names a bad {@code --property}, other failures exit 1 with their cause. */
    private InteractionProducer open(Map<String, Object> props) {
        try {
            return new InteractionProducer(props, topic);
        } catch (ConfigException e) {
            throw Cli.usage(spec, "--property (-D): " + e.getMessage());
        } catch (KafkaException e) {
            // The producer wraps what its constructor failed on (no resolvable bootstrap address, a timeout below
            // linger.ms + request.timeout.ms, a missing class): its own message says only "Failed to construct".
            throw new IllegalStateException("cannot create the Kafka producer: " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        return Errors.chain(e);
    }
}
