package io.streamrec.stream;

import io.streamrec.learn.FactorTable;
import io.streamrec.learn.FismState;
import java.util.function.BiConsumer;

/**
 * The {@code fism-seed} records of a fism snapshot: its items' context vectors and its users' sums and histories,
 * keyed and encoded as the user tasks save their own ({@link FismTaskState}), so that a task reads a seeded user as
 * it reads one it saved. Every task starts from all of the context vectors; each user's state is read by the task
 * its events go to.
 */
public final class FismSeed {
    private FismSeed() {}

    /** Hands every record of {@code state} (whose item rows are those of {@code items}) to {@code out}. */
    public static void records(FismState state, FactorTable items, BiConsumer<String, byte[]> out) {
        int width = state.width();
        for (int r = 0; r < items.size(); r++) {
            out.accept(
                    FismTaskState.CONTEXT_PREFIX + items.id(r), FismTaskState.encodeContext(state.context(r), width));
        }
        state.forEachUser(
                (id, user) -> out.accept(FismTaskState.USER_PREFIX + id, FismTaskState.encodeUser(user, items, width)));
    }
}
