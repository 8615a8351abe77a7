package io.streamrec.learn;

import io.streamrec.data.Rating;
import io.streamrec.model.ModelKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Offline training for {@code pretrain --algorithm fpsg}: per-event SGD over blocks of the rating matrix, in
 * parallel without locks on the rows, as FPSG does (Chin, Zhuang, Juan and Lin, "A Fast Parallel Stochastic
 * Gradient Method for Matrix Factorization in Shared Memory Systems", ACM TIST 2015; the method of LIBMF).
 *
 * <p>Users and items are each split into {@code bins} groups by a seeded random permutation, which cuts the
 * matrix into {@code bins x bins} blocks. Two blocks that share neither a user group nor an item group touch
 * disjoint rows, so threads run such blocks at the same time on the shared tables with no locks and no races;
 * a small scheduler hands out free blocks. Every epoch runs each block once, in an order drawn from the seed; the
 * events inside a block are shuffled once, from the seed, and taken in that order every epoch (LIBMF keeps them
 * sorted by user instead). Shuffling every block again every epoch took an eighth of the time and bought no holdout
 * error.
 *
 * <p><b>Reproducibility.</b> With one thread the result depends only on the data, the hyper-parameters and the
 * seed. With more, each block still sees the same events in the same order, but which blocks run side by side
 * depends on timing, so results vary slightly from run to run (as LIBMF's do).
 *
 * <p><b>The step.</b> Biased MF or logistic MF with the model's loss, L2 on biases and factors (once per event),
 * gradient-norm clipping per row, and AdaGrad (Duchi et al. 2011) with one accumulator for the bias and one for
 * the factors of each row, the latter growing by the mean squared factor gradient: the row-wise AdaGrad that
 * LIBMF uses (Chin et al., "A Learning-Rate Schedule for Stochastic Gradient Methods to Matrix Factorization",
 * PAKDD 2015), which takes two square roots per row and step instead of one per coordinate: {@code row-adagrad}'s
 * state as it is, or with {@code adagrad} the row's accumulators spread over its per-coordinate state (bias, then
 * the factors' value in every factor).
 * The global mean is the training set's, fixed. The learning-rate schedule advances once per epoch.
 */
public final class BlockSgdTrainer {
    /** LIBMF's default number of user (and item) groups; raised to twice the threads when that is more. */
    public static final int DEFAULT_BINS = 20;

    private static final Map<Integer, CompletableFuture<RowKernel>> WARMED = new ConcurrentHashMap<>();

    private final Hyperparameters hyper;
    private final int epochs;
    private final int threads;
    private final long seed;
    /** Where the last {@link #train} spent its time: before the first epoch (rows, blocks), and in the epochs. */
    private long setupNanos;

    private long epochNanos;

    public BlockSgdTrainer(Hyperparameters hyper, int epochs, int threads, long seed) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be in 1..256, got " + threads);
        }
        if (epsilon(hyper.optimizer()) < 0) {
            throw new IllegalArgumentException("fpsg trains with AdaGrad; got optimizer "
                    + hyper.optimizer().name() + " (use sgd for others)");
        }
        this.hyper = hyper;
        this.epochs = epochs;
        this.threads = threads;
        this.seed = seed;
    }

    /**
     * Trains a new model on {@code train}.
     *
     * @param afterEpoch told the number of each finished epoch; may be null
     */
    public Model train(List<Rating> train, IntConsumer afterEpoch) {
        CompletableFuture<RowKernel> prepared = WARMED.get(hyper.factors());
        RowKernel rows = null;
        if (prepared != null) {
            try {
                rows = prepared.join();
            } catch (CompletionException e) {
                // The warm-up only saves time; its failure is no reason to fail the training.
            }
        }
        if (rows == null) {
            rows = RowKernel.best().warmedUp(hyper.factors());
        }
        return train(train, rows, afterEpoch);
    }

    private Model train(List<Rating> train, RowKernel rows, IntConsumer afterEpoch) {
        long start = System.nanoTime();
        Model model = new Model(hyper);
        int width = hyper.width();
        RatingBlocks blocks = RatingBlocks.of(model, train, Math.max(DEFAULT_BINS, 2 * threads), seed, threads > 1);
        model.mean().set(blocks.labelSum, blocks.weightSum);
        BlockKernel kernel = new BlockKernel(model, rows, width, threads > 1);
        BlockScheduler scheduler = new BlockScheduler(blocks.bins, epochs, seed, afterEpoch);
        List<Thread> workers = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long epochsStart = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Runnable work = () -> {
                try {
                    int block;
                    while ((block = scheduler.take()) >= 0) {
                        int epoch = scheduler.epochOf(block);
                        float lr = (float) hyper.schedule().rate((long) epoch * train.size());
                        kernel.run(blocks, block, lr);
                        scheduler.done(block);
                    }
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                    scheduler.abort();
                }
            };
            if (threads == 1) {
                work.run();
            } else {
                Thread worker = new Thread(work, "fpsg-" + t);
                workers.add(worker);
                worker.start();
            }
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training", e);
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("training failed: " + failure.get(), failure.get());
        }
        kernel.finish(blocks, epochs, threads > 1);
        epochNanos = System.nanoTime() - epochsStart;
        setupNanos = epochsStart - start;
        model.addEventsSeen((long) epochs * train.size());
        return model;
    }

    /** Seconds the last {@link #train} took before its first epoch: the model, its rows and the blocks. */
    public double setupSeconds() {
        return setupNanos / 1e9;
    }

    /** Seconds the last {@link #train} spent in its epochs, the threads' start and end included. */
    public double epochSeconds() {
        return epochNanos / 1e9;
    }

    /**
     * Starts getting this trainer's code compiled, on a daemon thread, for the given hyper-parameters' model; {@link
     * #train} waits for it. A caller that reads its input first calls this before reading, so that the compilation
     * (about half a second of a cold JVM, most of it the Vector API's classes and the kernel) overlaps the reading.
     * Without it {@link #train} warms up the kernel alone, before it builds the blocks: for a small training the
     * throwaway run would cost more than it saves.
     */
    public static void prepare(Hyperparameters hyper) {
        WARMED.computeIfAbsent(hyper.factors(), n -> {
            CompletableFuture<RowKernel> f = new CompletableFuture<>();
            Thread t = new Thread(
                    () -> {
                        try {
                            RowKernel rows = RowKernel.best().warmedUp(n);
                            rehearse(hyper, rows);
                            f.complete(rows);
                        } catch (RuntimeException | Error e) {
                            f.completeExceptionally(e);
                        }
                    },
                    "fpsg-warm-up");
            t.setDaemon(true);
            t.start();
            return f;
        });
    }

    /**
     * Trains a throwaway model on a small random problem through the same code as {@link #train}, so that the JIT
     * has compiled the block building and the epoch loop, not only the kernel, before the real data arrive; then
     * rehearses the scheduler's contended path, which one thread never takes.
     */
    private static void rehearse(Hyperparameters hyper, RowKernel rows) {
        SplittableRandom rnd = new SplittableRandom(1);
        List<Rating> fake = new ArrayList<>();
        for (int e = 0; e < 20_000; e++) {
            fake.add(new Rating("u" + rnd.nextInt(400), "i" + rnd.nextInt(200), rnd.nextInt(2), e));
        }
        new BlockSgdTrainer(hyper, 20, 1, 1).train(fake, rows, null);
        BlockScheduler.rehearseContention(DEFAULT_BINS, 50);
    }

    /**
     * The loops over the factors that run: {@code vector-256} when the JVM has {@code jdk.incubator.vector}
     * ({@code java --add-modules jdk.incubator.vector ...}), else {@code scalar}.
     */
    public static String kernel() {
        return RowKernel.best().name();
    }

    /** The epsilon of AdaGrad in either form (the kernel is row-wise in both), -1 for another optimizer. */
    static float epsilon(Optimizer o) {
        if (o instanceof Optimizer.RowAdaGrad a) {
            return a.epsilon();
        }
        return o instanceof Optimizer.AdaGrad a ? a.epsilon() : -1f;
    }

    /**
     * The per-event step; rows of concurrently running blocks never overlap. It trains on copies of the tables'
     * rows packed with their two AdaGrad accumulators (bias, factors, then the accumulators: {@code width + 2}
     * floats a row), so that an event reads and writes two packed rows and nothing else; {@link #finish} writes
     * them back. Separate accumulator, version and update-count arrays cost three more cache lines per row and
     * event, which showed with two threads on two cores.
     *
     * <p>With the user scale ({@link Hyperparameters#userScale}) a row's last parameter is c_u (users) or a copy of
     * b_i (items), stepped as {@link RowUpdater} steps them, and each packed row has a third accumulator, c_u's.
     */
    static final class BlockKernel {
        private final Model model;
        private final float[] up;
        private final float[] ip;
        private final int width;
        /** Factors per row: width - 1, less the scale's coordinate with the user scale. */
        private final int factors;

        private final boolean scaled;
        private final int stride;
        private final boolean squared;
        private final Loss loss;
        private final double offset;
        private final float regBias;
        private final float regFactor;
        private final float clip;
        private final float epsilon;
        private final RowKernel rows;

        BlockKernel(Model model, RowKernel rows, int width, boolean parallel) {
            Hyperparameters h = model.hyper();
            this.model = model;
            this.rows = rows;
            this.width = width;
            this.scaled = model.hyper().userScale();
            this.factors = model.hyper().factors();
            this.stride = width + (scaled ? 3 : 2);
            float[][] packed = new float[2][];
            RatingBlocks.inParallel(
                    parallel,
                    "fpsg-pack",
                    () -> packed[0] = pack(model.users(), width, stride),
                    () -> packed[1] = pack(model.items(), width, stride));
            this.up = packed[0];
            this.ip = packed[1];
            this.squared = h.kind() == ModelKind.BIASED_MF;
            this.loss = Loss.of(h.kind());
            this.offset = model.offset();
            this.regBias = (float) h.regBias();
            this.regFactor = (float) h.regFactor();
            this.clip = (float) h.clipNorm();
            this.epsilon = epsilon(h.optimizer());
        }

        private static float[] pack(FactorTable table, int width, int stride) {
            float[] packed = new float[table.size() * stride];
            float[] params = table.params();
            for (int r = 0; r < table.size(); r++) {
                System.arraycopy(params, r * width, packed, r * stride, width);
            }
            return packed;
        }

        /** One pass over the block's events, in the order they were shuffled into when the blocks were built. */
        void run(RatingBlocks b, int block, float lr) {
            float[] up = this.up;
            float[] ip = this.ip;
            int w = width;
            int st = stride;
            int n = factors;
            boolean scaled = this.scaled;
            float invFactors = 1f / n;
            float[] sums = new float[3];
            for (int e = b.start[block], end = b.start[block + 1]; e < end; e++) {
                int u = b.users[e];
                int i = b.items[e];
                int p = u * st;
                int q = i * st;
                // One pass for the dot product and both squared norms: the squared norms of the two factor
                // gradients follow from them without a second pass, since |g q + r p|^2 = g^2 |q|^2 + 2 g r (p . q)
                // + r^2 |p|^2.
                rows.dotAndNorms(up, p + 1, ip, q + 1, n, sums);
                float dot = sums[0];
                float pp = sums[1];
                float qq = sums[2];
                // c_u, 0 without the user scale (then every expression below is the plain model's, bit for bit).
                float cs = scaled ? up[p + w - 1] : 0f;
                double score = offset + up[p] + (1 + cs) * ip[q] + dot;
                double err = squared ? score - b.labels[e] : loss.gradient(b.labels[e], score);
                float g = (float) (b.weights[e] * err);
                float gbu = g + regBias * up[p];
                float gbi = g * (1 + cs) + regBias * ip[q];
                float gc = scaled ? g * ip[q] + regFactor * cs : 0f;
                float cross = 2 * g * regFactor * dot;
                float r2 = regFactor * regFactor;
                float su = Math.max(0f, g * g * qq + cross + r2 * pp);
                float si = Math.max(0f, g * g * pp + cross + r2 * qq);
                float cu = clipScale(gbu * gbu + su + gc * gc);
                float ci = clipScale(gbi * gbi + si);
                float bu = up[p + w] + gbu * gbu * cu * cu;
                float fu = up[p + w + 1] + su * cu * cu * invFactors;
                float bi = ip[q + w] + gbi * gbi * ci * ci;
                float fi = ip[q + w + 1] + si * ci * ci * invFactors;
                up[p + w] = bu;
                up[p + w + 1] = fu;
                ip[q + w] = bi;
                ip[q + w + 1] = fi;
                float ru = lr * cu / ((float) Math.sqrt(fu) + epsilon);
                float ri = lr * ci / ((float) Math.sqrt(fi) + epsilon);
                // p - ru (g q + r p) = (1 - ru r) p - (ru g) q, and the same for q.
                float keepU = 1 - ru * regFactor;
                float keepI = 1 - ri * regFactor;
                float stepU = ru * g;
                float stepI = ri * g;
                rows.step(up, p + 1, ip, q + 1, n, keepU, stepU, keepI, stepI);
                up[p] -= lr * cu * gbu / ((float) Math.sqrt(bu) + epsilon);
                ip[q] -= lr * ci * gbi / ((float) Math.sqrt(bi) + epsilon);
                if (scaled) {
                    float ca = up[p + w + 2] + gc * gc * cu * cu;
                    up[p + w + 2] = ca;
                    up[p + w - 1] -= lr * cu * gc / ((float) Math.sqrt(ca) + epsilon);
                    ip[q + w - 1] = ip[q];
                }
            }
        }

        /** The factor by which a gradient of this squared norm is scaled to respect the clip norm (1: none). */
        private float clipScale(float squaredNorm) {
            if (clip > 0 && squaredNorm > clip * clip) {
                return clip / (float) Math.sqrt(squaredNorm);
            }
            return 1f;
        }

        /**
         * Writes the packed rows back into the tables: parameters, the accumulators as the tables' AdaGrad state
         * (row-wise, 2 floats, or spread per coordinate), and one step per event and epoch in each row's version
         * and update count.
         */
        void finish(RatingBlocks b, int epochs, boolean parallel) {
            RatingBlocks.inParallel(
                    parallel,
                    "fpsg-unpack",
                    () -> unpack(model.users(), up, b.users, epochs),
                    () -> unpack(model.items(), ip, b.items, epochs));
        }

        private void unpack(FactorTable table, float[] packed, int[] rowOfEvent, int epochs) {
            int[] steps = new int[table.size()];
            for (int r : rowOfEvent) {
                steps[r] += epochs;
            }
            float[] params = table.params();
            int s = table.stateSize();
            float[] state = table.state();
            for (int r = 0; r < table.size(); r++) {
                int at = r * stride;
                System.arraycopy(packed, at, params, r * width, width);
                if (scaled) {
                    System.arraycopy(packed, at + width, state, r * s, s); // bias, factors and c_u's accumulators
                } else if (s > 0) {
                    state[r * s] = packed[at + width];
                    java.util.Arrays.fill(state, r * s + 1, (r + 1) * s, packed[at + width + 1]);
                }
                table.touched(r, steps[r], steps[r]);
            }
        }
    }
}
