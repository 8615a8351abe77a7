package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.learn.ItemBasis;
import io.streamrec.learn.ResidualBasis;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The basis task alone, over in-memory stores that hold what the changelogs would restore: a task that crashed
 * after a commit, and started again over its stores, must publish the bases a task that never stopped publishes,
 * bit for bit, whether its residuals were saved with the learner or were still in the pending log.
 */
class ResidualBasisProcessorTest {
    @TempDir
    Path stateDir;

    private static final int SAVED = 6_000;
    private static final int PENDING = 6_000;
    private static final int AFTER = 10_000;

    /** The stores of one basis task, kept across "restarts". */
    private static final class Task {
        final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
        final PendingLog pending;

        Task() {
            context.setCurrentSystemTimeMs(StreamFixtures.NOW);
            StreamFixtures.addStore(
                    context,
                    Stores.keyValueStoreBuilder(
                            Stores.inMemoryKeyValueStore(Topics.RESIDUAL_BASIS_STORE),
                            Serdes.String(),
                            Serdes.ByteArray()));
            pending = StreamFixtures.addStore(context, PendingLog.builder(Topics.RESIDUAL_BASIS_PENDING_STORE));
        }

        ResidualBasisProcessor start(TrainerConfig c) {
            ResidualBasisProcessor p = new ResidualBasisProcessor(c, new RecordingListener());
            p.init(context);
            return p;
        }

        /** Fires the save the latest processor scheduled. */
        void save() {
            var ps = context.scheduledPunctuators();
            ps.get(ps.size() - 1).getPunctuator().punctuate(StreamFixtures.NOW);
        }

        /** What Kafka Streams does to the stores right before it commits the task. */
        void commit() {
            pending.flushCache();
        }

        /** The bases forwarded to residual-bases, in order. */
        List<ItemBasis> bases() {
            List<ItemBasis> out = new ArrayList<>();
            for (var f : context.forwarded()) {
                assertEquals(ResidualBasisProcessor.BASIS_KEY, f.record().key());
                out.add(ItemBasis.fromBytes(f.record().value()));
            }
            return out;
        }
    }

    @Test
    void shouldPublishTheSameBasesAfterACrashAsWithout() {
        TrainerConfig c = StreamFixtures.config(
                stateDir, TrainerConfig.NEIGHBOURHOOD, "true", TrainerConfig.USER_CACHE_ROWS, "50");
        List<Record<String, byte[]>> residuals = residuals(SAVED + PENDING + AFTER);

        Task straight = new Task();
        feed(straight.start(c), residuals, 0, residuals.size());

        Task crashed = new Task();
        ResidualBasisProcessor before = crashed.start(c);
        feed(before, residuals, 0, SAVED);
        crashed.save();
        feed(before, residuals, SAVED, SAVED + PENDING);
        crashed.commit();
        int publishedBefore = crashed.bases().size();
        // A new processor over the same stores, as after a crash right after that commit.
        feed(crashed.start(c), residuals, SAVED + PENDING, residuals.size());

        List<ItemBasis> expected = straight.bases();
        List<ItemBasis> got = crashed.bases();
        assertTrue(expected.size() >= 4, "bases: " + expected.size());
        assertEquals(2, publishedBefore, "bases 0 and 1, the second while the residuals were pending");
        // After the restart: the pending residuals' last basis again, then the same as the task that never stopped.
        assertEquals(expected.size() + 1, got.size());
        assertEquals(1, got.get(publishedBefore).version());
        for (int b = 0; b < expected.size(); b++) {
            ItemBasis want = expected.get(b);
            ItemBasis have = got.get(b < publishedBefore ? b : b + 1);
            assertEquals(want.version(), have.version());
            assertArrayEquals(want.toBytes(), have.toBytes(), "basis " + want.version());
        }
        assertArrayEquals(expected.get(1).toBytes(), got.get(publishedBefore).toBytes());
    }

    private static void feed(ResidualBasisProcessor p, List<Record<String, byte[]>> residuals, int from, int to) {
        for (Record<String, byte[]> r : residuals.subList(from, to)) {
            p.process(r);
        }
    }

    /** Users' residuals of two planted item groups, some users many times over so that histories are dropped. */
    private static List<Record<String, byte[]>> residuals(int n) {
        Random random = new Random(5);
        List<Record<String, byte[]>> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int user = random.nextInt(120);
            int item = random.nextInt(ResidualBasis.ITEMS + 60);
            double r = (user % 2 == item % 2 ? 0.8 : -0.8) + 0.4 * random.nextGaussian();
            out.add(new Record<>("u" + user, Codecs.encodeResidual("i" + item, r), StreamFixtures.NOW));
        }
        return out;
    }
}
