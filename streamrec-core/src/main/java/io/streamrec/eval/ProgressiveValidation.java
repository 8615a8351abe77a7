package io.streamrec.eval;

import io.streamrec.data.Rating;
import io.streamrec.learn.FactorTable;
import io.streamrec.learn.MiniBatchLearner;
import io.streamrec.learn.Model;
import io.streamrec.learn.ResidualNeighbourhood;
import io.streamrec.model.ModelKind;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Progressive validation (Blum, Kalai and Langford, 1999), the standard online protocol: for each event in
 * order, predict, score the prediction, then learn the event. Every event is a test event for the model that has
 * seen only the events before it (and, with mini-batches, only the batches already flushed). With a
 * {@link PrequentialRanking}, each event is also ranked before it is learned; the positives-only models are
 * judged by ranking alone (their scores are no label predictions).
 */
public final class ProgressiveValidation {

    /**
     * One point of the learning curve; {@code ranking} is null without ranking evaluation, the pointwise figures
     * NaN for the positives-only models.
     */
    public record CurvePoint(
            long events,
            double windowRmse,
            double windowMae,
            double rmse,
            double mae,
            PrequentialRanking.Metrics ranking) {
        public CurvePoint(long events, double windowRmse, double windowMae, double rmse, double mae) {
            this(events, windowRmse, windowMae, rmse, mae, null);
        }
    }

    /** Learns one event by row numbers ({@code MiniBatchLearner::learn}, {@code ImplicitLearner::learn}). */
    @FunctionalInterface
    public interface EventLearner {
        void learn(int user, int item, float label, float weight, long time);
    }

    /** Receives learning-curve points. */
    public interface CurveSink {
        void point(CurvePoint p);
    }

    /**
     * The outcome of a run. {@code logloss} and {@code auc} are NaN for the biased (rating) model.
     */
    public record Result(
            long events,
            double rmse,
            double mae,
            double logloss,
            double auc,
            double seconds,
            PrequentialRanking.Metrics ranking) {
        public double eventsPerSecond() {
            return seconds > 0 ? events / seconds : Double.NaN;
        }
    }

    private final Model model;
    private final EventLearner learner;
    private final Runnable flush;
    private final PrequentialRanking ranking;
    private final int curveEvery;
    private final int window;
    private ResidualNeighbourhood neighbourhood;

    /**
     * @param curveEvery events between learning-curve points
     * @param window     events in the windowed RMSE and MAE of the curve
     */
    public ProgressiveValidation(MiniBatchLearner learner, int curveEvery, int window) {
        this(learner.model(), learner::learn, learner::flush, null, curveEvery, window);
    }

    /**
     * @param model      the model {@code learner} trains (predictions and rankings read it)
     * @param flush      applies the learner's last partial batch
     * @param ranking    ranks each event before it is learned; null for pointwise figures only
     * @param curveEvery events between learning-curve points
     * @param window     events in the windowed RMSE and MAE of the curve
     */
    public ProgressiveValidation(
            Model model, EventLearner learner, Runnable flush, PrequentialRanking ranking, int curveEvery, int window) {
        if (curveEvery < 1) {
            throw new IllegalArgumentException("curve interval must be >= 1 events, got " + curveEvery);
        }
        this.model = model;
        this.learner = learner;
        this.flush = flush;
        this.ranking = ranking;
        this.curveEvery = curveEvery;
        this.window = window;
    }

    /**
     * Predicts with {@code layer}'s correction added to the model's score, and lets the layer learn each event
     * before the model does.
     */
    public ProgressiveValidation withNeighbourhood(ResidualNeighbourhood layer) {
        if (model.hyper().kind().positivesOnly()) {
            throw new IllegalArgumentException("the residual neighbourhood corrects label predictions, not rankings");
        }
        this.neighbourhood = layer;
        return this;
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
        ModelKind kind = model.hyper().kind();
        boolean pointwise = !kind.positivesOnly();
        BinaryMetrics bin = kind == ModelKind.LOGISTIC_MF ? new BinaryMetrics() : null;
        long start = System.nanoTime();
        long n = 0;
        FactorTable users = model.users();
        FactorTable items = model.items();
        for (Rating r : events) {
            // Look each id up once: predict with the rows as they are (an unseen one contributes nothing), then
            // create what is missing and learn by row number.
            int u = users.indexOf(r.user());
            int i = items.indexOf(r.item());
            double plain = pointwise ? model.score(u, i) : Double.NaN;
            if (pointwise) {
                double score =
                        neighbourhood == null ? plain : plain + neighbourhood.predict(u < 0 ? null : r.user(), i);
                double p = model.predictScore(score);
                total.add(r.label(), p);
                windowed.add(r.label(), p);
                if (bin != null) {
                    bin.add(r.label(), p);
                }
            }
            if (ranking != null) {
                ranking.evaluate(model, u, i);
            }
            u = u >= 0 ? u : users.getOrCreate(r.user());
            i = i >= 0 ? i : items.getOrCreate(r.item());
            if (neighbourhood != null) {
                neighbourhood.learn(r.user(), u, r.item(), i, r.label(), plain);
            }
            learner.learn(u, i, r.label(), r.weight(), r.timestamp());
            if (ranking != null) {
                ranking.seen(u, i);
            }
            n++;
            if (curve != null && n % curveEvery == 0) {
                curve.point(point(n, windowed, total));
            }
            if (progress != null && (n & 4095) == 0) {
                progress.accept(n);
            }
        }
        flush.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (curve != null && n % curveEvery != 0) {
            curve.point(point(n, windowed, total));
        }
        return new Result(
                n,
                pointwise ? total.rmse() : Double.NaN,
                pointwise ? total.mae() : Double.NaN,
                bin == null ? Double.NaN : bin.logLoss(),
                bin == null ? Double.NaN : bin.auc(),
                seconds,
                ranking == null ? null : ranking.metrics());
    }

    private CurvePoint point(long n, WindowedError windowed, RegressionMetrics total) {
        boolean pointwise = !model.hyper().kind().positivesOnly();
        return new CurvePoint(
                n,
                pointwise ? windowed.rmse() : Double.NaN,
                pointwise ? windowed.mae() : Double.NaN,
                pointwise ? total.rmse() : Double.NaN,
                pointwise ? total.mae() : Double.NaN,
                ranking == null ? null : ranking.metrics());
    }
}
