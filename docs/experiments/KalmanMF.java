import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Prequential biased MF whose rows are learned by an extended Kalman filter instead of AdaGrad: each row carries a
 * mean and two variances (its bias's and, isotropic, its factors'), an event's step on a row is its Kalman gain times
 * the residual, and the variances shrink by what the event told (then grow by DRIFT times their prior per step). Rates are
 * thus set per row by how much is known about it, the "per-row adaptive rates" of issue 13 in Bayesian form
 * (assumed density filtering; the collaborative Kalman filter of Gultekin and Paisley, 2014, without its dynamics).
 *
 * <p>Nothing is chosen on the data: the observation noise is the running mean of the squared residuals, the bias
 * prior the running variance of the labels, and the factors' prior such that the factor term's prior variance
 * (k times the product of the two rows' variances) equals the labels' variance too.
 *
 * <pre>
 * java docs/experiments/KalmanMF.java FILE [DRIFT]
 * </pre>
 * DRIFT: the drift per step, as a fraction of each prior variance (default 0: no drift).
 */
public class KalmanMF {
    public static void main(String[] args) throws Exception {
        List<long[]> events = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] f = line.trim().split("\\s+");
            events.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
        }
        events.sort(Comparator.comparingLong(e -> e[3]));
        double drift = args.length > 1 ? Double.parseDouble(args[1]) : 0;
        double minLabel = 1, maxLabel = 5;
        int k = Integer.getInteger("k", 32), w = k + 1, n = events.size();
        Map<Long, Integer> userRows = new HashMap<>(), itemRows = new HashMap<>();
        float[] p = new float[n * w], q = new float[n * w];
        double[] pvb = new double[n], pvf = new double[n], qvb = new double[n], qvf = new double[n];
        Random rnd = new Random(42);
        // -Dfactors=adagrad: only the biases by the filter, the factors by the defaults' row-wise AdaGrad.
        boolean adagrad = "adagrad".equals(System.getProperty("factors"));
        float[] pAcc = new float[n], qAcc = new float[n];
        double sum = 0, sumSq = 0, count = 0, se = 0, ae = 0, noise = 1, noiseN = 0;
        for (long[] e : events) {
            double mu = count > 0 ? sum / count : (minLabel + maxLabel) / 2;
            double var = count > 1 ? Math.max(1e-3, sumSq / count - mu * mu) : 1;
            double v0b = var, v0f = Double.parseDouble(System.getProperty("vf", "1")) * Math.sqrt(var / k);
            Integer uu = userRows.get(e[0]), ii = itemRows.get(e[1]);
            int u = uu == null ? userRows.size() : uu, i = ii == null ? itemRows.size() : ii;
            double s = mu;
            if (uu != null) s += p[u * w];
            if (ii != null) s += q[i * w];
            if (uu != null && ii != null) for (int f = 1; f < w; f++) s += p[u * w + f] * q[i * w + f];
            double err = Math.min(maxLabel, Math.max(minLabel, s)) - e[2];
            se += err * err;
            ae += Math.abs(err);
            if (uu == null) {
                userRows.put(e[0], u);
                for (int f = 1; f < w; f++) p[u * w + f] = (float) (rnd.nextGaussian() * 0.05);
                pvb[u] = v0b;
                pvf[u] = v0f;
            }
            if (ii == null) {
                itemRows.put(e[1], i);
                for (int f = 1; f < w; f++) q[i * w + f] = (float) (rnd.nextGaussian() * 0.05);
                qvb[i] = v0b;
                qvf[i] = v0f;
            }
            // Learn with the rows as they are now (new ones at their priors).
            double r = mu + p[u * w] + q[i * w], pp = 0, qq = 0;
            for (int f = 1; f < w; f++) {
                r += p[u * w + f] * q[i * w + f];
                pp += p[u * w + f] * p[u * w + f];
                qq += q[i * w + f] * q[i * w + f];
            }
            double res = e[2] - r;
            double S = noise + pvb[u] + (adagrad ? 0 : pvf[u] * qq) + qvb[i] + (adagrad ? 0 : qvf[i] * pp);
            double gu = res / S;
            p[u * w] += (float) (pvb[u] * gu);
            q[i * w] += (float) (qvb[i] * gu);
            if (adagrad) {
                // The factors as evaluate's defaults learn them: row-wise AdaGrad, rate 0.3, epsilon 1, L2 0.05.
                float g = (float) -res, sp = 0, sq = 0;
                float[] gp = new float[w], gq = new float[w];
                for (int f = 1; f < w; f++) {
                    gp[f] = g * q[i * w + f] + 0.05f * p[u * w + f];
                    gq[f] = g * p[u * w + f] + 0.05f * q[i * w + f];
                    sp += gp[f] * gp[f];
                    sq += gq[f] * gq[f];
                }
                pAcc[u] += sp / k;
                qAcc[i] += sq / k;
                float ru = 0.3f / ((float) Math.sqrt(pAcc[u]) + 1), ri = 0.3f / ((float) Math.sqrt(qAcc[i]) + 1);
                for (int f = 1; f < w; f++) {
                    p[u * w + f] -= ru * gp[f];
                    q[i * w + f] -= ri * gq[f];
                }
            } else {
                for (int f = 1; f < w; f++) {
                    float pf = p[u * w + f], qf = q[i * w + f];
                    p[u * w + f] += (float) (pvf[u] * gu * qf);
                    q[i * w + f] += (float) (qvf[i] * gu * pf);
                }
            }
            pvb[u] -= pvb[u] * pvb[u] / S;
            qvb[i] -= qvb[i] * qvb[i] / S;
            pvf[u] -= pvf[u] * pvf[u] * qq / (S * k);
            qvf[i] -= qvf[i] * qvf[i] * pp / (S * k);
            pvb[u] += drift * v0b;
            qvb[i] += drift * v0b;
            pvf[u] += drift * v0f;
            qvf[i] += drift * v0f;
            noiseN++;
            noise += (res * res - noise) / Math.min(noiseN + 1, 10_000);
            sum += e[2];
            sumSq += (double) e[2] * e[2];
            count++;
        }
        System.out.printf("KalmanMF %s drift %s k %d: RMSE %.4f MAE %.4f (noise %.3f)%n",
                Path.of(args[0]).getFileName(), drift, k, Math.sqrt(se / n), ae / n, noise);
    }
}
