package io.streamrec.learn;

import io.streamrec.model.ModelKind;
import java.util.Arrays;

/**
 * {@link UserFirstLearning}'s loop for {@link ModelKind#FISM}: what the user side of an event changes (the user's
 * sum of context vectors, the history's context vectors, the served user row) changes at once, in this learner's
 * {@link FismState}; the gradients of the positive and negative items join the batch of item gradients, as bpr's do.
 *
 * <p>The steps are {@link FismLearner}'s (FISMauc's pairs in turn, the history's steps in closed form), with one
 * difference that the stream imposes: the item rows do not move between an event's pairs, since they step by
 * mini-batch ({@link UserFirstLearner} says why). In a stream trainer the context vectors are the user task's own:
 * each task learns them from its own users' events.
 */
public final class FismUserFirstLearner extends UserFirstLearning {
    private final int negatives;
    private final float l2Factor;
    private final NegativeSampler sampler;
    private final FismState state;
    private final float[] gradient;
    private final float[] decayedSum;
    private final float[] pairGradient;
    /** The user side of an event without a user row: all zeros. */
    private final float[] zeroUser;

    /** {@code negatives} per positive (1..1000), {@code alpha} the exponent of {@code |N_u|^-alpha}. */
    public FismUserFirstLearner(Model model, int negatives, double alpha) {
        super(model);
        FismLearner.check(model.hyper(), negatives, alpha);
        this.negatives = negatives;
        this.l2Factor = (float) model.hyper().regFactor();
        this.sampler = new NegativeSampler(model.hyper().seed());
        this.state = new FismState(model.hyper(), alpha);
        this.gradient = new float[width];
        this.decayedSum = new float[width];
        this.pairGradient = new float[width];
        this.zeroUser = new float[width];
    }

    public FismState state() {
        return state;
    }

    public int negatives() {
        return negatives;
    }

    /** Learns a positive; the label is not used. {@code u} = -1: the items learn against a zero user row. */
    @Override
    public double learn(int u, int i, float label, float weight, long time) {
        float lr = eventRate();
        FactorTable items = model.items();
        state.ensureContext(items.size(), items);
        float[] ip = items.params();
        int known = items.size();
        FismState.User s = u >= 0 ? state.user(model.users().id(u)) : null;
        float[] sum = s == null ? zeroUser : s.sum;
        int n = s == null ? 0 : s.size;
        float scale = s == null ? 0f : state.scale(s);
        float decay = 1f - lr * l2Factor;
        Arrays.fill(decayedSum, 0f);
        int io = i * width;
        double loss = 0;
        float gi = 0f;
        int taken = 0;
        for (int k = 0; k < negatives; k++) {
            int j = sampler.draw(known, i);
            if (j < 0) {
                break;
            }
            taken++;
            int jo = j * width;
            double x = state.pairScore(sum, scale, ip, io, jo);
            loss += weight * (Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
            float g = (float) (-weight * ModelKind.sigmoid(-x));
            gi += g;
            // The negative's gradient against the user row of this pair: g_j = -g p_u.
            pairGradient[0] = 0f;
            for (int f = 1; f < width; f++) {
                pairGradient[f] = scale * sum[f];
            }
            itemGrads.addEvent(j, -g, pairGradient, 0, time);
            // The positive's: g p_u, summed over the pairs (pairGradient holds p_u of this pair).
            addPositive(i, g, time);
            if (s != null) {
                for (int f = 1; f < width; f++) {
                    gradient[f] = g * scale * (ip[io + f] - ip[jo + f]);
                    decayedSum[f] = decay * decayedSum[f] + gradient[f];
                    sum[f] -= lr * (n * gradient[f] + l2Factor * sum[f]);
                }
            }
        }
        countPositive(i, gi, time);
        if (s != null) {
            state.endEvent(s, i, taken, decay, lr, decayedSum, model.users().params(), u * width);
            model.users().touched(u, 1);
        }
        eventLearned(1f, weight, loss);
        return loss;
    }

    /** The positive item's factor gradient of one pair, {@code g p_u}, counting no event. */
    private void addPositive(int i, float g, long time) {
        for (int f = 1; f < width; f++) {
            pairGradient[f] *= g;
        }
        pairGradient[0] = 0f;
        itemGrads.addSum(i, pairGradient, 0, 0, time);
    }

    /** The positive's bias gradient, summed over the pairs, and its one event. */
    private void countPositive(int i, float gi, long time) {
        Arrays.fill(pairGradient, 0f);
        itemGrads.addEvent(i, gi, pairGradient, 0, time);
    }
}
