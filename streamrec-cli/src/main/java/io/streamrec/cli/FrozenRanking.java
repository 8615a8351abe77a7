package io.streamrec.cli;

import io.streamrec.data.Rating;
import io.streamrec.eval.PrequentialRanking;
import io.streamrec.learn.Model;

/**
 * The demo's yardstick for positives: the pretrained model, frozen, ranked as the trainer's user tasks rank
 * ({@code StreamRanking}): a user's events are ranked from their second one since the stream started, leaving out
 * the items seen since then. A user the snapshot does not know gets a zero row (the items' biases rank for them);
 * an item it does not know can never be recommended, so it is a miss.
 */
final class FrozenRanking {
    private final Model frozen;
    private final float[] zeros;
    private final PrequentialRanking ranking = new PrequentialRanking(10, 1000);

    FrozenRanking(Model frozen) {
        this.frozen = frozen;
        this.zeros = new float[frozen.hyper().width()];
    }

    /** One streamed event; only a positive (labeled at least {@code min}) is ranked and remembered. */
    synchronized void event(Rating r, float min) {
        if (r.label() < min) {
            return;
        }
        int u = frozen.users().indexOf(r.user());
        if (u < 0) {
            u = frozen.users().put(r.user(), zeros, 0, null, 0, 0, 0);
        }
        int i = frozen.items().indexOf(r.item());
        ranking.evaluate(frozen, u, i);
        if (i >= 0) {
            ranking.seen(u, i);
        } else {
            ranking.seen(u, Integer.MAX_VALUE); // the user has an earlier event; the item is no candidate
        }
    }

    synchronized PrequentialRanking.Metrics metrics() {
        return ranking.metrics();
    }
}
