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
        Pretrained ml = pretrainOnFirstHalf(Path.of(args[0]));
        Model pre = ml.model();
        List<Rating> stream = ml.stream();
        // -Dsim.part=p/n: only the users of partition p of n (by hash), as one user task of n sees the stream.
        String part = System.getProperty("sim.part");
        if (part != null) {
            int p = Integer.parseInt(part.split("/")[0]);
            int parts = Integer.parseInt(part.split("/")[1]);
            stream = stream.stream()
                    .filter(r -> Math.floorMod(r.user().hashCode(), parts) == p)
                    .toList();
        }
        for (String attack : new String[] {"none", "flip", "constant", "random", "shift", "bot"}) {
            for (boolean gate : new boolean[] {false, true}) {
                run("ml-100k", pre, stream, attack, 10_000, 10_000, gate);
            }
        }
        List<Rating> synth = synthetic(100_000);
        for (String attack : new String[] {"none", "flip", "constant", "random", "shift", "bot"}) {
            run("synthetic", null, synth, attack, 50_000, 10_000, true);
        }
    }

    /** A model pretrained on the earliest half of a file's ratings, and the later half to stream. */
    record Pretrained(Model model, List<Rating> stream) {}

    /** The demo's set-up: pretrain on the earliest half by time (the pretrain defaults, 30 epochs), stream the rest. */
    static Pretrained pretrainOnFirstHalf(Path file) {
        Holdout.Split split = Holdout.byTime(RatingReader.sortByTime(RatingReader.readAll(file)), 0.5);
        Model pre = new BatchTrainer(Hyperparameters.pretrainDefaults(ModelKind.BIASED_MF), 30, 64, 42)
                .train(split.train(), null);
        return new Pretrained(pre, split.test());
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
        long labelClosures = 0;
        long quarantined = 0;
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
                    case "shift" -> trained = new Rating(r.user(), r.item(), Math.max(1, r.label() - 1), r.timestamp());
                    case "bot" -> events.add(new Rating("bot", "" + (1 + rnd.nextInt(1682)), 5, r.timestamp()));
                    default -> throw new IllegalArgumentException(attack);
                }
            }
            double p = served.predict(r.user(), r.item());
            (attacked ? during : k >= at + len && !attack.equals("none") ? after : clean).add(r.label(), p);
            events.add(trained);
            for (Rating e : events) {
                // As the user task: every event feeds the label check, with its item's bias before learning it.
                int ir = live.items().indexOf(e.item());
                boolean q = ir >= 0 ? g.observe(e.user(), live.items().bias(ir), e.label()) : g.quarantines();
                if (g.holdsOut(e.user(), e.item(), e.timestamp())) {
                    g.heldOut(e.user(), e.item(), e.label());
                } else if (q) {
                    quarantined++;
                } else {
                    learner.learn(e);
                    g.trained(1);
                    changedUsers.add(e.user());
                    changedItems.add(e.item());
                }
                n++;
                if (attacked && closedAfter < 0 && (!g.open() || q)) {
                    closedAfter = k - at;
                }
                if (n % PUBLISH_EVERY == 0) {
                    learner.flush();
                    boolean wasOpen = g.open();
                    boolean ok = g.check(live::predict, QualityGate.Reason.NONE, n);
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
                        // Withheld with the gate still open: a first finding of a worse live model (a hold).
                        boolean closedNow = wasOpen && !g.open();
                        boolean labels = g.reason() == QualityGate.Reason.LABELS;
                        if (labels && closedNow) {
                            labelClosures++;
                        }
                        // As PublicationGate: rows that trained on labels from before the check found them suspect
                        // go back at once; otherwise after ROLLBACK_AFTER events closed.
                        boolean timeUp = !g.open() && n - g.closedSince() >= ROLLBACK_AFTER;
                        if ((labels && closedNow) || timeUp) {
                            copy(served.users(), live.users(), changedUsers);
                            copy(served.items(), live.items(), changedItems);
                            changedUsers.clear();
                            changedItems.clear();
                        }
                        if (timeUp) {
                            g.rolledBack();
                        }
                    }
                }
            }
            events.clear();
        }
        System.out.printf(
                "%s attack=%s gate=%s closures=%d (labels %d) closed_after=%d closed_events=%d quarantined=%d"
                        + " max_ratio=%.4f served_attack=%.4f served_after=%.4f served_clean=%.4f%n",
                name,
                attack,
                gated,
                g.closures(),
                labelClosures,
                closedAfter,
                closedEvents,
                quarantined,
                maxRatio,
                during.rmse(),
                after.rmse(),
                clean.rmse());
        return new Result(g.closures(), closedAfter, during.rmse(), after.rmse(), clean.rmse());
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
