package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.model.ModelKind;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The layer on a model that does not learn (its rows stay at their initial values), so that every residual it
 * corrects is planted by the test.
 */
class ResidualNeighbourhoodTest {
    private static final int ITEMS = 40;

    @Test
    void shouldCorrectNothingForAUserWithoutEarlierEvents() {
        Model model = new Model(Hyperparameters.defaults(ModelKind.BIASED_MF));
        ResidualNeighbourhood layer = new ResidualNeighbourhood(model);

        assertEquals(0, layer.predict(-1, -1));
        int u = model.users().getOrCreate("u");
        int i = model.items().getOrCreate("i");
        layer.learn(u, i, 5, model.score(-1, -1));
        assertEquals(0, layer.predict(model.users().getOrCreate("new"), i));
    }

    @Test
    void shouldRefuseAModelWithoutRatings() {
        Model logistic = new Model(Hyperparameters.defaults(ModelKind.LOGISTIC_MF));

        var e = assertThrows(IllegalArgumentException.class, () -> new ResidualNeighbourhood(logistic));
        assertTrue(e.getMessage().contains("biased-mf"), e.getMessage());
    }

    /** Each user rates a session at a level of their own: the recent-level features must find it. */
    @Test
    void shouldLearnAUsersRecentLevel() {
        Random random = new Random(3);
        Errors errors = run(300, random, (u, item, taste) -> taste + 0.3 * random.nextGaussian());

        assertTrue(errors.corrected < 0.5 * errors.plain, errors.corrected + " against " + errors.plain);
    }

    /**
     * Each user's residuals are their taste on one half of the items and its opposite on the other, the items in
     * random order: the user's level carries nothing, the neighbourhood all of it.
     */
    @Test
    void shouldLearnThePlantedNeighbourhood() {
        Random random = new Random(5);
        ResidualNeighbourhood[] layer = new ResidualNeighbourhood[1];
        Errors errors = run(
                400, random, (u, item, taste) -> taste * (item % 2 == 0 ? 1 : -1) + 0.3 * random.nextGaussian(), layer);

        assertTrue(layer[0].weights()[4] > 0.1, "the neighbourhood's weight " + layer[0].weights()[4]);
        assertTrue(errors.corrected < 0.6 * errors.plain, errors.corrected + " against " + errors.plain);
    }

    /** What a client computes from the published rows' tails is the layer's correction. */
    @Test
    void shouldServeTheCorrectionThroughTheRowsTails() {
        Random random = new Random(5);
        ResidualNeighbourhood[] layer = new ResidualNeighbourhood[1];
        ResidualBasis[] basis = new ResidualBasis[1];
        Model model = new Model(Hyperparameters.defaults(ModelKind.BIASED_MF));
        basis[0] = new ResidualBasis(42);
        layer[0] = new ResidualNeighbourhood(model, () -> basis[0].current(), basis[0]::observe);
        for (int n = 0; n < 12_000; n++) {
            int user = random.nextInt(50);
            int item = random.nextInt(ITEMS);
            String u = "u" + user;
            String i = "i" + item;
            double plain = model.score(model.users().indexOf(u), model.items().indexOf(i));
            layer[0].predict(
                    model.users().indexOf(u) < 0 ? null : u, model.items().indexOf(i));
            float label = (float) (plain + (user % 2 == item % 2 ? 1 : -1));
            layer[0].learn(u, model.users().getOrCreate(u), i, model.items().getOrCreate(i), label, plain);
        }
        float[] userTail = new float[ResidualNeighbourhood.SERVED_TAIL];
        float[] itemTail = new float[ResidualNeighbourhood.SERVED_TAIL];
        int nonZero = 0;
        for (int user = 0; user < 50; user++) {
            for (int item = 0; item < ITEMS; item++) {
                String u = "u" + user;
                String i = "i" + item;
                double correction = layer[0].predict(u, model.items().indexOf(i));
                layer[0].userTail(u, userTail, 0);
                ResidualNeighbourhood.itemTail(basis[0].current(), i, itemTail, 0);
                double served = 0;
                for (int c = 0; c < userTail.length; c++) {
                    served += userTail[c] * itemTail[c];
                }
                assertEquals(correction, served, 1e-4 * (1 + Math.abs(correction)), u + ", " + i);
                nonZero += Math.abs(correction) > 0.1 ? 1 : 0;
            }
        }
        assertTrue(nonZero > 1000, "corrections that matter: " + nonZero);
    }

