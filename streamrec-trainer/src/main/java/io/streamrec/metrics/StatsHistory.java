package io.streamrec.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A short, bounded history of the training figures for the live page: every {@code interval} a sample of
 * {@link TrainerMetrics} goes into a ring of the last {@code capacity} points (600 points every 2 s = 20 minutes).
 *
 * <p>{@link #sample()} may be called by hand (tests); {@link #start()} runs it on a daemon thread.
 * Values that are not finite (NaN before the first scored event) are kept as {@code null} so the JSON is valid.
 */
public final class StatsHistory implements AutoCloseable {
    public static final long DEFAULT_INTERVAL_MS = 2_000;
    public static final int DEFAULT_CAPACITY = 600;

    private final TrainerMetrics metrics;
    private final long intervalMs;
    private final LongSupplier clock;
    private final Point[] ring;
    private int next;
    private int size;
    private Point last;
    private ScheduledExecutorService scheduler;

    public StatsHistory(TrainerMetrics metrics) {
        this(metrics, DEFAULT_INTERVAL_MS, DEFAULT_CAPACITY, System::currentTimeMillis);
    }

    /**
     * @param intervalMs sampling period used by {@link #start()}, at least 1
     * @param capacity   points kept, at least 2
     * @param clock      epoch milliseconds of each sample
     */
    public StatsHistory(TrainerMetrics metrics, long intervalMs, int capacity, LongSupplier clock) {
        if (intervalMs < 1) {
            throw new IllegalArgumentException("sampling interval must be at least 1 ms, got " + intervalMs);
        }
        if (capacity < 2) {
            throw new IllegalArgumentException("history capacity must be at least 2 points, got " + capacity);
        }
        this.metrics = metrics;
        this.intervalMs = intervalMs;
        this.clock = clock;
        this.ring = new Point[capacity];
    }

    /** Starts sampling every interval on a daemon thread; idempotent. */
    public synchronized StatsHistory start() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "streamrec-stats-history");
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleAtFixedRate(this::sample, 0, intervalMs, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Takes one sample now and returns it. */
    public synchronized Point sample() {
        long now = clock.getAsLong();
        long trained = metrics.eventsTrained();
        Double rate = null;
        if (last != null && now > last.time) {
            rate = (trained - last.eventsTrained) * 1000.0 / (now - last.time);
        }
        PrequentialWindow.Snapshot p = metrics.prequentialNow();
        long ranked = metrics.ranking().evaluated();
        long hits = metrics.ranking().hits();
        // Recall over the events ranked since the previous sample: the page shows how it moves, not a lifetime mean.
        Double recall = null;
        if (last != null && ranked > last.rankedEvents) {
            recall = (double) (hits - last.rankingHits) / (ranked - last.rankedEvents);
        }
        Point point = new Point(
                now,
                trained,
                metrics.eventsRejected(),
                finite(p.rmse()),
                finite(p.mae()),
                finite(p.logLoss()),
                finite(p.auc()),
                rate,
                finite(metrics.trainingLoss()),
                metrics.modelRows("user"),
                metrics.modelRows("item"),
                metrics.modelVersion(),
                recall,
                ranked,
                hits);
        ring[next] = point;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
        last = point;
        return point;
    }

    /** The points, oldest first, with the sampling interval: the body of {@code /api/stats}. */
    public synchronized View view() {
        List<Point> points = new ArrayList<>(size);
        int start = (next - size + ring.length) % ring.length;
        for (int i = 0; i < size; i++) {
            points.add(ring[(start + i) % ring.length]);
        }
        return new View(intervalMs, ring.length, points);
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** The history as served to the page. */
    public record View(long intervalMs, int capacity, List<Point> points) {}

    /**
     * One sample. {@code eventsPerSecond} is the trained-event rate since the previous sample (null for the first);
     * error figures are null while undefined. {@code recallAt10} is the sampled recall over the events ranked
     * since the previous sample (null when none was).
     */
    public record Point(
            long time,
            long eventsTrained,
            long eventsRejected,
            Double rmse,
            Double mae,
            Double logLoss,
            Double auc,
            Double eventsPerSecond,
            Double trainingLoss,
            long userRows,
            long itemRows,
            long modelVersion,
            Double recallAt10,
            long rankedEvents,
            long rankingHits) {}
}
