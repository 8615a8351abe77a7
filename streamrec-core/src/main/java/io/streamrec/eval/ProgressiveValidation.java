package io.streamrec.eval;

import io.streamrec.data.Rating;
import io.streamrec.learn.FactorTable;
import io.streamrec.learn.MiniBatchLearner;
import io.streamrec.learn.Model;
import io.streamrec.model.ModelKind;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Progressive validation (Blum, Kalai and Langford, 1999), the standard online protocol: for each event in
 * order, predict, score the prediction, then learn the event. Every event is a test event for the model that has
 * seen only the events before it (and, with mini-batches, only the batches already flushed).
 */
public final class ProgressiveValidation {

    /** One point of the learning curve. */
    public record CurvePoint(long events, double windowRmse, double windowMae, double rmse, double mae) {}

    /** Receives learning-curve points. */
    public interface CurveSink {
        void point(CurvePoint p);
    }

    /**
     * The outcome of a run. {@code logloss} and {@code auc} are NaN for the biased (rating) model.
     */
    public record Result(long events, double rmse, double mae, double logloss, double auc, double seconds) {
        public double eventsPerSecond() {
            return seconds > 0 ? events / seconds : Double.NaN;
        }
    }

    private final MiniBatchLearner learner;
    private final int curveEvery;
    private final int window;

    /**
     * @param curveEvery events between learning-curve points
     * @param window     events in the windowed RMSE and MAE of the curve
     */
    public ProgressiveValidation(MiniBatchLearner learner, int curveEvery, int window) {
        if (curveEvery < 1) {
            throw new IllegalArgumentException("curve interval must be >= 1 events, got " + curveEvery);
        }
        this.learner = learner;
        this.curveEvery = curveEvery;
        this.window = window;
    }

    /**
     * Runs the protocol over {@code events} in the given order, then flushes the last partial batch.
     *
     * @param curve    receives a point every {@code curveEvery} events and at the end; may be null
     * @param progress told the number of events done every few thousand events; may be null
     */
    public Result run(List<Rating> events, CurveSink curve, LongConsumer progress) {
        RegressionMetrics total = new RegressionMetrics();
        WindowedError windowed = new WindowedError(window);
        boolean binary = learner.model().hyper().kind() == ModelKind.LOGISTIC_MF;
        BinaryMetrics bin = binary ? new BinaryMetrics() : null;
        long start = System.nanoTime();
        long n = 0;
        Model model = learner.model();
        FactorTable users = model.users();
        FactorTable items = model.items();
        for (Rating r : events) {
            // Look each id up once: predict with the rows as they are (an unseen one contributes nothing), then
            // create what is missing and learn by row number.
            int u = users.indexOf(r.user());
            int i = items.indexOf(r.item());
            double p = model.predictScore(model.score(u, i));
            total.add(r.label(), p);
            windowed.add(r.label(), p);
            if (bin != null) {
                bin.add(r.label(), p);
            }
            learner.learn(
                    u >= 0 ? u : users.getOrCreate(r.user()),
                    i >= 0 ? i : items.getOrCreate(r.item()),
                    r.label(),
                    r.weight(),
                    r.timestamp());
            n++;
            if (curve != null && n % curveEvery == 0) {
                curve.point(new CurvePoint(n, windowed.rmse(), windowed.mae(), total.rmse(), total.mae()));
            }
            if (progress != null && (n & 4095) == 0) {
                progress.accept(n);
            }
        }
        learner.flush();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (curve != null && n % curveEvery != 0) {
            curve.point(new CurvePoint(n, windowed.rmse(), windowed.mae(), total.rmse(), total.mae()));
        }
        return new Result(
                n,
                total.rmse(),
                total.mae(),
                bin == null ? Double.NaN : bin.logLoss(),
                bin == null ? Double.NaN : bin.auc(),
                seconds);
    }
}
