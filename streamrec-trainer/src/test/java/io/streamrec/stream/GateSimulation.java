package io.streamrec.stream;

import io.streamrec.data.Holdout;
import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.eval.RegressionMetrics;
import io.streamrec.learn.BatchTrainer;
import io.streamrec.learn.FactorTable;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.MiniBatchLearner;
import io.streamrec.learn.Model;
import io.streamrec.model.ModelKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Offline prototype of the quality gate (docs/gate.md): one task, streamed in time order, the served model a copy
 * updated every {@code PUBLISH_EVERY} events while the gate is open. Run it with the test class path:
 * {@code java -cp ... io.streamrec.stream.GateSimulation ml-100k/u.data [-Dgate.margin=...]}: settings are
 * {@link GateConfig}'s defaults unless given as system properties.
 */
public final class GateSimulation {
    static final int PUBLISH_EVERY = 256;
    static final int ROLLBACK_AFTER = 3000;

    public static void main(String[] args) {
        List<Rating> all = RatingReader.sortByTime(RatingReader.readAll(Path.of(args[0])));
        Holdout.Split split = Holdout.byTime(all, 0.5);
        Model pre = new BatchTrainer(Hyperparameters.pretrainDefaults(ModelKind.BIASED_MF), 30, 64, 42)
                .train(split.train(), null);
        List<Rating> stream = split.test();
        for (String attack : new String[] {"none", "flip", "constant", "random", "bot"}) {
            for (boolean gate : new boolean[] {false, true}) {
                run("ml-100k", pre, stream, attack, 10_000, 10_000, gate);
            }
        }
        List<Rating> synth = synthetic(100_000);
        for (String attack : new String[] {"none", "flip", "constant", "random", "bot"}) {
            run("synthetic", null, synth, attack, 50_000, 10_000, true);
        }
    }

    /** What one simulated run measured; RMSEs are the served model's against the clean labels. */
    record Result(long closures, long closedAfter, double servedAttack, double servedAfter, double servedClean) {}

