import java.nio.file.*;
import java.util.*;

/**
 * Experience replay in the online learner (docs/benchmarks.md, "Explicit ratings"): progressive validation of biased
 * MF at the online defaults (as {@code OnlineExperiments.java FILE mf}, which {@code R = 0} reproduces), where after
 * each event's own step the learner also steps on {@code R} earlier events drawn uniformly from a reservoir of
 * {@code CAP} of them (all earlier events by default), as the replay buffers of online recommenders do (Diaz-Aviles
 * et al., "Real-time top-n recommendation in social streams", RecSys 2012). The question: do the factors, which
 * underfit in one pass, gain from more passes over what was seen? {@code -Dreplay.frozen=true}: replayed steps do not
 * grow the AdaGrad accumulators (a replayed event is no new evidence). {@code -Davg=item|user|user-item}: predict
 * with the uniform average of each row's iterates so far (Polyak-Ruppert averaging, which damps the noise of SGD's
 * steps), the rows themselves stepped as before. Self-contained; not part of the build.
 *
 * <pre>java docs/experiments/Replay.java FILE R [CAP]</pre>
 */
public class Replay {
    static int k = 32, w = k + 1; static float lr = 0.3f, reg = 0.05f, eps = 1f;
    static String avg = System.getProperty("avg", "none"); static float[] pa, qa; static int[] pn, qn; static float[] p, q, pAcc, qAcc, gp = new float[k], gq = new float[k];
    static double mu; static boolean replaying, accumulate = !Boolean.getBoolean("replay.frozen");
    public static void main(String[] a) throws Exception {
        List<long[]> ev = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(a[0]))) { String[] f = line.trim().split("\\s+");
            ev.add(new long[]{Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])}); }
        ev.sort(Comparator.comparingLong(e -> e[3]));
        int R = Integer.parseInt(a[1]); int cap = a.length > 2 ? Integer.parseInt(a[2]) : Integer.MAX_VALUE;
        int n = ev.size(); p = new float[n * w]; q = new float[n * w]; pAcc = new float[2 * n]; qAcc = new float[2 * n]; pa = new float[n * w]; qa = new float[n * w]; pn = new int[n]; qn = new int[n];
        Map<Long,Integer> ur = new HashMap<>(), ir = new HashMap<>(); Random rnd = new Random(42), rr = new Random(7);
        int[] bu = new int[Math.min(n, cap)], bi = new int[bu.length]; float[] by = new float[bu.length]; int size = 0; long seen = 0;
        double sum = 0, cnt = 0, se = 0, ae = 0;
        for (long[] e : ev) {
            mu = cnt > 0 ? sum / cnt : 3.0;
            Integer uu = ur.get(e[0]), ii = ir.get(e[1]);
            int u = uu == null ? ur.size() : uu, i = ii == null ? ir.size() : ii;
            if (uu == null) { ur.put(e[0], u); for (int f = 1; f < w; f++) p[u * w + f] = (float) (rnd.nextGaussian() * 0.05); }
            if (ii == null) { ir.put(e[1], i); for (int f = 1; f < w; f++) q[i * w + f] = (float) (rnd.nextGaussian() * 0.05); }
            float[] P = avg.contains("user") ? pa : p, Q = avg.contains("item") ? qa : q;
            if (uu == null) System.arraycopy(p, u * w, pa, u * w, w);
            if (ii == null) System.arraycopy(q, i * w, qa, i * w, w);
            double s = mu + (uu == null ? 0 : P[u * w]) + (ii == null ? 0 : Q[i * w]);
            if (uu != null && ii != null) for (int f = 1; f < w; f++) s += P[u * w + f] * Q[i * w + f];
            double err = Math.min(5, Math.max(1, s)) - e[2];
            se += err * err; ae += Math.abs(err);
            step(u, i, e[2]);
            for (int r = 0; r < R && size > 0; r++) { int x = rr.nextInt(size); replaying = true; step(bu[x], bi[x], by[x]); replaying = false; }
            seen++;
            if (size < bu.length) { bu[size] = u; bi[size] = i; by[size] = e[2]; size++; }
            else { long x = (long) (rr.nextDouble() * seen); if (x < bu.length) { bu[(int) x] = u; bi[(int) x] = i; by[(int) x] = e[2]; } }
            sum += e[2]; cnt++;
        }
        System.out.printf("{\"replay\":%d,\"cap\":%d,\"rmse\":%.4f,\"mae\":%.4f}%n", R, cap, Math.sqrt(se / n), ae / n);
    }
    static void step(int u, int i, float y) {
        double s = mu + p[u * w] + q[i * w];
        for (int f = 1; f < w; f++) s += p[u * w + f] * q[i * w + f];
        float g = (float) (s - y);
        float gbu = g + reg * p[u * w], gbi = g + reg * q[i * w];
        if (accumulate || !replaying) { pAcc[2 * u] += gbu * gbu; qAcc[2 * i] += gbi * gbi; }
        float sp = 0, sq = 0;
        for (int f = 0; f < k; f++) { gp[f] = g * q[i * w + 1 + f] + reg * p[u * w + 1 + f]; gq[f] = g * p[u * w + 1 + f] + reg * q[i * w + 1 + f]; sp += gp[f] * gp[f]; sq += gq[f] * gq[f]; }
        if (accumulate || !replaying) { pAcc[2 * u + 1] += sp / k; qAcc[2 * i + 1] += sq / k; }
        p[u * w] -= lr * gbu / ((float) Math.sqrt(pAcc[2 * u]) + eps);
        q[i * w] -= lr * gbi / ((float) Math.sqrt(qAcc[2 * i]) + eps);
        float ru = lr / ((float) Math.sqrt(pAcc[2 * u + 1]) + eps), ri = lr / ((float) Math.sqrt(qAcc[2 * i + 1]) + eps);
        for (int f = 0; f < k; f++) { p[u * w + 1 + f] -= ru * gp[f]; q[i * w + 1 + f] -= ri * gq[f]; }
        if (avg.equals("none")) return;
        pn[u]++; qn[i]++;
        float au = 1f / pn[u], ai = 1f / qn[i];
        for (int f = 0; f < w; f++) { pa[u * w + f] += au * (p[u * w + f] - pa[u * w + f]); qa[i * w + f] += ai * (q[i * w + f] - qa[i * w + f]); }
    }
}
