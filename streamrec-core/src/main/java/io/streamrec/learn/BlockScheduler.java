package io.streamrec.learn;

import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Hands out the blocks of a {@code bins x bins} grid to {@link BlockSgdTrainer}'s threads: a block only while
 * no running block shares its user group or item group, each block once per epoch, in an order drawn per epoch
 * from the seed (the first free block in that order). The next epoch starts when every block of this one is
 * done, so epochs never overlap. With one thread the sequence of blocks depends on the seed alone.
 */
final class BlockScheduler {
    private final int bins;
    private final int epochs;
    private final long seed;
    private final IntConsumer afterEpoch;
    private final boolean[] busyUsers;
    private final boolean[] busyItems;
    private final boolean[] taken;
    private final int[] order;
    private int epoch;
    private int remaining;
    private int running;
    private boolean aborted;

    BlockScheduler(int bins, int epochs, long seed, IntConsumer afterEpoch) {
        this.bins = bins;
        this.epochs = epochs;
        this.seed = seed;
        this.afterEpoch = afterEpoch;
        this.busyUsers = new boolean[bins];
        this.busyItems = new boolean[bins];
        this.taken = new boolean[bins * bins];
        this.order = new int[bins * bins];
        startEpoch();
    }

    private void startEpoch() {
        SplittableRandom rnd = new SplittableRandom(seed ^ (0x632BE59BD9B4E019L * (epoch + 1)));
        for (int b = 0; b < order.length; b++) {
            order[b] = b;
        }
        for (int b = order.length - 1; b > 0; b--) {
            int j = rnd.nextInt(b + 1);
            int t = order[b];
            order[b] = order[j];
            order[j] = t;
        }
        java.util.Arrays.fill(taken, false);
        remaining = order.length;
    }

    /** The next block to run, waiting while none is free; -1 when training is over (or was aborted). */
    synchronized int take() {
        while (true) {
            if (aborted || epoch >= epochs) {
                return -1;
            }
            for (int b : order) {
                if (!taken[b] && !busyUsers[b / bins] && !busyItems[b % bins]) {
                    taken[b] = true;
                    busyUsers[b / bins] = true;
                    busyItems[b % bins] = true;
                    running++;
                    return b;
                }
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                aborted = true;
                return -1;
            }
        }
    }

    /** The epoch (0-based) a block just taken belongs to. */
    synchronized int epochOf(int block) {
        return epoch;
    }

    /** Marks a block taken by {@link #take} as done; the last block of an epoch starts the next one. */
    synchronized void done(int block) {
        busyUsers[block / bins] = false;
        busyItems[block % bins] = false;
        running--;
        remaining--;
        if (remaining == 0 && running == 0) {
            epoch++;
            if (afterEpoch != null) {
                afterEpoch.accept(epoch);
            }
            if (epoch < epochs) {
                startEpoch();
            }
        }
        notifyAll();
    }

    /** Stops handing out blocks (a worker failed). */
    synchronized void abort() {
        aborted = true;
        notifyAll();
    }
}