    static Result run(String name, Model pre, List<Rating> stream, String attack, int at, int len, boolean gated) {
        Hyperparameters h = Hyperparameters.defaults(ModelKind.BIASED_MF);
        Model live = pre == null ? new Model(h) : Model.withHyper(pre, h);
        Model served = pre == null ? new Model(h) : Model.withHyper(pre, h);
        MiniBatchLearner learner = new MiniBatchLearner(live, 32);
        GateConfig c = GateConfig.from(k -> k.equals(GateConfig.ENABLED) ? "" + gated : System.getProperty(k));
        QualityGate g = new QualityGate(c.gateSettings());
        // -Dsim.incoming=true adds the IncomingCheck; -Dsim.recent sets how many held-out events it calls recent,
        // -Dsim.iid=true takes them as independent (no clustering by user).
        IncomingCheck incoming = gated && Boolean.getBoolean("sim.incoming")
                ? new IncomingCheck(
                        Integer.getInteger("sim.recent", 100),
                        c.windowEvents(),
                        c.margin(),
                        c.z(),
                        !Boolean.getBoolean("sim.iid"))
                : null;
        boolean suspect = false;
        long suspectSince = -1;
        long incomingClosures = 0;
        Set<String> changedUsers = new HashSet<>();
        Set<String> changedItems = new HashSet<>();
        RegressionMetrics during = new RegressionMetrics();
        RegressionMetrics after = new RegressionMetrics();
        RegressionMetrics clean = new RegressionMetrics();
        Random rnd = new Random(7);
        long closedAfter = -1;
        long closedEvents = 0;
        double maxRatio = 0;
        int n = 0;
        List<Rating> events = new ArrayList<>();
        for (int k = 0; k < stream.size(); k++) {
            Rating r = stream.get(k);
            boolean attacked = !attack.equals("none") && k >= at && k < at + len;
            Rating trained = r;
            if (attacked) {
                switch (attack) {
                    case "flip" -> trained = new Rating(r.user(), r.item(), 6 - r.label(), r.timestamp());
                    case "constant" -> trained = new Rating(r.user(), r.item(), 5, r.timestamp());
                    case "random" -> trained = new Rating(r.user(), r.item(), 1 + rnd.nextInt(5), r.timestamp());
                    case "bot" -> events.add(new Rating("bot", "" + (1 + rnd.nextInt(1682)), 5, r.timestamp()));
                    default -> throw new IllegalArgumentException(attack);
                }
            }
            double p = served.predict(r.user(), r.item());
            (attacked ? during : k >= at + len && !attack.equals("none") ? after : clean).add(r.label(), p);
            events.add(trained);
            for (Rating e : events) {
                if (g.holdsOut(e.user(), e.item(), e.timestamp())) {
                    if (incoming != null) {
                        double err = e.label() - served.predict(e.user(), e.item());
                        incoming.add(e.user(), err * err, g.open() && !suspect);
                    }
                    if (!suspect) { // while suspect the gate is closed: its held-out events are dropped
                        g.heldOut(e.user(), e.item(), e.label());
                    }
                } else {
                    learner.learn(e);
                    g.trained(1);
                }
                changedUsers.add(e.user());
                changedItems.add(e.item());
                n++;
                if (attacked && closedAfter < 0 && (!g.open() || suspect)) {
                    closedAfter = k - at;
                }
                if (n % PUBLISH_EVERY == 0) {
                    learner.flush();
                    boolean wasSuspect = suspect;
                    suspect = incoming != null && incoming.suspect();
                    if (suspect && !wasSuspect) {
                        incomingClosures++;
                        suspectSince = n;
                    }
                    // While the incoming labels are suspect the quality gate is not consulted: it would re-base its
                    // reference on a model trained on them.
                    boolean ok = !suspect && g.check(live::predict, false, n);
                    if (gated && g.windowSize() >= 200) {
                        maxRatio = Math.max(maxRatio, g.liveRmse() / g.referenceRmse());
                    }
                    if (ok) {
                        copy(live.users(), served.users(), changedUsers);
                        copy(live.items(), served.items(), changedItems);
                        served.mean().set(live.mean().sum(), live.mean().count());
                        changedUsers.clear();
                        changedItems.clear();
                    } else {
                        closedEvents += PUBLISH_EVERY;
                        long since = suspect
                                ? (g.open() ? suspectSince : Math.min(suspectSince, g.closedSince()))
                                : g.closedSince();
                        if (n - since >= ROLLBACK_AFTER) {
                            copy(served.users(), live.users(), changedUsers);
                            copy(served.items(), live.items(), changedItems);
                            changedUsers.clear();
                            changedItems.clear();
                            g.rolledBack();
                            suspect = false;
                            if (incoming != null) {
                                incoming.recent.clear();
                            }
                        }
                    }
                }
            }
            events.clear();
        }
        System.out.printf(
                "%s attack=%s gate=%s closures=%d+%d closed_after=%d closed_events=%d max_ratio=%.4f served_attack=%.4f"
                        + " served_after=%.4f served_clean=%.4f%n",
                name,
                attack,
                gated,
                g.closures(),
                incomingClosures,
                closedAfter,
                closedEvents,
                maxRatio,
                during.rmse(),
                after.rmse(),
                clean.rmse());
        return new Result(g.closures(), closedAfter, during.rmse(), after.rmse(), clean.rmse());
    }

    /**
     * A second closure condition, tried offline (docs/gate.md, "Open"): do the labels arriving now agree with the
     * accepted model as well as the accepted history did? Each held-out event is scored at arrival by the served
     * (last accepted) model; the newest {@code recent} squared errors are compared with the {@code history} before
     * them, taken only while the gate was open, by the gate's own margin and z (Welch's two-sample z on the mean
     * squared error). An attack on labels shows at once in the events it touches, while the window of held-out
     * history only shows it once the live model has learned it and spread it to users whose history is held out.
     */
    static final class IncomingCheck {
        private record Scored(String user, double squaredError) {}

