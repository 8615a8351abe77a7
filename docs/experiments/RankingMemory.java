package io.streamrec.stream;

/**
 * The heap a user task's sampled ranking ({@code StreamRanking}) holds for USERS users of ITEMS items each (item
 * rows spread over 2,000 items), with its default bound on the seen items or without one (what the seen sets held
 * before the bound, less the LRU links: every user's items, for up to {@code user.cache.rows} users).
 * docs/benchmarks.md quotes it.
 *
 * <pre>
 * javac -d /tmp/rm -cp target/streamrec.jar docs/experiments/RankingMemory.java
 * java -Xmx8g -cp /tmp/rm:target/streamrec.jar io.streamrec.stream.RankingMemory USERS ITEMS bounded|unbounded
 * </pre>
 * (In the stream package to reach the package-private class.)
 */
public class RankingMemory {
    public static void main(String[] args) {
        int users = Integer.parseInt(args[0]);
        int items = Integer.parseInt(args[1]);
        boolean bounded = args[2].equals("bounded");
        long before = used();
        StreamRanking r = bounded ? new StreamRanking() : new StreamRanking(Integer.MAX_VALUE);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
        for (int k = 0; k < items; k++) {
            for (int u = 0; u < users; u++) {
                r.seen(Integer.toString(u), rnd.nextInt(2000));
            }
        }
        long after = used();
        System.out.printf(
                "{\"users\":%d,\"items_each\":%d,\"bounded\":%b,\"held\":%d,\"tracked_share\":%s,\"heap_mb\":%.1f}%n",
                users, items, bounded, r.held(), r.trackedShare(), (after - before) / 1e6);
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        for (int k = 0; k < 3; k++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
