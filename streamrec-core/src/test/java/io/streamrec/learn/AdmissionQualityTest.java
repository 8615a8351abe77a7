package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.eval.RegressionMetrics;
import io.streamrec.model.ModelKind;
import io.streamrec.testsupport.Datasets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What row admission ({@code rows.admission.min.events} of the stream trainer) costs in prequential quality on
 * MovieLens-100K in timestamp order: the user task's loop (users per event, items per batch of the trainer's
 * default 32) with each user's first n-1 events learned without a user row, against every user admitted at once.
 * Skipped when the dataset is absent. The figures are recorded in docs/benchmarks.md.
 */
class AdmissionQualityTest {
    /** The bar: admission at a sensible setting within 1% of the unbounded model's RMSE. */
    private static final double MAX_RELATIVE_LOSS = 0.01;

    private static final int BATCH = 32;

    static double prequentialRmse(List<Rating> events, int minEvents) {
        Model model = new Model(Hyperparameters.defaults(ModelKind.BIASED_MF));
        UserFirstLearner learner = new UserFirstLearner(model);
        Map<String, Integer> waiting = new HashMap<>();
        RegressionMetrics metrics = new RegressionMetrics();
        int admitted = 0;
        for (Rating r : events) {
            int u = model.users().indexOf(r.user());
            int i = model.items().indexOf(r.item());
            metrics.add(r.label(), model.predictScore(model.score(u, i)));
            i = i >= 0 ? i : model.items().getOrCreate(r.item());
            if (u < 0 && waiting.merge(r.user(), 1, Integer::sum) < minEvents) {
                learner.learnWithoutUser(i, r.label(), r.weight(), r.timestamp());
            } else {
                if (u < 0) {
                    waiting.remove(r.user());
                    admitted++;
                }
                learner.learn(
                        u >= 0 ? u : model.users().getOrCreate(r.user()), i, r.label(), r.weight(), r.timestamp());
            }
            if (learner.pending() >= BATCH) {
                learner.stepItems();
            }
        }
        System.out.printf(
                "admission min events %d: prequential RMSE %.4f MAE %.4f, %d users admitted, %d waiting%n",
                minEvents, metrics.rmse(), metrics.mae(), admitted, waiting.size());
        return metrics.rmse();
    }

    @Test
    void shouldCostLessThanOnePercentOfPrequentialRmseWithAdmissionAtThreeEvents() {
        List<Rating> events = RatingReader.sortByTime(RatingReader.readAll(Datasets.require("ml-100k/u.data")));
        double off = prequentialRmse(events, 1);
        double two = prequentialRmse(events, 2);
        double three = prequentialRmse(events, 3);
        assertTrue(two <= off * (1 + MAX_RELATIVE_LOSS), "admission at 2: " + two + " vs off " + off);
        assertTrue(three <= off * (1 + MAX_RELATIVE_LOSS), "admission at 3: " + three + " vs off " + off);
    }
}
