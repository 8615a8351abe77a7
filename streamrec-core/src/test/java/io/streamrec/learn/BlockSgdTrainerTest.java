package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.eval.RegressionMetrics;
import io.streamrec.model.ModelKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Parallel SGD over blocks: recovers a planted model, reproducible with one thread, safe with several. */
class BlockSgdTrainerTest {
    private static final double NOISE = 0.1;
    /** Held-out RMSE may exceed the noise level by this factor plus {@link #RMSE_SLACK} (as ConvergenceTest). */
    private static final double RMSE_FACTOR = 1.5;

    private static final double RMSE_SLACK = 0.05;
    /** The median of three two-thread runs may end this much (relative) above one thread's held-out RMSE. */
    private static final double THREADS_RMSE_GAP = 0.05;

    private static final SyntheticRatings DATA = new SyntheticRatings(
            SyntheticRatings.Spec.explicit(300, 200, 3, 17).withNoise(NOISE).withZipf(0.5));
    private static final List<Rating> EVENTS = DATA.take(60_000);
    private static final List<Rating> TRAIN = EVENTS.subList(0, 50_000);
    private static final List<Rating> TEST = EVENTS.subList(50_000, EVENTS.size());

    private static Hyperparameters hyper() {
        return Hyperparameters.pretrainDefaults(ModelKind.BIASED_MF)
                .withFactors(3)
                .withRegularization(0.001, 0.001);
    }

    private static double heldOutRmse(Model model) {
        RegressionMetrics m = new RegressionMetrics();
        for (Rating r : TEST) {
            m.add(r.label(), model.predict(r.user(), r.item()));
        }
        return m.rmse();
    }

    @Test
    void shouldReachTheNoiseLevelOnAPlantedModel() {
        Model model = new BlockSgdTrainer(hyper(), 30, 1, 7).train(TRAIN, null);

        double bound = RMSE_FACTOR * NOISE + RMSE_SLACK;
        double rmse = heldOutRmse(model);
        assertTrue(rmse < bound, "held-out RMSE " + rmse + " should be below " + bound);
        assertEquals(30L * TRAIN.size(), model.eventsSeen());
        assertEquals(30L * TRAIN.size(), sumUpdates(model.users()), "every event updates its user row once per epoch");
        assertStepsPerRow(model.users(), TRAIN.stream().map(Rating::user).toList(), 30);
        assertStepsPerRow(model.items(), TRAIN.stream().map(Rating::item).toList(), 30);
    }

    /** Each row's version and update count: one step per event of its id and epoch. */
    private static void assertStepsPerRow(FactorTable table, List<String> idOfEvent, int epochs) {
        java.util.Map<String, Long> events = new java.util.HashMap<>();
        for (String id : idOfEvent) {
            events.merge(id, 1L, Long::sum);
        }
        assertEquals(events.size(), table.size());
        for (int r = 0; r < table.size(); r++) {
            long expected = epochs * events.get(table.id(r));
            assertEquals(expected, table.updates(r), "update count of " + table.id(r));
            assertEquals(expected, table.version(r), "version of " + table.id(r));
        }
    }

    @Test
    void shouldGiveTheSameModelForTheSameSeedOnOneThread() {
        Model a = new BlockSgdTrainer(hyper(), 5, 1, 7).train(TRAIN, null);
        Model b = new BlockSgdTrainer(hyper(), 5, 1, 7).train(TRAIN, null);
        Model c = new BlockSgdTrainer(hyper(), 5, 1, 8).train(TRAIN, null);

        assertArrayEquals(paramsById(a), paramsById(b));
        assertFalse(Arrays.equals(paramsById(a), paramsById(c)), "another seed should give another model");
    }

    @Test
    void shouldGiveTheSameModelWhetherOrNotTheWarmUpRanFirst() {
        Model cold = new BlockSgdTrainer(hyper(), 5, 1, 7).train(TRAIN, null);
        BlockSgdTrainer.prepare(hyper());
        Model prepared = new BlockSgdTrainer(hyper(), 5, 1, 7).train(TRAIN, null);

        assertArrayEquals(paramsById(cold), paramsById(prepared), "the warm-up's throwaway run must leave no trace");
    }

    @Test
    void shouldTrainAsWellOnTwoThreads() {
        double one = heldOutRmse(new BlockSgdTrainer(hyper(), 30, 1, 7).train(TRAIN, null));
        // Which blocks two threads run side by side depends on timing, so each run is one more order of the same
        // SGD, and on this planted model orders have a tail: one thread over 1,000 seeds ends above 0.118 in 2% of
        // them (up to 0.165, against 0.1155 typically), and two threads' orders reached 0.30 once in a few hundred
        // runs (replaying such a run's block order on one thread gives the same figure, so it is the order, not a
        // race). The median of three runs is held to one thread's figure.
        double[] rmse = new double[3];
        for (int run = 0; run < rmse.length; run++) {
            Model two = new BlockSgdTrainer(hyper(), 30, 2, 7).train(TRAIN, null);
            rmse[run] = heldOutRmse(two);
            assertEquals(30L * TRAIN.size(), sumUpdates(two.items()), "no event lost or run twice");
        }
        double[] sorted = rmse.clone();
        Arrays.sort(sorted);
        assertTrue(
                sorted[1] < one * (1 + THREADS_RMSE_GAP),
                "two threads " + Arrays.toString(rmse) + " (median) against one " + one);
    }

