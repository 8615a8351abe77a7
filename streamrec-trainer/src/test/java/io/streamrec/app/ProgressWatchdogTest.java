package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Readiness from a fake clock, a fake Kafka Streams state, a fake processed-input count and a fake lag. */
class ProgressWatchdogTest {
    private static final long STALL_MS = 30_000;

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong lag = new AtomicLong();
    private final AtomicInteger lagReads = new AtomicInteger();
    private final List<String> flips = new ArrayList<>();
    private ProgressWatchdog watchdog;

    @BeforeEach
    void createWatchdog() {
        watchdog = new ProgressWatchdog(
                STALL_MS,
                "interactions",
                state::get,
                processed::get,
                () -> {
                    lagReads.incrementAndGet();
                    return lag.get();
                },
                clock::get,
                (r, first) -> flips.add((first ? "first " : "") + (r.ready() ? "ready" : "not ready")));
    }

    private void advance(long millis) {
        clock.addAndGet(millis);
    }

    /** Starts, rebalances once and reaches RUNNING, as Kafka Streams does. */
    private void startRunning() {
        state.set(State.REBALANCING);
        watchdog.check();
        advance(2_000);
        state.set(State.RUNNING);
        assertTrue(watchdog.check().ready(), "a fresh RUNNING instance gets the stall time to show progress");
    }

    @Test
    void shouldBeReadyWhileRunningAndProgressing() {
        startRunning();
        lag.set(5_000);
        for (int i = 0; i < 10; i++) {
            advance(20_000);
            processed.addAndGet(100);
            Readiness r = watchdog.check();
            assertTrue(r.ready(), r.reason());
            assertEquals("RUNNING", r.state());
            assertEquals(0, r.millisSinceProgress());
        }
        assertEquals(0, lagReads.get(), "the lag is read only when the instance has stalled");
    }

    @Test
    void shouldNotBeReadyAfterTheStallTimeWithRecordsWaiting() {
        startRunning();
        processed.addAndGet(10);
        watchdog.check();
        lag.set(1_200);
        advance(STALL_MS);
        assertTrue(watchdog.check().ready(), "exactly the stall time is still tolerated");
        advance(1_000);
        Readiness r = watchdog.check();
        assertFalse(r.ready());
        assertEquals("RUNNING", r.state());
        assertEquals(STALL_MS + 1_000, r.millisSinceProgress());
        assertEquals("no progress for 31 s with 1200 records waiting on interactions", r.reason());
    }

    @Test
    void shouldBeReadyAgainOnceProgressResumes() {
        startRunning();
        lag.set(1_200);
        advance(STALL_MS + 5_000);
        assertFalse(watchdog.check().ready());
        advance(3_000);
        processed.incrementAndGet();
        Readiness r = watchdog.check();
        assertTrue(r.ready(), r.reason());
        assertEquals(0, r.millisSinceProgress());
        assertTrue(r.reason().startsWith("processing input"), r.reason());
    }

    @Test
    void shouldBeReadyWhenIdleWithNothingWaiting() {
        startRunning();
        lag.set(0);
        advance(10 * STALL_MS);
        Readiness r = watchdog.check();
        assertTrue(r.ready(), r.reason());
        assertEquals(10 * STALL_MS, r.millisSinceProgress());
        assertEquals("idle: no records waiting on interactions, last progress 300 s ago", r.reason());
        lag.set(1);
        assertEquals(
                "no progress for 300 s with 1 record waiting on interactions",
                watchdog.check().reason(),
                "one record arriving at a stuck instance makes it not ready");
    }

    @Test
    void shouldTellEachFlipOnceAndNotEachCheck() {
        startRunning();
        lag.set(10);
        for (int i = 0; i < 5; i++) {
            advance(STALL_MS);
            watchdog.check();
        }
        processed.incrementAndGet();
        watchdog.check();
        watchdog.check();
        assertEquals(List.of("first not ready", "ready", "not ready", "ready"), flips);
    }

    @Test
    void shouldStayReadyThroughARebalanceShorterThanTheStallTime() {
        startRunning();
        state.set(State.REBALANCING);
        watchdog.check();
        advance(STALL_MS - 1_000);
        processed.incrementAndGet();
        Readiness r = watchdog.check();
        assertTrue(r.ready(), r.reason());
        assertEquals("REBALANCING", r.state());
        assertTrue(r.reason().endsWith("(rebalancing for 29 s)"), r.reason());
    }

    @Test
    void shouldNotBeReadyWhenRebalancingLongerThanTheStallTimeEvenWhileProgressing() {
        startRunning();
        state.set(State.REBALANCING);
        watchdog.check();
        advance(STALL_MS + 1_000);
        processed.incrementAndGet();
        Readiness r = watchdog.check();
        assertFalse(r.ready());
        assertEquals("REBALANCING for 31 s, longer than the 30 s allowed (readiness.max.stall.ms)", r.reason());
        state.set(State.RUNNING);
        assertTrue(watchdog.check().ready(), "back to RUNNING, with recent progress");
    }

    @Test
    void shouldKeepAStallAcrossARebalance() {
        startRunning();
        lag.set(50);
        advance(STALL_MS + 1_000);
        assertFalse(watchdog.check().ready());
        state.set(State.REBALANCING);
        advance(1_000);
        assertFalse(watchdog.check().ready(), "a rebalance does not reset the stall clock");
        state.set(State.RUNNING);
        advance(1_000);
        assertFalse(watchdog.check().ready(), "nor does RUNNING again");
    }

    @Test
    void shouldNotBeReadyWhileStartingAndCountTheStallFromTheFirstRunning() {
        state.set(State.REBALANCING);
        assertEquals(null, watchdog.latest(), "no verdict before the first check");
        Readiness starting = watchdog.check();
        assertEquals(starting, watchdog.latest());
        assertFalse(starting.ready());
        assertEquals(-1, starting.millisSinceProgress());
        assertEquals("starting: Kafka Streams is REBALANCING and has not been RUNNING yet", starting.reason());
        advance(10 * STALL_MS); // a long restoration at start-up
        assertFalse(watchdog.check().ready());
        state.set(State.RUNNING);
        lag.set(100_000);
        Readiness running = watchdog.check();
        assertTrue(running.ready(), running.reason());
        assertEquals(0, running.millisSinceProgress());
    }

    @ParameterizedTest
    @EnumSource(
            value = State.class,
            names = {"CREATED", "PENDING_SHUTDOWN", "NOT_RUNNING", "PENDING_ERROR", "ERROR"})
    void shouldNotBeReadyWhenKafkaStreamsIsNotRunningOrRebalancing(State s) {
        startRunning();
        state.set(s);
        Readiness r = watchdog.check();
        assertFalse(r.ready());
        assertEquals(s.name(), r.state());
        assertEquals("Kafka Streams is " + s, r.reason());
    }

    @Test
    void shouldRejectANonPositiveStallTime() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new ProgressWatchdog(0, "interactions", state::get, processed::get, lag::get, clock::get));
        assertEquals("maxStallMs must be > 0, got 0", e.getMessage());
    }
}