    /**
     * s_u is a running sum: whatever entries left the history and however the rows moved, it stays the sum of its
     * entries' kept residuals times their coordinates; each event computes its own entry's residual and
     * {@link ResidualNeighbourhood#REFRESH} earlier ones under the rows as they are then; a new basis makes it again
     * from every entry.
     */
    @Test
    void shouldKeepTheUserVectorTheSumOfItsEntriesWhileTheRowsMove() {
        Random random = new Random(9);
        Model model = new Model(Hyperparameters.defaults(ModelKind.BIASED_MF));
        ItemBasis[] basis = {fixedBasis(0, random)};
        ResidualNeighbourhood layer = new ResidualNeighbourhood(model, () -> basis[0], (user, item, r) -> {});
        int kept = 0;
        for (int n = 0; n < 600; n++) {
            String u = "u" + random.nextInt(3);
            String i = "i" + random.nextInt(ITEMS);
            int ur = model.users().getOrCreate(u);
            int ir = model.items().getOrCreate(i);
            // The rows move between events, as a learning model's do.
            float[] p = model.users().params();
            float[] q = model.items().params();
            for (int x = 0; x < p.length; x++) {
                p[x] += (float) (0.01 * random.nextGaussian());
            }
            for (int x = 0; x < q.length; x++) {
                q[x] += (float) (0.01 * random.nextGaussian());
            }
            double plain = model.score(ur, ir);
            layer.predict(u, ir);
            layer.learn(u, ur, i, ir, (float) (plain + random.nextGaussian()), plain);
            if (n == 250) {
                basis[0] = fixedBasis(1, random);
            }
            double[][] got = layer.vectorAndEntrySum(u);
            for (int c = 0; c < ResidualBasis.RANK; c++) {
                assertEquals(got[1][c], got[0][c], 1e-9, "event " + n + ", coordinate " + c);
            }
            assertEquals(got[2][1], got[2][0], "m_u, event " + n);
            kept = Math.max(kept, (int) got[2][0]);
        }
        assertEquals(ResidualBasis.RECENT, kept, "histories full, entries leaving");
    }

    /** The even items, with random coordinates. */
    private static ItemBasis fixedBasis(long version, Random random) {
        String[] ids = new String[ITEMS / 2];
        double[] coords = new double[ids.length * ResidualBasis.RANK];
        for (int b = 0; b < ids.length; b++) {
            ids[b] = "i" + 2 * b;
        }
        for (int c = 0; c < coords.length; c++) {
            coords[c] = random.nextGaussian();
        }
        return new ItemBasis(version, ids, coords);
    }

    @FunctionalInterface
    private interface Residual {
        double of(int user, int item, double taste);
    }

    private record Errors(double plain, double corrected) {}

    private static Errors run(int users, Random random, Residual residual) {
        return run(users, random, residual, new ResidualNeighbourhood[1]);
    }

    /**
     * Users one after the other, each rating every item once in random order; the RMSE of the model's score and of
     * the corrected one over the last half of the events.
     */
    private static Errors run(int users, Random random, Residual residual, ResidualNeighbourhood[] layerOut) {
        Model model = new Model(Hyperparameters.defaults(ModelKind.BIASED_MF));
        ResidualNeighbourhood layer = new ResidualNeighbourhood(model);
        layerOut[0] = layer;
        double plainSe = 0;
        double correctedSe = 0;
        long scored = 0;
        for (int user = 0; user < users; user++) {
            double taste = random.nextBoolean() ? 1 : -1;
            int[] order = random.ints(0, ITEMS).distinct().limit(ITEMS).toArray();
            for (int item : order) {
                int u = model.users().indexOf("u" + user);
                int i = model.items().indexOf("i" + item);
                double plain = model.score(u, i);
                double corrected = plain + layer.predict(u, i);
                float label = (float) (plain + residual.of(user, item, taste));
                if (user >= users / 2) {
                    plainSe += (label - plain) * (label - plain);
                    correctedSe += (label - corrected) * (label - corrected);
                    scored++;
                }
                layer.learn(model.users().getOrCreate("u" + user), model.items().getOrCreate("i" + item), label, plain);
            }
        }
        return new Errors(Math.sqrt(plainSe / scored), Math.sqrt(correctedSe / scored));
    }
}
