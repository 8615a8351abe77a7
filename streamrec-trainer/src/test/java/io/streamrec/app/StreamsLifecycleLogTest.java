package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.StandbyUpdateListener.SuspendReason;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/** The lines the lifecycle log writes, captured from its sink, with a fake clock. */
class StreamsLifecycleLogTest {
    private static final TopicPartition CHANGELOG = new TopicPartition("streamrec-user-rows-changelog", 3);

    private final AtomicLong clock = new AtomicLong(5_000);
    private final List<String> lines = new ArrayList<>();
    private final StreamsLifecycleLog log = new StreamsLifecycleLog(lines::add, clock::get);

    @Test
    void shouldLogEveryTransitionWithHowLongThePreviousStateLasted() {
        clock.addAndGet(120);
        log.onChange(State.REBALANCING, State.CREATED);
        clock.addAndGet(3_200);
        log.onChange(State.RUNNING, State.REBALANCING);
        clock.addAndGet(168_000);
        log.onChange(State.PENDING_ERROR, State.RUNNING);
        assertEquals(
                List.of(
                        "CREATED -> REBALANCING after 120 ms",
                        "REBALANCING -> RUNNING after 3.2 s",
                        "RUNNING -> PENDING_ERROR after 168.0 s"),
                lines);
    }

    @Test
    void shouldLogOneLineWhenARestorationStartsAndOneWhenItEndsButNoneForBatches() {
        log.onRestoreStart(CHANGELOG, "user-rows", 100, 50_100);
        assertEquals(1, log.restoringPartitions());
        for (int i = 0; i < 50; i++) {
            clock.addAndGet(100);
            log.onBatchRestored(CHANGELOG, "user-rows", 100 + 1_000L * (i + 1), 1_000);
        }
        log.onRestoreEnd(CHANGELOG, "user-rows", 50_000);
        assertEquals(
                List.of(
                        "restoring user-rows from streamrec-user-rows-changelog-3: 50000 offsets (100 to 50100)",
                        "restored user-rows from streamrec-user-rows-changelog-3: 50000 records in 5.0 s"),
                lines);
        assertEquals(0, log.restoringPartitions());
    }

    @Test
    void shouldLogNothingForAStorePartitionWithNothingToRestore() {
        log.onRestoreStart(CHANGELOG, "user-rows", 40, 40);
        assertEquals(0, log.restoringPartitions(), "an empty restoration is not counted as restoring");
        log.onRestoreEnd(CHANGELOG, "user-rows", 0);
        assertEquals(List.of(), lines);
        log.onRestoreStart(CHANGELOG, "user-rows", 40, 45);
        log.onRestoreEnd(CHANGELOG, "user-rows", 5);
        assertEquals(2, lines.size(), "the next restoration of the same partition is logged: " + lines);
    }

    @Test
    void shouldSayHowManyStorePartitionsAreStillRestoring() {
        TopicPartition other = new TopicPartition("streamrec-item-rows-changelog", 0);
        log.onRestoreStart(CHANGELOG, "user-rows", 0, 10);
        log.onRestoreStart(other, "item-rows", 0, 20);
        clock.addAndGet(700);
        log.onRestoreEnd(CHANGELOG, "user-rows", 10);
        assertEquals(
                "restored user-rows from streamrec-user-rows-changelog-3: 10 records in 700 ms; "
                        + "1 store partition still restoring",
                lines.get(2));
    }

    @Test
    void shouldLogASuspendedRestorationWithWhatItHadRestored() {
        log.onRestoreStart(CHANGELOG, "user-rows", 0, 9_000);
        clock.addAndGet(1_500);
        log.onRestoreSuspended(CHANGELOG, "user-rows", 4_000);
        assertEquals(
                "restoration of user-rows from streamrec-user-rows-changelog-3 suspended (task moved or closed): "
                        + "4000 records restored after 1.5 s",
                lines.get(1));
        assertEquals(0, log.restoringPartitions());
    }

    @Test
    void shouldLogWhenAStandbyStopsButNotItsBatches() {
        log.onUpdateStart(CHANGELOG, "user-rows", 0);
        clock.addAndGet(60_000);
        log.onBatchLoaded(CHANGELOG, "user-rows", new TaskId(0, 3), 500, 500, 520);
        log.onUpdateSuspended(CHANGELOG, "user-rows", 500, 520, SuspendReason.PROMOTED);
        assertEquals(
                List.of("standby user-rows from streamrec-user-rows-changelog-3 stopped (promoted) after 60.0 s "
                        + "at offset 500, 20 behind the changelog end"),
                lines);
    }

    @Test
    void shouldDescribeTheTasksOfAllLocalThreadsInOrder() {
        Set<ThreadMetadata> threads = Set.of(
                thread(Set.of(new TaskId(1, 2), new TaskId(0, 0)), Set.of()),
                thread(Set.of(new TaskId(0, 1)), Set.of(new TaskId(1, 0))));
        assertEquals("tasks: active [0_0, 0_1, 1_2], standby [1_0]", StreamsLifecycleLog.describe(threads));
    }

    @Test
    void shouldStillLogTheTransitionWhenTheAssignmentCannotBeRead() {
        log.onChange(State.RUNNING, State.REBALANCING);
        assertTrue(lines.get(0).startsWith("REBALANCING -> RUNNING after "), lines.get(0));
    }

    private static ThreadMetadata thread(Set<TaskId> active, Set<TaskId> standby) {
        return proxy(ThreadMetadata.class, Map.of("activeTasks", tasks(active), "standbyTasks", tasks(standby)));
    }

    private static Set<TaskMetadata> tasks(Set<TaskId> ids) {
        Set<TaskMetadata> tasks = new java.util.HashSet<>();
        for (TaskId id : ids) {
            tasks.add(proxy(TaskMetadata.class, Map.of("taskId", id)));
        }
        return tasks;
    }

    /** A read-only metadata object answering the named getters; Kafka's implementations are internal. */
    private static <T> T proxy(Class<T> type, Map<String, Object> answers) {
        Object p = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            switch (method.getName()) {
                case "hashCode":
                    return System.identityHashCode(self);
                case "equals":
                    return self == args[0];
                default:
                    if (!answers.containsKey(method.getName())) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return answers.get(method.getName());
            }
        });
        return type.cast(p);
    }
}
