package io.streamrec.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds transactions left hanging on the partitions the trainer writes, and aborts them when told to.
 *
 * <p>A broker killed with SIGKILL can leave a transaction open on a partition for good: a producer's write reached
 * the partition but the coordinator never recorded the partition in the transaction, so no marker ever ends it
 * (KIP-664). The partition's last stable offset then stops, and every {@code read_committed} reader, the trainer's
 * own tasks included, waits behind it forever: with a hanging transaction on {@code user-events} a share of the users
 * stops training while the input still moves, which no lag on {@code interactions} shows.
 *
 * <p>The trainer's producers run Kafka Streams' exactly-once transactions, which time out after seconds, and the
 * coordinator aborts an expired one within its next check; a transaction still open on the same offset after
 * {@code maxOpenMs} of wall clock (as seen by these checks, not by record timestamps, which are the events' own) has
 * outlived every timeout many times over. Each {@link #check()} describes the producers of the partitions, remembers
 * when it first saw each open transaction, and reports those open longer than that. With {@code abort}, it writes
 * the abort marker as {@code kafka-transactions.sh abort} does: the records of that transaction are dropped (they
 * could never become readable), and the partition's readers go on. Otherwise it only reports, and logs each one
 * once with the command that ends it.
 */
public final class HangingTransactionCheck implements MeterBinder {
    private static final Logger LOG = LoggerFactory.getLogger(HangingTransactionCheck.class);
    private static final long ADMIN_TIMEOUT_MS = 30_000;
    /** The topics a trainer writes besides its changelogs. */
    private static final Set<String> WRITTEN_TOPICS = Set.of(
            Topics.USER_EVENTS, Topics.ITEM_GRADIENTS, Topics.MODEL_UPDATES, Topics.TRAINING_METRICS, Topics.DLQ);

    private final Admin admin;
    private final String bootstrapServers;
    private final Supplier<Collection<TopicPartition>> partitions;
    private final long maxOpenMs;
    private final boolean abort;
    private final LongSupplier clockMillis;
    /** When each open transaction (partition, producer, epoch, first offset) was first seen open. */
    private final Map<Open, Long> firstSeen = new HashMap<>();
    /** The hanging transactions already logged, so that one is logged once, not at every check. */
    private final Set<Open> logged = new HashSet<>();

    private volatile int hanging;
    private volatile long aborted;

    /**
     * @param partitions  the partitions to watch, asked at each check (topics may appear after the start)
     * @param maxOpenMs   how long a transaction may stay open on the same offset before it counts as hanging; > 0
     * @param abort       whether to abort a hanging transaction (otherwise: report it)
     * @param clockMillis a monotonic clock in milliseconds
     */
    public HangingTransactionCheck(
            Admin admin,
            String bootstrapServers,
            Supplier<Collection<TopicPartition>> partitions,
            long maxOpenMs,
            boolean abort,
            LongSupplier clockMillis) {
        if (maxOpenMs <= 0) {
            throw new IllegalArgumentException("maxOpenMs must be > 0, got " + maxOpenMs);
        }
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.partitions = partitions;
        this.maxOpenMs = maxOpenMs;
        this.abort = abort;
        this.clockMillis = clockMillis;
    }

    /**
     * The check of a trainer: the partitions of its internal topics, its outputs and its stores' changelogs
     * ({@code <application.id>-<store>-changelog}), listed at each check since topics may come later; the bound and
     * the action of its settings.
     */
    public static HangingTransactionCheck ofTrainer(Admin admin, TrainerConfig config) {
        return new HangingTransactionCheck(
                admin,
                config.bootstrapServers(),
                () -> writtenPartitions(admin, config.applicationId()),
                config.hangingTransactionMs(),
                config.abortHangingTransactions(),
                () -> System.nanoTime() / 1_000_000);
    }

    private static Collection<TopicPartition> writtenPartitions(Admin admin, String applicationId) {
        try {
            Set<String> topics = new HashSet<>();
            for (String t : admin.listTopics().names().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                if (WRITTEN_TOPICS.contains(t) || (t.startsWith(applicationId + "-") && t.endsWith("-changelog"))) {
                    topics.add(t);
                }
            }
            List<TopicPartition> partitions = new ArrayList<>();
            admin.describeTopics(topics)
                    .allTopicNames()
                    .get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .forEach((name, d) ->
                            d.partitions().forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
            return partitions;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list the trainer's topics: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing the trainer's topics", e);
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("streamrec.hanging.transactions", this, HangingTransactionCheck::hanging)
                .description("Partitions the trainer writes that held a transaction open longer than "
                        + "hanging.transaction.ms at the latest check: their read_committed readers wait behind it")
                .register(registry);
        FunctionCounter.builder("streamrec.hanging.transactions.aborted", this, HangingTransactionCheck::aborted)
                .description("Hanging transactions aborted (hanging.transaction.action=abort); their records dropped")
                .register(registry);
    }

    /** Partitions that held a hanging transaction at the latest check (before any abort of that check). */
    public int hanging() {
        return hanging;
    }

    /** Hanging transactions aborted so far. */
    public long aborted() {
        return aborted;
    }

    /**
     * Describes the producers of the watched partitions and reports (or aborts) the transactions open longer than
     * the bound.
     *
     * @return the hanging transactions found by this check
     * @throws IllegalStateException when the brokers do not answer; the next check tries again
     */
    public synchronized List<Hanging> check() throws InterruptedException {
        Collection<TopicPartition> watched = partitions.get();
        if (watched.isEmpty()) {
            return List.of();
        }
        Map<TopicPartition, PartitionProducerState> states;
        try {
            states = admin.describeProducers(watched).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "cannot describe the producers of " + watched.size() + " partitions: " + e, e);
        }
        long now = clockMillis.getAsLong();
        Map<Open, Long> stillOpen = new HashMap<>();
        List<Hanging> found = new ArrayList<>();
        for (var e : states.entrySet()) {
            for (ProducerState p : e.getValue().activeProducers()) {
                if (p.currentTransactionStartOffset().isEmpty()) {
                    continue;
                }
                Open open = new Open(
                        e.getKey(),
                        p.producerId(),
                        p.producerEpoch(),
                        p.currentTransactionStartOffset().getAsLong());
                long since = firstSeen.getOrDefault(open, now);
                stillOpen.put(open, since);
                if (now - since > maxOpenMs) {
                    found.add(new Hanging(open, p.coordinatorEpoch().orElse(-1), now - since));
                }
            }
        }
        firstSeen.clear();
        firstSeen.putAll(stillOpen);
        logged.retainAll(stillOpen.keySet());
        hanging = (int) found.stream().map(h -> h.open().partition()).distinct().count();
        for (Hanging h : found) {
            if (abort) {
                if (abort(h)) {
                    firstSeen.remove(h.open());
                }
            } else if (logged.add(h.open())) {
                LOG.warn(
                        "{}; the partition's readers wait behind it. To drop its records and go on: {}, or set "
                                + "hanging.transaction.action=abort",
                        h,
                        h.abortCommand(bootstrapServers));
            }
        }
        return found;
    }

    /** Writes the abort marker; false when the broker refused it (the next check tries again). */
    private boolean abort(Hanging h) throws InterruptedException {
        Open o = h.open();
        try {
            admin.abortTransaction(new AbortTransactionSpec(
                            o.partition(), o.producerId(), (short) o.producerEpoch(), h.coordinatorEpoch()))
                    .all()
                    .get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            aborted++;
            LOG.warn("aborted: {}; its records are dropped, the partition's readers go on", h);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            // Another instance may have aborted it first; if not, the next check tries again.
            LOG.warn("could not abort {}: {}", h, e.toString());
            return false;
        }
    }

    /** An open transaction as a partition's leader describes it. */
    public record Open(TopicPartition partition, long producerId, int producerEpoch, long startOffset) {}

    /** A transaction open for longer than the bound. */
    public record Hanging(Open open, int coordinatorEpoch, long openMs) {
        /** The operator's command that ends it (Kafka's own tool). */
        public String abortCommand(String bootstrapServers) {
            return "kafka-transactions.sh --bootstrap-server " + bootstrapServers + " abort --topic "
                    + open.partition().topic() + " --partition "
                    + open.partition().partition() + " --start-offset "
                    + open.startOffset();
        }

        @Override
        public String toString() {
            return "hanging transaction on " + open.partition() + " from offset " + open.startOffset() + " (producer "
                    + open.producerId() + ", epoch " + open.producerEpoch() + "), open for at least "
                    + ProgressWatchdog.seconds(openMs);
        }
    }
}
