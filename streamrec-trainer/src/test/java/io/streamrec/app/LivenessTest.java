package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class LivenessTest {
    private static Liveness judge(State state, int threads) {
        return Liveness.of(() -> state, () -> {
            if (state != State.RUNNING && state != State.REBALANCING) {
                throw new IllegalStateException("KafkaStreams is not running. State is " + state);
            }
            return threads;
        });
    }

    @Test
    void shouldBeAliveWhileRunningOrRebalancingWithStreamThreads() {
        Liveness running = judge(State.RUNNING, 2);
        assertTrue(running.alive());
        assertEquals(2, running.streamThreads());
        assertTrue(judge(State.REBALANCING, 1).alive());
    }

    @Test
    void shouldBeDeadWhenKafkaStreamsFailedOrStoppedOrLostEveryThread() {
        for (State dead : new State[] {State.ERROR, State.PENDING_ERROR, State.NOT_RUNNING}) {
            Liveness l = judge(dead, 0);
            assertFalse(l.alive(), dead.name());
            assertTrue(l.reason().contains(dead.name()), l.reason());
        }
        Liveness noThreads = judge(State.RUNNING, 0);
        assertFalse(noThreads.alive());
        assertEquals("Kafka Streams is RUNNING but no stream thread is alive", noThreads.reason());
    }

    @Test
    void shouldLeaveStartingAndClosingProcessesAlone() {
        assertTrue(judge(State.CREATED, 0).alive(), "starting up");
        assertTrue(judge(State.PENDING_SHUTDOWN, 0).alive(), "closing on purpose");
    }

    @Test
    void shouldNotCallAStateChangeBetweenTwoReadsDeath() {
        Liveness l = Liveness.of(() -> State.RUNNING, () -> {
            throw new IllegalStateException("KafkaStreams is not running. State is PENDING_SHUTDOWN");
        });
        assertTrue(l.alive());
        assertEquals(-1, l.streamThreads());
    }
}
