import io.streamrec.data.Positives;
import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.eval.PrequentialRanking;
import io.streamrec.learn.FactorTable;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.ImplicitBatchTrainer;
import io.streamrec.learn.ImplicitLearner;
import io.streamrec.learn.Model;
import io.streamrec.learn.NegativeSampler;
import io.streamrec.model.ModelKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * docs/benchmarks.md ("FISM pretrained, bpr fine-tuned"): does a model pretrained by FISM (epochs, the paper's form:
 * each positive scored from the user's other training items) make a better start for the stream's bpr than a bpr
 * pretrained on the same events? The earlier half (by time) of the positives pretrains; the later half is then
 * ranked prequentially (PrequentialRanking's protocol) by each model frozen, and fine-tuned by bpr per event (as
 * `evaluate --model bpr --init-model` does). Not part of the build.
 *
 * <pre>java -cp target/streamrec.jar docs/experiments/FismPretrain.java FILE MIN [EPOCHS] [NEGATIVES]</pre>
 */
public class FismPretrain {
    public static void main(String[] args) {
        List<Rating> all = new RatingReader().read(Path.of(args[0])).ratings();
        float min = Float.parseFloat(args[1]);
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int negatives = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        List<Rating> pos = RatingReader.sortByTime(Positives.apply(all, ModelKind.BPR, min, "MIN"));
        List<Rating> first = pos.subList(0, pos.size() / 2);
        List<Rating> second = pos.subList(pos.size() / 2, pos.size());
        Hyperparameters hyper = Hyperparameters.pretrainDefaults(ModelKind.BPR);
        Model bpr = new ImplicitBatchTrainer(hyper, epochs, 64, 1, hyper.seed()).train(first, null);
        Model fism = fism(hyper, first, epochs, negatives, 0.5);
        for (String name : List.of("bpr", "fism")) {
            Model init = name.equals("bpr") ? bpr : fism;
            System.out.printf(
                    "%s pretrained: frozen recall@10 %.4f, bpr fine-tuned %.4f%n",
                    name, prequential(Model.withHyper(init, hyper), second, false),
                    prequential(Model.withHyper(init, Hyperparameters.defaults(ModelKind.BPR)), second, true));
        }
    }

    static double prequential(Model m, List<Rating> events, boolean learn) {
        PrequentialRanking ranking = new PrequentialRanking(10, 1000);
        ImplicitLearner learner = new ImplicitLearner(m, 1, 1);
        for (Rating r : events) {
            int u = m.users().indexOf(r.user());
            int i = m.items().indexOf(r.item());
            ranking.evaluate(m, u, i);
            u = u >= 0 ? u : m.users().getOrCreate(r.user());
            i = i >= 0 ? i : m.items().getOrCreate(r.item());
            if (learn) {
                learner.learn(u, i, 1, r.weight(), r.timestamp());
            }
            ranking.seen(u, i);
        }
        return ranking.metrics().recall();
    }

    /** FISMauc in epochs (Kabbur et al. 2013): p_u(i) = (|N_u| - 1)^-alpha sum of y_j over the user's other items. */
    static Model fism(Hyperparameters hyper, List<Rating> train, int epochs, int negatives, double alpha) {
        Model m = new Model(hyper);
        FactorTable users = m.users();
        FactorTable items = m.items();
        Map<Integer, Set<Integer>> itemsOf = new HashMap<>();
        List<int[]> events = new ArrayList<>();
        for (Rating r : train) {
            int u = users.getOrCreate(r.user());
            int i = items.getOrCreate(r.item());
            itemsOf.computeIfAbsent(u, k -> new LinkedHashSet<>()).add(i);
            events.add(new int[] {u, i});
        }
        int w = hyper.width();
        float lr = (float) hyper.schedule().rate(0);
        float l2 = (float) hyper.regFactor();
        float l2b = (float) hyper.regBias();
        Random rnd = new Random(7);
        float[] y = new float[items.size() * w];
        for (int f = 0; f < y.length; f++) {
            y[f] = f % w == 0 ? 0 : (float) (rnd.nextGaussian() * hyper.initStd());
        }
        float[] q = items.params();
        NegativeSampler sampler = new NegativeSampler(hyper.seed());
        float[] sum = new float[w];
        float[] acc = new float[w];
        float decay = 1 - lr * l2;
        for (int epoch = 0; epoch < epochs; epoch++) {
            Collections.shuffle(events, rnd);
            for (int[] e : events) {
                int u = e[0];
                int i = e[1];
                Set<Integer> mine = itemsOf.get(u);
                int n = mine.size() - 1;
                if (n == 0) {
                    continue;
                }
                java.util.Arrays.fill(sum, 0);
                for (int j : mine) {
                    if (j != i) {
                        for (int f = 1; f < w; f++) {
                            sum[f] += y[j * w + f];
                        }
                    }
                }
                float s = (float) Math.pow(n, -alpha);
                java.util.Arrays.fill(acc, 0);
                for (int k = 0; k < negatives; k++) {
                    int j = sampler.draw(items.size(), i);
                    double x = q[i * w] - q[j * w];
                    for (int f = 1; f < w; f++) {
                        x += s * sum[f] * (q[i * w + f] - q[j * w + f]);
                    }
                    float g = (float) -ModelKind.sigmoid(-x);
                    q[i * w] -= lr * (g + l2b * q[i * w]);
                    q[j * w] -= lr * (-g + l2b * q[j * w]);
                    for (int f = 1; f < w; f++) {
                        float p = s * sum[f];
                        float qi = q[i * w + f];
                        float qj = q[j * w + f];
                        float gy = g * s * (qi - qj);
                        q[i * w + f] = qi - lr * (g * p + l2 * qi);
                        q[j * w + f] = qj - lr * (-g * p + l2 * qj);
                        acc[f] = decay * acc[f] + gy;
                        sum[f] -= lr * (n * gy + l2 * sum[f]);
                    }
                }
                float decayN = (float) Math.pow(decay, negatives);
                for (int h : mine) {
                    if (h != i) {
                        for (int f = 1; f < w; f++) {
                            y[h * w + f] = decayN * y[h * w + f] - lr * acc[f];
                        }
                    }
                }
            }
        }
        float[] up = users.params();
        for (Map.Entry<Integer, Set<Integer>> en : itemsOf.entrySet()) {
            int u = en.getKey();
            float s = (float) Math.pow(en.getValue().size(), -alpha);
            up[u * w] = 0;
            for (int f = 1; f < w; f++) {
                float t = 0;
                for (int j : en.getValue()) {
                    t += y[j * w + f];
                }
                up[u * w + f] = s * t;
            }
        }
        return m;
    }
}
