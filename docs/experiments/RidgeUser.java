import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Prequential RMSE of biased MF whose user row is solved in closed form before each prediction (ridge regression
 * of the user's earlier ratings on the current item rows, ALS-WR's weighted regularization lambda n_u, Zhou et al.
 * 2008, lambda 0.065), item rows stepped by row-wise AdaGrad against it (rate 0.3, L2 0.05, epsilon 1, 32 factors,
 * as the online defaults). Usage: java RidgeUser.java FILE [lambda]
 */
public class RidgeUser {
    public static void main(String[] args) throws Exception {
        List<long[]> events = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] f = line.trim().split("\\s+");
            events.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
        }
        events.sort(Comparator.comparingLong(e -> e[3]));
        double lambda = args.length > 1 ? Double.parseDouble(args[1]) : 0.065;
        float lr = 0.3f, reg = 0.05f, eps = 1f;
        int k = 32, w = k + 1, n = events.size();
        Map<Long, Integer> userRows = new HashMap<>(), itemRows = new HashMap<>();
        float[] q = new float[n * w];
        float[] qAcc = new float[2 * n];
        List<List<int[]>> history = new ArrayList<>();
        Random rnd = new Random(42);
        double sum = 0, count = 0, se = 0, ae = 0;
        double[] pu = new double[w];
        double[][] a = new double[w][w];
        double[] b = new double[w];
        for (long[] e : events) {
            double mu = count > 0 ? sum / count : 3.0;
            Integer uu = userRows.get(e[0]), ii = itemRows.get(e[1]);
            int u = uu == null ? userRows.size() : uu, i = ii == null ? itemRows.size() : ii;
            if (uu == null) {
                userRows.put(e[0], u);
                history.add(new ArrayList<>());
            }
            if (ii == null) {
                itemRows.put(e[1], i);
                for (int f = 1; f < w; f++) q[i * w + f] = (float) (rnd.nextGaussian() * 0.05);
            }
            List<int[]> h = history.get(u);
            // Solve (X'X + lambda n I) p = X'y, x_j = (1, q_j), y_j = r_j - mu - b_j.
            java.util.Arrays.fill(pu, 0);
            if (!h.isEmpty()) {
                for (double[] row : a) java.util.Arrays.fill(row, 0);
                java.util.Arrays.fill(b, 0);
                for (int[] r : h) {
                    int j = r[0];
                    double y = r[1] - mu - q[j * w];
                    for (int x = 0; x < w; x++) {
                        double xv = x == 0 ? 1 : q[j * w + x];
                        b[x] += xv * y;
                        for (int z = 0; z <= x; z++) a[x][z] += xv * (z == 0 ? 1 : q[j * w + z]);
                    }
                }
                for (int x = 0; x < w; x++) {
                    a[x][x] += lambda * h.size();
                    for (int z = 0; z < x; z++) a[z][x] = a[x][z];
                }
                solve(a, b, pu);
            }
            double s = mu + pu[0] + (ii == null ? 0 : q[i * w]);
            if (ii != null) for (int f = 1; f < w; f++) s += pu[f] * q[i * w + f];
            double err = Math.min(5, Math.max(1, s)) - e[2];
            se += err * err;
            ae += Math.abs(err);
            // Learn the item row against the solved user row.
            s = mu + pu[0] + q[i * w];
            for (int f = 1; f < w; f++) s += pu[f] * q[i * w + f];
            float g = (float) (s - e[2]);
            float gbi = g + reg * q[i * w];
            qAcc[2 * i] += gbi * gbi;
            float sq = 0;
            float[] gq = new float[w];
            for (int f = 1; f < w; f++) {
                gq[f] = (float) (g * pu[f]) + reg * q[i * w + f];
                sq += gq[f] * gq[f];
            }
            qAcc[2 * i + 1] += sq / k;
            q[i * w] -= lr * gbi / ((float) Math.sqrt(qAcc[2 * i]) + eps);
            float ri = lr / ((float) Math.sqrt(qAcc[2 * i + 1]) + eps);
            for (int f = 1; f < w; f++) q[i * w + f] -= ri * gq[f];
            h.add(new int[] {i, (int) e[2]});
            sum += e[2];
            count++;
        }
        System.out.printf("ridge-user lambda %.3f: RMSE %.4f MAE %.4f over %d events%n", lambda, Math.sqrt(se / n), ae / n, n);
    }

    /** Cholesky solve of the symmetric positive definite a x = b. */
    static void solve(double[][] a, double[] b, double[] x) {
        int m = b.length;
        double[][] l = new double[m][m];
        for (int r = 0; r < m; r++) {
            for (int c = 0; c <= r; c++) {
                double v = a[r][c];
                for (int t = 0; t < c; t++) v -= l[r][t] * l[c][t];
                l[r][c] = r == c ? Math.sqrt(Math.max(v, 1e-12)) : v / l[c][c];
            }
        }
        double[] y = new double[m];
        for (int r = 0; r < m; r++) {
            double v = b[r];
            for (int t = 0; t < r; t++) v -= l[r][t] * y[t];
            y[r] = v / l[r][r];
        }
        for (int r = m - 1; r >= 0; r--) {
            double v = y[r];
            for (int t = r + 1; t < m; t++) v -= l[t][r] * x[t];
            x[r] = v / l[r][r];
        }
    }
}
