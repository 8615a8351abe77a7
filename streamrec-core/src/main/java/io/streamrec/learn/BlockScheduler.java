package io.streamrec.learn;

import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Hands out the blocks of a {@code bins x bins} grid to {@link BlockSgdTrainer}'s threads: a block only while
 * no running block shares its user group or item group, each block once per epoch, in an order drawn per epoch
 * from the seed (the first free block in that order).
 *
 * <p>Two epochs are open at a time, as in LIBMF's scheduler, which has no barrier between epochs: when no block
 * of the oldest unfinished epoch is free (its last blocks run, or wait for their groups), a thread takes the first
 * free block of the next epoch instead of waiting. A block runs its epochs in order (it is busy until done), so
 * every block still sees epoch e before e + 1. With one thread nothing is ever busy when it takes a block, so the
 * sequence of blocks is the epochs' orders one after the other and depends on the seed alone.
 */
final class BlockScheduler {
    /** {@link #poll}'s answer when blocks remain but none is free. */
    static final int NONE_FREE = -2;

    private final int bins;
    private final int epochs;
    private final long seed;
    private final IntConsumer afterEpoch;
    private final boolean[] busyUsers;
    private final boolean[] busyItems;
    /** The epoch each block was last taken in. */
    private final int[] epochOfBlock;
    /** The oldest unfinished epoch, and the one after it (null when that would be past the last). */
    private Epoch current;

    private Epoch next;
    private boolean aborted;

    /** One epoch's order of blocks and which of them were taken and are done. */
    private static final class Epoch {
        final int number;
        final int[] order;
        final boolean[] taken;
        int undone;

        Epoch(int number, int blocks, long seed) {
            this.number = number;
            this.order = new int[blocks];
            this.taken = new boolean[blocks];
            this.undone = blocks;
            SplittableRandom rnd = new SplittableRandom(seed ^ (0x632BE59BD9B4E019L * (number + 1)));
            for (int b = 0; b < blocks; b++) {
                order[b] = b;
            }
            for (int b = blocks - 1; b > 0; b--) {
                int j = rnd.nextInt(b + 1);
                int t = order[b];
                order[b] = order[j];
                order[j] = t;
            }
        }
    }

    BlockScheduler(int bins, int epochs, long seed, IntConsumer afterEpoch) {
        this.bins = bins;
        this.epochs = epochs;
        this.seed = seed;
        this.afterEpoch = afterEpoch;
        this.busyUsers = new boolean[bins];
        this.busyItems = new boolean[bins];
        this.epochOfBlock = new int[bins * bins];
        this.current = new Epoch(0, bins * bins, seed);
        this.next = epochs > 1 ? new Epoch(1, bins * bins, seed) : null;
    }

    /** The next block to run, waiting while none is free; -1 when training is over (or was aborted). */
    synchronized int take() {
        while (true) {
            int b = poll();
            if (b != NONE_FREE) {
                return b;
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

    /** The next block to run if one is free now, {@link #NONE_FREE} if not; -1 when training is over. */
    synchronized int poll() {
        if (aborted || current == null) {
            return -1;
        }
        int b = takeFrom(current);
        if (b < 0 && next != null) {
            b = takeFrom(next);
        }
        return b >= 0 ? b : NONE_FREE;
    }

    /**
     * Runs a scheduler through {@code epochs} epochs on the calling thread, holding two blocks at a time as two
     * workers would, without training. A one-thread rehearsal never finds a group busy nor takes a block of the
     * next epoch, so the JIT compiles {@link #take} for that case alone and throws the code away at the first
     * epoch of a real two-thread run, which then runs slower code while it is compiled again, on a core the
     * training needs. This costs microseconds per epoch.
     */
    static void rehearseContention(int bins, int epochs) {
        BlockScheduler s = new BlockScheduler(bins, epochs, 1, null);
        int held = -1;
        while (true) {
            int b = s.poll();
            if (b == -1) {
                return;
            }
            if (b == NONE_FREE) {
                s.done(held);
                held = -1;
            } else if (held < 0) {
                held = b;
            } else {
                s.done(held);
                held = b;
            }
        }
    }

    private int takeFrom(Epoch e) {
        for (int b : e.order) {
            if (!e.taken[b] && !busyUsers[b / bins] && !busyItems[b % bins]) {
                e.taken[b] = true;
                busyUsers[b / bins] = true;
                busyItems[b % bins] = true;
                epochOfBlock[b] = e.number;
                return b;
            }
        }
        return -1;
    }

    /** The epoch (0-based) a block just taken belongs to. */
    synchronized int epochOf(int block) {
        return epochOfBlock[block];
    }

    /** Marks a block taken by {@link #take} as done; the last block of an epoch opens the one after the next. */
    synchronized void done(int block) {
        busyUsers[block / bins] = false;
        busyItems[block % bins] = false;
        (epochOfBlock[block] == current.number ? current : next).undone--;
        while (current != null && current.undone == 0) {
            if (afterEpoch != null) {
                afterEpoch.accept(current.number + 1);
            }
            current = next;
            next = current != null && current.number + 1 < epochs
                    ? new Epoch(current.number + 1, bins * bins, seed)
                    : null;
        }
        notifyAll();
    }

    /** Stops handing out blocks (a worker failed). */
    synchronized void abort() {
        aborted = true;
        notifyAll();
    }
}
