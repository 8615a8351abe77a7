package io.streamrec.learn;

import io.streamrec.model.ModelKind;

/**
 * {@link UserFirstLearner}'s loop for the positives-only models: every event is a positive, its user row steps at
 * once with the gradient of its pairs or sampled negatives, and the gradients of the positive item and of each
 * negative join the batch of item gradients. The losses are {@link ImplicitLearner}'s (BPR: Rendle et al. 2009;
 * implicit-logistic with sampled negatives; popularity, whose item bias gains the event's weight at rate 1, so
 * that it counts the positives exactly).
 *
 * <p>Negatives are drawn ({@link NegativeSampler}) among the item rows the model holds, which on a stream user
 * task are the items it has seen or loaded. The item gradients are taken from the user row before its step, as
 * per-event SGD does; each item row's event count counts the positive once and a negative once per draw.
 */
public final class ImplicitUserFirstLearner extends UserFirstLearning {
    private final ModelKind kind;
    private final int negatives;
    private final NegativeSampler sampler;
    private final GradientAccumulator userGrad;
    private final float[] scratch;
    /** The user side of an event without a user row: all zeros. */
    private final float[] zeroUser;

    /** {@code negatives} per positive: 1..1000 for bpr and implicit-logistic; ignored for popularity. */
    public ImplicitUserFirstLearner(Model model, int negatives) {
        super(model);
        this.kind = model.hyper().kind();
        if (!kind.positivesOnly() || kind == ModelKind.FISM) {
            throw new IllegalArgumentException(kind.id() + " is not a model ImplicitUserFirstLearner trains");
        }
        if (kind != ModelKind.POPULARITY && (negatives < 1 || negatives > 1000)) {
            throw new IllegalArgumentException("negatives must be in 1..1000, got " + negatives);
        }
        this.negatives = kind == ModelKind.POPULARITY ? 0 : negatives;
        this.sampler = new NegativeSampler(model.hyper().seed());
        this.userGrad = new GradientAccumulator(width);
        this.scratch = new float[width];
        this.zeroUser = new float[width];
    }

    public int negatives() {
        return negatives;
    }

    /** Learns a positive; the label is not used. {@code u} = -1: the items learn against a zero user row. */
    @Override
    public double learn(int u, int i, float label, float weight, long time) {
        float lr = eventRate();
        float[] up = u >= 0 ? model.users().params() : zeroUser;
        int uo = u >= 0 ? u * width : 0;
        float[] ip = model.items().params();
        int known = model.items().size();
        double eventLoss = switch (kind) {
            case POPULARITY -> {
                if (u >= 0) { // counts the event for the user row, as ImplicitLearner does
                    userGrad.addEvent(u, 0f, ip, i * width, time);
                }
                itemGrads.addEvent(i, -weight, up, uo, time);
                yield 0;
            }
            case BPR -> bpr(up, uo, ip, u, i, weight, time, known);
            default -> logistic(up, uo, ip, u, i, weight, time, known);
        };
        if (u >= 0) {
            updater.apply(model.users(), userGrad, lr);
        }
        eventLearned(1f, weight, eventLoss);
        return eventLoss;
    }

    private double bpr(float[] up, int uo, float[] ip, int u, int i, float w, long t, int known) {
        double positive = ip[i * width] + Model.dot(up, uo + 1, ip, i * width + 1, width - 1);
        double loss = 0;
        float gi = 0f;
        if (u >= 0) { // the event counts once for the user row; the pairs' gradients come as count-free sums
            userGrad.addEvent(u, 0f, ip, i * width, t);
        }
        for (int k = 0; k < negatives; k++) {
            int j = sampler.draw(known, i);
            if (j < 0) {
                break;
            }
            double x = positive - ip[j * width] - Model.dot(up, uo + 1, ip, j * width + 1, width - 1);
            // -ln sigmoid(x) = ln(1 + e^-x), stably; its derivative in x is -sigmoid(-x).
            loss += w * (Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
            float g = (float) (-w * ModelKind.sigmoid(-x));
            gi += g;
            if (u >= 0) { // d/dp_u = g (q_i - q_j); the user bias cancels in x
                addScaled(u, g, ip, i * width, t, false);
                addScaled(u, -g, ip, j * width, t, false);
            }
            itemGrads.addEvent(j, -g, up, uo, t);
        }
        itemGrads.addEvent(i, gi, up, uo, t);
        return loss;
    }

    private double logistic(float[] up, int uo, float[] ip, int u, int i, float w, long t, int known) {
        double base = u >= 0 ? up[uo] : 0;
        double s = base + ip[i * width] + Model.dot(up, uo + 1, ip, i * width + 1, width - 1);
        double loss = w * Loss.LOGISTIC.loss(1, s);
        float g = (float) (w * Loss.LOGISTIC.gradient(1, s));
        if (u >= 0) {
            userGrad.addEvent(u, g, ip, i * width, t);
        }
        itemGrads.addEvent(i, g, up, uo, t);
        for (int k = 0; k < negatives; k++) {
            int j = sampler.draw(known, i);
            if (j < 0) {
                break;
            }
            double sj = base + ip[j * width] + Model.dot(up, uo + 1, ip, j * width + 1, width - 1);
            loss += w * Loss.LOGISTIC.loss(0, sj);
            float gj = (float) (w * Loss.LOGISTIC.gradient(0, sj));
            if (u >= 0) {
                addScaled(u, gj, ip, j * width, t, true);
            }
            itemGrads.addEvent(j, gj, up, uo, t);
        }
        return loss;
    }

    /** Adds {@code g} times the item row to the user's gradient (bias slot: {@code g} when {@code withBias}). */
    private void addScaled(int u, float g, float[] ip, int offset, long t, boolean withBias) {
        scratch[0] = withBias ? g : 0f;
        for (int f = 1; f < width; f++) {
            scratch[f] = g * ip[offset + f];
        }
        userGrad.addSum(u, scratch, 0, 0, t);
    }
}
