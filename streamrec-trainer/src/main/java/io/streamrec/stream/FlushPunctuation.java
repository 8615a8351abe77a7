package io.streamrec.stream;

import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessingContext;

/**
 * The {@code flush.interval.ms} punctuation of the user and item tasks, which ends in a commit.
 *
 * <p>Under exactly-once a published row becomes visible only when its transaction commits. On Kafka Streams' own
 * commit timer, independent of the flush, a row would wait for the flush and then again for the next commit. Each
 * flush therefore asks for a commit ({@link ProcessingContext#commit()}), which the stream thread makes right after
 * its punctuators have run: a row is visible one commit after its flush, and the commits follow the flushes.
 *
 * <p>A stream thread runs several tasks in one transaction (exactly_once_v2) and commits all of them when any one
 * asks. So that its tasks ask at the same moment rather than each on its own phase (which would multiply the
 * commits), every punctuation is anchored to the epoch: all tasks of all instances flush at the multiples of the
 * interval (as far as their clocks agree), and a thread makes one commit per interval. Kafka Streams'
 * {@code commit.interval.ms} timer, which such a commit does not reset, stays a backstop (see {@link KafkaSettings}).
 */
final class FlushPunctuation {
    private FlushPunctuation() {}

    /** Schedules {@code flush} every {@code intervalMs} of wall-clock time, on the epoch's phase, then a commit. */
    static Cancellable schedule(ProcessingContext context, long intervalMs, Runnable flush) {
        return context.schedule(Instant.EPOCH, Duration.ofMillis(intervalMs), PunctuationType.WALL_CLOCK_TIME, t -> {
            flush.run();
            context.commit();
        });
    }
}
