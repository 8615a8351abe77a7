import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Prequential biased MF at the online defaults (as {@code OnlineExperiments mf}: 32 factors, row-wise AdaGrad rate
 * 0.3 epsilon 1, L2 0.05), with experience replay: after each event is learned, R more SGD steps (both rows) on events
 * drawn from the events before it, uniformly from all of them ({@code uniform}) or from the last 1,000
 * ({@code recent}): the reservoir replay of stream learners (Diaz-Aviles et al., RecSys 2012, draw their SGD steps
 * from a reservoir of the stream), here to see whether one pass underfits for want of steps.
 *
 * <pre>
 * java docs/experiments/ReplayMF.java FILE R [uniform|recent]
 * </pre>
 */
public class ReplayMF {
    static final int k = 32, w = k + 1;
    static final float lr = 0.3f, reg = 0.05f, eps = 1f;
    static float[] p, q, pAcc, qAcc;
    static final float[] gp = new float[k], gq = new float[k];

    /** One step of both rows on (u, i, r), as the model learns an event. */
    static void learn(int u, int i, double mu, double r) {
        double s = mu + p[u * w] + q[i * w];
        for (int f = 0; f < k; f++) s += p[u * w + 1 + f] * q[i * w + 1 + f];
        float g = (float) (s - r);
        float gbu = g + reg * p[u * w], gbi = g + reg * q[i * w];
        pAcc[2 * u] += gbu * gbu;
        qAcc[2 * i] += gbi * gbi;
        float sp = 0, sq = 0;
        for (int f = 0; f < k; f++) {
            gp[f] = g * q[i * w + 1 + f] + reg * p[u * w + 1 + f];
            gq[f] = g * p[u * w + 1 + f] + reg * q[i * w + 1 + f];
            sp += gp[f] * gp[f];
            sq += gq[f] * gq[f];
        }
        pAcc[2 * u + 1] += sp / k;
        qAcc[2 * i + 1] += sq / k;
        p[u * w] -= lr * gbu / ((float) Math.sqrt(pAcc[2 * u]) + eps);
        q[i * w] -= lr * gbi / ((float) Math.sqrt(qAcc[2 * i]) + eps);
        float ru = lr / ((float) Math.sqrt(pAcc[2 * u + 1]) + eps), ri = lr / ((float) Math.sqrt(qAcc[2 * i + 1]) + eps);
        for (int f = 0; f < k; f++) {
            p[u * w + 1 + f] -= ru * gp[f];
            q[i * w + 1 + f] -= ri * gq[f];
        }
    }
    public static void main(String[] a) throws Exception {
        List<long[]> ev = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(a[0]))) {
            String[] f = line.trim().split("\\s+");
            ev.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
        }
        ev.sort(Comparator.comparingLong(e -> e[3]));
        int R = Integer.parseInt(a[1]); String kind = a.length > 2 ? a[2] : "uniform";
        int n = ev.size();
        p = new float[n * w];
        q = new float[n * w];
        pAcc = new float[2 * n];
        qAcc = new float[2 * n];
        Map<Long, Integer> U = new HashMap<>(), I = new HashMap<>(); Random rnd = new Random(42), rr = new Random(7);
        int[] hu = new int[n], hi = new int[n]; float[] hr = new float[n]; int h = 0;
        double sum = 0, count = 0, se = 0, ae = 0;
        for (long[] e : ev) {
            double mu = count > 0 ? sum / count : 3.0;
            Integer uu = U.get(e[0]), ii = I.get(e[1]);
            int u = uu == null ? U.size() : uu, i = ii == null ? I.size() : ii;
            if (uu == null) { U.put(e[0], u); for (int f = 1; f < w; f++) p[u * w + f] = (float) (rnd.nextGaussian() * 0.05); }
            if (ii == null) { I.put(e[1], i); for (int f = 1; f < w; f++) q[i * w + f] = (float) (rnd.nextGaussian() * 0.05); }
            double s = mu + (uu == null ? 0 : p[u * w]) + (ii == null ? 0 : q[i * w]);
            if (uu != null && ii != null) for (int f = 0; f < k; f++) s += p[u * w + 1 + f] * q[i * w + 1 + f];
            double err = Math.min(5, Math.max(1, s)) - e[2];
            se += err * err;
            ae += Math.abs(err);
            learn(u, i, mu, e[2]);
            for (int x = 0; x < R && h > 0; x++) {
                int j = kind.equals("recent") ? h - 1 - rr.nextInt(Math.min(h, 1000)) : rr.nextInt(h);
                learn(hu[j], hi[j], mu, hr[j]);
            }
            hu[h] = u;
            hi[h] = i;
            hr[h] = e[2];
            h++;
            sum += e[2];
            count++;
        }
        System.out.printf("{\"replay\":%d,\"kind\":\"%s\",\"rmse\":%.4f,\"mae\":%.4f}%n", R, kind, Math.sqrt(se / n), ae / n);
    }
}