        private final int recentSize;
        private final int historySize;
        private final double margin;
        private final double zBar;
        private final boolean clustered;
        private final java.util.ArrayDeque<Scored> recent = new java.util.ArrayDeque<>();
        private final java.util.ArrayDeque<Scored> history = new java.util.ArrayDeque<>();
        double z;
        double ratio;

        IncomingCheck(int recentSize, int historySize, double margin, double z, boolean clustered) {
            this.recentSize = recentSize;
            this.historySize = historySize;
            this.margin = margin;
            this.zBar = z;
            this.clustered = clustered;
        }

        /** A held-out event's squared error under the served model; {@code open}: the gate is open now. */
        void add(String user, double squaredError, boolean open) {
            recent.addLast(new Scored(user, squaredError));
            if (recent.size() > recentSize) {
                Scored old = recent.removeFirst();
                if (open) {
                    history.addLast(old);
                    if (history.size() > historySize) {
                        history.removeFirst();
                    }
                }
            }
        }

        /** True when the recent labels disagree with the served model beyond the margin, with evidence z. */
        boolean suspect() {
            if (history.size() < historySize / 4 || recent.size() < recentSize) {
                return false;
            }
            double[] r = meanVar(recent);
            double[] h = meanVar(history);
            double se = Math.sqrt(r[1] + h[1]);
            z = se > 0 ? (r[0] - h[0]) / se : 0;
            ratio = Math.sqrt(r[0] / h[0]);
            return ratio > 1 + margin && z > zBar;
        }

        /**
         * The mean and the variance of the mean. Events of one user are not independent (a session of a harsh rater
         * moves them together): with {@code clustered}, the variance is the cluster-robust one, by user
         * (sum over users of their summed residuals squared, over n squared), so that one user's run of events
         * counts as one observation, not as many.
         */
        private double[] meanVar(java.util.Collection<Scored> xs) {
            int n = xs.size();
            double sum = 0;
            for (Scored x : xs) {
                sum += x.squaredError();
            }
            double mean = sum / n;
            if (!clustered) {
                double sq = 0;
                for (Scored x : xs) {
                    sq += (x.squaredError() - mean) * (x.squaredError() - mean);
                }
                return new double[] {mean, sq / n / n};
            }
            java.util.Map<String, Double> byUser = new java.util.HashMap<>();
            for (Scored x : xs) {
                byUser.merge(x.user(), x.squaredError() - mean, Double::sum);
            }
            double v = 0;
            for (double u : byUser.values()) {
                v += u * u;
            }
            return new double[] {mean, v / n / n};
        }
    }

    /** The first {@code n} events of the demo's synthetic stream. */
    static List<Rating> synthetic(int n) {
        List<Rating> synth = new ArrayList<>();
        for (Rating r : new SyntheticRatings(SyntheticRatings.Spec.explicit(5_000, 1_000, 8, 42))) {
            synth.add(r);
            if (synth.size() == n) {
                break;
            }
        }
        return synth;
    }

    /** Copies the rows of {@code ids} from one table to another; a row the source lacks is reset to its initial. */
    static void copy(FactorTable from, FactorTable to, Set<String> ids) {
        for (String id : ids) {
            int r = from.indexOf(id);
            if (r >= 0) {
                to.put(id, from.params(), r * from.width(), from.state(), r * from.stateSize(), from.version(r), 0);
            } else {
                int t = to.indexOf(id);
                if (t >= 0) {
                    // The served model never had it: back to an unseen row's contribution (zeros).
                    java.util.Arrays.fill(to.params(), t * to.width(), (t + 1) * to.width(), 0f);
                }
            }
        }
    }
}
