package io.streamrec.app;

import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness that tells the truth: Kafka Streams may report RUNNING for minutes while nothing gets processed (a
 * transaction that cannot commit, a broker that does not answer). Each {@link #check()} samples the Kafka Streams
 * state, the count of processed input records and, when needed, the records waiting on the input, and says whether
 * the instance is ready:
 *
 * <ul>
 *   <li><b>RUNNING</b>: ready when the processed count rose within {@code maxStallMs}, or when no record waits on
 *       the input (an idle instance is healthy). Not ready when the count has not risen for longer than
 *       {@code maxStallMs} while records wait.</li>
 *   <li><b>REBALANCING</b>, after the instance has been RUNNING once: judged as RUNNING for up to
 *       {@code maxStallMs} since the rebalance began, not ready past it. Every member of a group rebalances at the
 *       same moment, so readiness that required RUNNING would take the whole fleet out of service on every scale
 *       out or restart; a rebalance that lasts longer than the stall budget is a stall.</li>
 *   <li>REBALANCING before the first RUNNING (start-up, restoring state), CREATED, PENDING_SHUTDOWN, NOT_RUNNING,
 *       PENDING_ERROR, ERROR: not ready.</li>
 * </ul>
 *
 * <p>The stall clock starts when the instance is first seen RUNNING, not at construction, so a long start-up
 * restoration is not counted as a stall. Progress and state changes are noticed when sampled: call {@link #check()}
 * regularly (TrainerApp does every second) so that a flip is logged when it happens and not at the next probe.
 * A flip is logged once, at WARN when the instance stops being ready and at INFO when it becomes ready.
 *
 * <p>Thread-safe: {@link #check()} is synchronized; the suppliers are called from the caller's thread, and the
 * lag supplier may block (it may ask the brokers), so a probe should read {@link #latest()} rather than check.
 */
public final class ProgressWatchdog {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressWatchdog.class);

    private final long maxStallMs;
    private final String inputName;
    private final Supplier<KafkaStreams.State> state;
    private final LongSupplier processed;
    private final LongSupplier waiting;
    private final LongSupplier clockMillis;
    private final FlipLog flipLog;

    private KafkaStreams.State lastState;
    private long stateSince;
    private boolean seenRunning;
    private long lastProcessed;
    private long progressAt;
    private Boolean lastReady;
    private volatile Readiness latest;

    /**
     * @param maxStallMs  longest time without progress while input waits, and longest REBALANCING, still ready; > 0
     * @param inputName   the input's name for messages ("interactions")
     * @param state       the Kafka Streams state
     * @param processed   input records processed so far (trained and rejected); any non-decreasing count
     * @param waiting     records waiting on the input (consumer lag); read only when the instance has stalled
     * @param clockMillis a monotonic clock in milliseconds
     */
    public ProgressWatchdog(
            long maxStallMs,
            String inputName,
            Supplier<KafkaStreams.State> state,
            LongSupplier processed,
            LongSupplier waiting,
            LongSupplier clockMillis) {
        this(maxStallMs, inputName, state, processed, waiting, clockMillis, ProgressWatchdog::log);
    }

    /** The same, telling flips to {@code flipLog} instead of the log: for tests. */
    ProgressWatchdog(
            long maxStallMs,
            String inputName,
            Supplier<KafkaStreams.State> state,
            LongSupplier processed,
            LongSupplier waiting,
            LongSupplier clockMillis,
            FlipLog flipLog) {
        if (maxStallMs <= 0) {
            throw new IllegalArgumentException("maxStallMs must be > 0, got " + maxStallMs);
        }
        this.maxStallMs = maxStallMs;
        this.inputName = inputName;
        this.state = state;
        this.processed = processed;
        this.waiting = waiting;
        this.clockMillis = clockMillis;
        this.flipLog = flipLog;
    }

    /** A watchdog over {@code streams} with the system's monotonic clock. */
    public static ProgressWatchdog of(
            KafkaStreams streams, long maxStallMs, String inputTopic, LongSupplier processed, LongSupplier waiting) {
        return new ProgressWatchdog(
                maxStallMs, inputTopic, streams::state, processed, waiting, () -> System.nanoTime() / 1_000_000);
    }

    /** The verdict of the latest {@link #check()}, without sampling anything; null before the first check. */
    public Readiness latest() {
        return latest;
    }

    /** Samples state, progress and (when stalled) lag, logs a flip, and returns the verdict. */
    public synchronized Readiness check() {
        long now = clockMillis.getAsLong();
        KafkaStreams.State s = state.get();
        if (s != lastState) {
            lastState = s;
            stateSince = now;
        }
        long count = processed.getAsLong();
        if (!seenRunning && s == KafkaStreams.State.RUNNING) {
            seenRunning = true;
            progressAt = now;
            lastProcessed = count;
        } else if (seenRunning && count != lastProcessed) {
            lastProcessed = count;
            progressAt = now;
        }
        Readiness r = decide(s, now);
        if (lastReady == null || lastReady != r.ready()) {
            flipLog.flipped(r, lastReady == null);
            lastReady = r.ready();
        }
        latest = r;
        return r;
    }

    private Readiness decide(KafkaStreams.State s, long now) {
        long sinceProgress = seenRunning ? now - progressAt : -1;
        if (s == KafkaStreams.State.REBALANCING) {
            if (!seenRunning) {
                return verdict(
                        false, s, "starting: Kafka Streams is REBALANCING and has not been RUNNING yet", sinceProgress);
            }
            long rebalancing = now - stateSince;
            if (rebalancing > maxStallMs) {
                return verdict(
                        false,
                        s,
                        "REBALANCING for " + seconds(rebalancing) + ", longer than the " + seconds(maxStallMs)
                                + " allowed (readiness.max.stall.ms)",
                        sinceProgress);
            }
        } else if (s != KafkaStreams.State.RUNNING) {
            return verdict(false, s, "Kafka Streams is " + s, sinceProgress);
        }
        String during =
                s == KafkaStreams.State.REBALANCING ? " (rebalancing for " + seconds(now - stateSince) + ")" : "";
        if (sinceProgress <= maxStallMs) {
            return verdict(
                    true,
                    s,
                    "processing input, last progress " + seconds(sinceProgress) + " ago" + during,
                    sinceProgress);
        }
        long lag = waiting.getAsLong();
        if (lag <= 0) {
            return verdict(
                    true,
                    s,
                    "idle: no records waiting on " + inputName + ", last progress " + seconds(sinceProgress) + " ago"
                            + during,
                    sinceProgress);
        }
        return verdict(
                false,
                s,
                "no progress for " + seconds(sinceProgress) + " with " + lag + (lag == 1 ? " record" : " records")
                        + " waiting on " + inputName + during,
                sinceProgress);
    }

    /** Ready at INFO; not ready at WARN, except the first verdict (starting up is not news). */
    private static void log(Readiness r, boolean first) {
        if (r.ready()) {
            LOG.info("ready: {}", r.reason());
        } else if (first) {
            LOG.info("not ready: {}", r.reason());
        } else {
            LOG.warn("not ready: {}", r.reason());
        }
    }

    private static Readiness verdict(boolean ready, KafkaStreams.State s, String reason, long sinceProgress) {
        return new Readiness(ready, s == null ? "UNKNOWN" : s.name(), reason, sinceProgress);
    }

    /** Told once per change of the verdict: the first verdict, then each flip between ready and not ready. */
    interface FlipLog {
        void flipped(Readiness now, boolean first);
    }

    /** Tenths below ten seconds, whole seconds from there: "0.4 s", "31 s". */
    static String seconds(long millis) {
        return millis < 10_000 ? String.format(Locale.ROOT, "%.1f s", millis / 1000.0) : (millis / 1000) + " s";
    }
}
