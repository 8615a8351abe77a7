import java.nio.file.*; import java.util.*;
/**
 * Averaging M independently initialized online MF models (docs/benchmarks.md, "Explicit ratings"): the learner of
 * {@code OnlineExperiments.java mf} (row-wise AdaGrad, rate 0.3, L2 0.05, batch 1, timestamp order), M copies with
 * seeds 42.., the prediction their mean (clipped to 1..5), each copy stepped on its own error.
 *
 * <pre>java docs/experiments/OnlineEnsemble.java FILE M [FACTORS]</pre>
 */
public class OnlineEnsemble {
  public static void main(String[] a) throws Exception {
    List<long[]> events = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(a[0]))) { String[] f = line.trim().split("\\s+");
      events.add(new long[]{Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])}); }
    events.sort(Comparator.comparingLong(e -> e[3]));
    int M = Integer.parseInt(a[1]); int k = Integer.parseInt(a.length > 2 ? a[2] : "32");
    float lr = 0.3f, reg = 0.05f, eps = 1f; int w = k + 1, n = events.size();
    Map<Long,Integer> ur = new HashMap<>(), ir = new HashMap<>();
    float[][] p = new float[M][n * w], q = new float[M][n * w], pA = new float[M][2*n], qA = new float[M][2*n];
    Random[] rnd = new Random[M]; for (int m = 0; m < M; m++) rnd[m] = new Random(42 + m);
    double sum = 0, cnt = 0, se = 0, ae = 0; float[] gp = new float[k], gq = new float[k];
    for (long[] e : events) {
      double mu = cnt > 0 ? sum / cnt : 3.0;
      Integer uu = ur.get(e[0]), ii = ir.get(e[1]);
      int u = uu == null ? ur.size() : uu, i = ii == null ? ir.size() : ii;
      if (uu == null) { ur.put(e[0], u); for (int m = 0; m < M; m++) for (int f = 1; f < w; f++) p[m][u*w+f] = (float)(rnd[m].nextGaussian()*0.05); }
      if (ii == null) { ir.put(e[1], i); for (int m = 0; m < M; m++) for (int f = 1; f < w; f++) q[m][i*w+f] = (float)(rnd[m].nextGaussian()*0.05); }
      double pred = 0;
      for (int m = 0; m < M; m++) { double s = mu + (uu == null ? 0 : p[m][u*w]) + (ii == null ? 0 : q[m][i*w]);
        if (uu != null && ii != null) for (int f = 1; f < w; f++) s += p[m][u*w+f] * q[m][i*w+f];
        pred += s / M; }
      double err = Math.min(5, Math.max(1, pred)) - e[2]; se += err*err; ae += Math.abs(err);
      for (int m = 0; m < M; m++) {
        float[] P = p[m], Q = q[m];
        double s = mu + P[u*w] + Q[i*w]; for (int f = 1; f < w; f++) s += P[u*w+f]*Q[i*w+f];
        float g = (float)(s - e[2]);
        float gbu = g + reg*P[u*w], gbi = g + reg*Q[i*w];
        pA[m][2*u] += gbu*gbu; qA[m][2*i] += gbi*gbi;
        float sp = 0, sq = 0;
        for (int f = 0; f < k; f++) { gp[f] = g*Q[i*w+1+f] + reg*P[u*w+1+f]; gq[f] = g*P[u*w+1+f] + reg*Q[i*w+1+f]; sp += gp[f]*gp[f]; sq += gq[f]*gq[f]; }
        pA[m][2*u+1] += sp/k; qA[m][2*i+1] += sq/k;
        P[u*w] -= lr*gbu/((float)Math.sqrt(pA[m][2*u])+eps); Q[i*w] -= lr*gbi/((float)Math.sqrt(qA[m][2*i])+eps);
        float ru = lr/((float)Math.sqrt(pA[m][2*u+1])+eps), ri = lr/((float)Math.sqrt(qA[m][2*i+1])+eps);
        for (int f = 0; f < k; f++) { P[u*w+1+f] -= ru*gp[f]; Q[i*w+1+f] -= ri*gq[f]; }
      }
      sum += e[2]; cnt++;
    }
    System.out.printf("M=%d k=%d rmse %.4f mae %.4f%n", M, k, Math.sqrt(se/n), ae/n);
  }
}