    @Test
    void shouldRefuseOptimizersOtherThanAdaGrad() {
        Hyperparameters sgd = hyper().withOptimizer(new Optimizer.Sgd());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new BlockSgdTrainer(sgd, 1, 1, 7));
        assertTrue(e.getMessage().contains("AdaGrad"), e.getMessage());
    }

    @Test
    void schedulerShouldRunEachBlockOncePerEpochAndNeverTwoSharingAGroup() throws Exception {
        int bins = 6;
        int epochs = 4;
        List<Integer> finished = new ArrayList<>();
        BlockScheduler scheduler = new BlockScheduler(bins, epochs, 3, finished::add);
        boolean[] userBusy = new boolean[bins];
        boolean[] itemBusy = new boolean[bins];
        List<Set<Integer>> seen = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            seen.add(new HashSet<>());
        }
        AtomicReference<String> problem = new AtomicReference<>();
        Runnable worker = () -> {
            int block;
            while ((block = scheduler.take()) >= 0) {
                int epoch = scheduler.epochOf(block);
                synchronized (userBusy) {
                    if (userBusy[block / bins] || itemBusy[block % bins]) {
                        problem.set("block " + block + " ran beside another block of its groups");
                    }
                    userBusy[block / bins] = true;
                    itemBusy[block % bins] = true;
                    if (!seen.get(epoch).add(block)) {
                        problem.set("block " + block + " ran twice in epoch " + epoch);
                    }
                    if (epoch > 0 && !seen.get(epoch - 1).contains(block)) {
                        problem.set("block " + block + " ran epoch " + epoch + " before epoch " + (epoch - 1));
                    }
                }
                Thread.onSpinWait();
                synchronized (userBusy) {
                    userBusy[block / bins] = false;
                    itemBusy[block % bins] = false;
                }
                scheduler.done(block);
            }
        };
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread thread = new Thread(worker);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(30_000);
        }

        assertEquals(null, problem.get());
        for (Set<Integer> epoch : seen) {
            assertEquals(bins * bins, epoch.size());
        }
        assertEquals(List.of(1, 2, 3, 4), finished);
    }

    @Test
    void schedulerShouldHandOutTheNextEpochsBlocksRatherThanWaitAtTheEndOfAnEpoch() throws Exception {
        BlockScheduler scheduler = new BlockScheduler(2, 3, 5, null);
        int slow = scheduler.take(); // held: its groups stay busy
        int other = scheduler.take(); // the one block of the four that shares no group with it
        assertEquals(3 - slow, other);
        scheduler.done(other);
        // Epoch 0's two remaining blocks share a group with the slow one; the next epoch's copy of the other does not.
        FutureTask<Integer> again = new FutureTask<>(scheduler::take);
        Thread taker = new Thread(again, "taker");
        taker.setDaemon(true); // a scheduler that waits instead would hold it: the test fails at the timeout below
        taker.start();
        assertEquals(other, again.get(10, TimeUnit.SECONDS));
        assertEquals(1, scheduler.epochOf(other));
        assertEquals(0, scheduler.epochOf(slow));
        scheduler.abort();
    }

    @Test
    void schedulerPollShouldSayNoneIsFreeInsteadOfWaitingAndTheContentionRehearsalShouldFinish() throws Exception {
        BlockScheduler scheduler = new BlockScheduler(2, 1, 5, null);
        int first = scheduler.poll();
        int second = scheduler.poll();
        assertEquals(3 - first, second);
        // Both remaining blocks of the only epoch share a group with a running one.
        assertEquals(BlockScheduler.NONE_FREE, scheduler.poll());
        scheduler.done(first);
        assertEquals(BlockScheduler.NONE_FREE, scheduler.poll(), "both still share a group with the second");
        scheduler.done(second);
        int third = scheduler.poll();
        int fourth = scheduler.poll();
        assertEquals(Set.of(0, 1, 2, 3), Set.of(first, second, third, fourth));
        scheduler.done(third);
        scheduler.done(fourth);
        assertEquals(-1, scheduler.poll());

        // One thread holding two blocks must neither deadlock nor fail at an epoch's end, on any grid.
        FutureTask<Void> rehearsal = new FutureTask<>(() -> {
            for (int bins = 1; bins <= 21; bins += 4) {
                BlockScheduler.rehearseContention(bins, 7);
            }
            return null;
        });
        Thread t = new Thread(rehearsal, "rehearsal");
        t.setDaemon(true);
        t.start();
        rehearsal.get(30, TimeUnit.SECONDS);
    }

    private static long sumUpdates(FactorTable table) {
        long s = 0;
        for (int r = 0; r < table.size(); r++) {
            s += table.updates(r);
        }
        return s;
    }

    /** Every row's parameters, users then items, each table in id order (row numbers are an implementation detail). */
    private static float[] paramsById(Model model) {
        List<Float> out = new ArrayList<>();
        for (FactorTable t : List.of(model.users(), model.items())) {
            List<String> ids = new ArrayList<>();
            for (int r = 0; r < t.size(); r++) {
                ids.add(t.id(r));
            }
            ids.sort(null);
            for (String id : ids) {
                int r = t.indexOf(id);
                for (int f = 0; f < t.width(); f++) {
                    out.add(t.params()[r * t.width() + f]);
                }
            }
        }
        float[] a = new float[out.size()];
        for (int k = 0; k < a.length; k++) {
            a[k] = out.get(k);
        }
        return a;
    }
}
