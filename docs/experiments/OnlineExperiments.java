import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The experiments behind docs/benchmarks.md's "Explicit ratings" section: progressive validation (predict, score,
 * learn; timestamp order) of biased MF at the online defaults (32 factors, row-wise AdaGrad rate 0.3 epsilon 1,
 * L2 0.05, init deviation 0.05), plain or with one of two published additions:
 * SVD++'s implicit term (Koren 2008: the user factor p_u + |N(u)|^-1/2 sum over j in N(u) of y_j, N(u) the items
 * the user rated before; each event steps every y_j of N(u) exactly, cost |N(u)| k per event), or a retraining of
 * the user's row on the user's last events after each event, item rows fixed (the user update of Rendle and
 * Schmidt-Thieme, "Online-updating regularized kernel matrix factorization models", RecSys 2008).
 * Not part of the build. The jar on the classpath provides EJML, for the low-rank neighbourhood (-Dknn.rank).
 *
 * <pre>java -cp target/streamrec.jar docs/experiments/OnlineExperiments.java FILE MODE</pre>
 * FILE: u.data-like lines (user, item, rating, timestamp; tabs). MODE: {@code mf} (must give what {@code evaluate}
 * gives), {@code svdpp-adagrad} (the y_j rows stepped as the others: row-wise AdaGrad), {@code svdpp-koren} (the
 * y_j rows by plain SGD at Koren 2008's factor rate 0.007 and L2 0.015), {@code svdpp-now} and
 * {@code svdpp-now-adagrad} (the same with the event's own item in N(u) when it is predicted: that the user rates
 * it is known before the rating), {@code replayN} (after each event, one
 * more step of the user's row on each of its last N earlier events), {@code base} (the biases replaced by Koren
 * 2008's closed-form shrunk baseline, b_i = sum(r - mu) / (25 + n_i), b_u = sum(r - mu - b_i) / (10 + n_u), kept as
 * running sums; the factors learned on the rest), {@code base2} (that baseline added to the learned biases),
 * {@code short-bias} (a second, short-term user bias stepped by plain SGD at a constant rate, {@code -Deta=0.02}:
 * a user's level within a session, as timeSVD++'s day bias b_{u,t}, Koren 2009) and {@code stack} (the plain model's
 * prediction plus a least-squares fit, refitted online with a unit ridge, of the residual on the user's last
 * residual and three moving averages of their residuals at rates 0.5, 0.2 and 0.05: how much of the error is the
 * user's recent level; {@code stack2} adds the same four of the item's residuals; {@code knn} fits on one feature
 * instead, the item-item neighbourhood estimate of the residual: the user's earlier residuals weighted by each item's
 * correlation with the event's item, correlations of the plain model's residuals over the users who rated both,
 * learned as the stream goes and shrunk by n / (n + 100) (Koren 2008's shrinkage), divided by 1 + the sum of their
 * absolute values; {@code stack-knn} fits on the four user features and that one; {@code knn-now} and
 * {@code stack-knn-now} take the user's earlier residuals under the rows as they are at the event, not as they were
 * at the earlier events, as Koren's neighbourhood model defines them); {@code asvd} and {@code asvd-koren}: the
 * factored form of that neighbourhood (Koren 2008's asymmetric term), the user factor p_u + |R(u)|^-1/2 sum over the
 * user's earlier events of their residual times x_j, each x_j stepped as {@code svdpp-adagrad}'s or
 * {@code svdpp-koren}'s y_j); {@code -Dknn.recent=M} keeps the neighbourhood to the user's last M events, in the
 * estimate and in the correlations' updates); {@code scale}: the item bias scaled per user, (1 + c_u) b_i, c_u stepped
 * as a bias (Koren 2009's c_u(t) without its day term), {@code scale-stack} that with the {@code stack} fit,
 * and {@code scale-stack-knn-now} that with the {@code stack-knn-now} fit; {@code day} adds a day-specific user bias
 * b_{u,t} (timeSVD++, Koren 2009), back to 0 with a fresh accumulator on each new UTC day of the user's
 * ({@code -Dday.seconds} sets the day's length), stepped as the user bias is; {@code day-stack}, {@code scale-day} and
 * {@code scale-day-stack} combine it with the others; {@code iscale}: the user bias scaled per item instead, (1 + d_i) b_u,
 * d_i stepped as a bias, and {@code scale2} both scales ({@code -stack} adds the fit to either); {@code qknn-now}:
 * {@code knn-now} with the cosine of the two items' current factors as their similarity (no pair statistics).
 * {@code -Dsvdpp=true} (any mode): adds {@code svdpp-koren}'s implicit term.
 * {@code -Dseed=S}: the rows' initial values from seed S (42); {@code -Dpred=FILE}: each event's prediction and label.
 * {@code -Dscale.outer=true} ({@code scale} modes): c_u learned as a layer on the model's residual, the model unchanged.
 * {@code -Dscale.acc=factors}: c_u stepped with the user's factor accumulator instead of its own.
 * {@code -Dstack.user=false}: the stacked fit without the user's recent-level features.
 * {@code -Dstack.fits=P}: P separate stacked fits, a user's chosen by row number modulo P (P user tasks).
 * {@code -Drho=R} (any mode): the rows' accumulators decay by R per step, so that a row's
 * rate stops falling (a row-wise RMSProp); 1, the default, is AdaGrad. {@code -Dbreakdown=true}: also the error by
 * how many earlier events the event's user and item have, on stderr.
 */
public class OnlineExperiments {
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(List.of("mf", "svdpp-adagrad", "svdpp-koren", "svdpp-now", "svdpp-now-adagrad", "base", "base2", "short-bias", "stack", "stack2", "knn", "knn-now", "stack-knn", "stack-knn-now", "asvd", "asvd-koren", "scale", "scale-stack", "scale-stack-knn-now", "scale-stack-knn", "scale2", "scale2-stack", "qknn-now", "iscale", "iscale-stack", "day", "scale-day", "day-stack", "scale-day-stack", "sketch", "stack-sketch", "scale-stack-sketch").contains(args[1])
                || args[1].matches("replay[1-9][0-9]*"))) {
            System.err.println("usage: java -cp target/streamrec.jar OnlineExperiments.java FILE mf|svdpp-adagrad|svdpp-koren|svdpp-now[-adagrad]|replayN|base|base2|short-bias|stack|stack2|knn[-now]|stack-knn[-now]|asvd[-koren]|scale[-stack[-knn[-now]]]|[scale-]day[-stack]|iscale[-stack]|scale2[-stack]|qknn-now");
            System.exit(2);
        }
        List<long[]> events = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] f = line.trim().split("\\s+");
            events.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
        }
        events.sort(Comparator.comparingLong(e -> e[3]));
        String mode = args[1];
        boolean asvd = mode.startsWith("asvd");
        boolean implicit = mode.startsWith("svdpp") || asvd || Boolean.getBoolean("svdpp");
        int replay = mode.startsWith("replay") ? Integer.parseInt(mode.substring(6)) : 0;
        float lr = 0.3f, reg = 0.05f, eps = 1f;
        int k = 32, w = k + 1, n = events.size();
        Map<Long, Integer> userRows = new HashMap<>(), itemRows = new HashMap<>();
        float[] p = new float[n * w], q = new float[n * w], y = new float[n * k];
        float[] pAcc = new float[2 * n], qAcc = new float[2 * n], yAcc = new float[n];
        List<List<Integer>> rated = new ArrayList<>();
        List<List<float[]>> history = new ArrayList<>();
        Random rnd = new Random(Long.getLong("seed", 42));
        double sum = 0, count = 0, se = 0, ae = 0;
        // -Dpred=FILE: each event's prediction (unclamped) and label, tab-separated, in the order scored.
        java.io.PrintStream predictions = System.getProperty("pred") == null ? null : new java.io.PrintStream(System.getProperty("pred"));
        float[] pz = new float[k], gp = new float[k], gq = new float[k];
        boolean base = mode.startsWith("base");
        double l2 = Double.parseDouble(System.getProperty("l2", "25")), l3 = Double.parseDouble(System.getProperty("l3", "10"));
        double[] sumI = new double[n], sumU = new double[n];
        int[] nI = new int[n], nU = new int[n];
        // qknn: the neighbourhood's similarity is the cosine of the current item factors instead of learned correlations.
        boolean qsim = mode.startsWith("qknn");
        boolean knnNow = mode.endsWith("knn-now"), knn = mode.endsWith("knn") || knnNow;
        // sketch: the user's residuals summed over random item vectors z_j (D dimensions, N(0, 1/D) entries), scaled by
        // |R(u)|^-1/2, and each item's weights on that sum fitted to its residuals by recursive least squares (prior
        // P = I): a compressed neighbourhood that a client could apply (user vector s_u, item vector a_i).
        boolean sketch = mode.endsWith("sketch");
        int sd = Integer.getInteger("sketch.d", 32);
        boolean shortBias = mode.equals("short-bias"), stack = mode.startsWith("stack") || mode.endsWith("-stack") || knn || sketch, stack2 = mode.equals("stack2");
        // -Dstack.user=false: the fit without the user's recent-level features (they stay 0).
        boolean userFeatures = !mode.startsWith("knn") && !mode.startsWith("qknn") && !mode.equals("sketch")
                && !"false".equals(System.getProperty("stack.user"));
        // knn: item-item correlations of the residuals of the plain model (shrunk by n / (n + 100), Koren 2008's
        // shrinkage), over the users who rated both, learned as the stream goes; the feature is the similarity-weighted
        // mean of the user's earlier residuals.
        int maxItems = (int) events.stream().mapToLong(ev -> ev[1]).distinct().count();
        boolean pairs = knn && !qsim;
        float[] pairN = pairs ? new float[maxItems * maxItems] : null, pairXY = pairs ? new float[maxItems * maxItems] : null;
        float[] pairXX = pairs ? new float[maxItems * maxItems] : null, pairYY = pairs ? new float[maxItems * maxItems] : null;
        // Each item's sum of squared residuals: the diagonal of the residuals' Gram matrix (-Dknn.diag=true).
        float[] itemSq = new float[maxItems];
        List<List<double[]>> userRes = new ArrayList<>();
        double eta = Double.parseDouble(System.getProperty("eta", "0.02"));
        // The error by how many earlier events the event's user (item) has in the stream, BUCKETS' lower ends.
        int[] seenU = new int[n], seenI = new int[n];
        double[] seByUser = new double[BUCKETS.length], seByItem = new double[BUCKETS.length];
        long[] nByUser = new long[BUCKETS.length], nByItem = new long[BUCKETS.length];
        // -Drho below 1: the accumulators forget at that rate per step (RMSProp's running mean, not AdaGrad's sum).
        float rho = Float.parseFloat(System.getProperty("rho", "1"));
        double[] shortB = new double[n];
        // scale: Koren 2009's user-specific scaling of the item bias, (1 + c_u) b_i, c_u stepped as a bias is.
        boolean scale = mode.startsWith("scale");
        // iscale: the other side, the user bias scaled per item, (1 + d_i) b_u, d_i stepped as a bias is; scale2 both.
        boolean iscale = mode.startsWith("scale2") || mode.startsWith("iscale");
        float[] di = new float[n], dAcc = new float[n];
        boolean day = mode.contains("day");
        float[] dayB = new float[n], dayAcc = new float[n]; long[] lastDay = new long[n]; Arrays.fill(lastDay, -1);
        float[] cu = new float[n], cAcc = new float[n];
        int d = stack2 ? 8 : (mode.startsWith("knn") || mode.startsWith("qknn") || mode.equals("sketch")) ? 1 : (mode.contains("stack-knn") || mode.contains("stack-sketch")) ? 5 : 4;
        int nItemsAll = (int) events.stream().mapToLong(ev -> ev[1]).distinct().count();
        int nUsersAll = (int) events.stream().mapToLong(ev -> ev[0]).distinct().count();
        double[] zs = sketch ? new double[nItemsAll * sd] : null, su = sketch ? new double[nUsersAll * sd] : null;
        double[] ai = sketch ? new double[nItemsAll * sd] : null, pI = sketch ? new double[nItemsAll * sd * sd] : null;
        if (sketch) {
            Random zr = new Random(7);
            for (int a = 0; a < zs.length; a++) zs[a] = zr.nextGaussian() / Math.sqrt(sd);
            for (int it = 0; it < nItemsAll; it++) for (int a = 0; a < sd; a++) pI[it * sd * sd + a * sd + a] = 1;
        }
        double[] sx = new double[sd], px = new double[sd];
        double[][] xtx = new double[d][d], residuals = new double[n][8], itemRes = new double[n][4];
        int[] nIt = new int[n];
        double[] xty = new double[d], beta = new double[d], rates = {0.5, 0.2, 0.05};
        // -Dstack.fits=P: P separate fits, a user's by row number modulo P, as P user tasks would each fit their own.
        int fits = Integer.getInteger("stack.fits", 1);
        double[][][] xtxs = new double[fits][d][d];
        double[][] xtys = new double[fits][d], betas = new double[fits][d];
        xtxs[0] = xtx;
        xtys[0] = xty;
        // -Dknn.rank=D: the correlations replaced by their rank-D eigen-approximation, recomputed every knn.every
        // events (what a client could apply: D more coordinates per row). The sign of each eigenvalue is kept apart.
        int rank = Integer.getInteger("knn.rank", 0), every = Integer.getInteger("knn.every", 5000);
        double[][] low = null;
        double[] lowSign = new double[Math.max(rank, 1)];
        long seenEvents = 0;
        // -Dknn.served=stale|aligned: the correction as a client would compute it from published rows: the user's
        // vector s_u summed as the events were learned, with the basis of that moment, never recomputed when the
        // basis changes (stale); aligned also rotates each new basis onto the one before (orthogonal Procrustes).
        String served = System.getProperty("knn.served", "");
        double[][] previous = null;
        double[] sUser = new double[n * Math.max(rank, 1)];
        // -Dknn.top=N: pair statistics kept for N items only (a bounded catalogue): the first N seen, then at each
        // refresh the N with the most events so far; an item that leaves the set loses its statistics, one that
        // enters starts from none. -Dknn.sample=F: only a hashed fraction F of the users update them.
        int top = Integer.getInteger("knn.top", 0);
        double sample = Double.parseDouble(System.getProperty("knn.sample", "1"));
        boolean[] tracked = new boolean[maxItems];
        int trackedCount = 0;
        for (long[] e : events) {
            if (rank > 0 && pairs && top > 0 && seenEvents > 0 && seenEvents % every == 0) {
                Integer[] byCount = new Integer[itemRows.size()];
                for (int x = 0; x < byCount.length; x++) byCount[x] = x;
                Arrays.sort(byCount, (x, y2) -> Integer.compare(seenI[y2], seenI[x]));
                boolean[] next = new boolean[maxItems];
                for (int x = 0; x < Math.min(top, byCount.length); x++) next[byCount[x]] = true;
                for (int x = 0; x < maxItems; x++) {
                    if (tracked[x] && !next[x]) for (int y2 = 0; y2 < maxItems; y2++) for (int a : new int[] {x * maxItems + y2, y2 * maxItems + x}) {
                        pairN[a] = 0; pairXY[a] = 0; pairXX[a] = 0; pairYY[a] = 0;
                    }
                }
                tracked = next;
            }
            if (rank > 0 && pairs && seenEvents > 0 && seenEvents % every == 0) {
                low = top > 0 ? lowRankOf(tracked, pairN, pairXY, pairXX, pairYY, itemRows.size(), maxItems, rank, lowSign)
                        : lowRank(pairN, pairXY, pairXX, pairYY, itemRows.size(), maxItems, rank, lowSign);
                if (Boolean.getBoolean("knn.diag")) low = lowRankWithDiagonal(pairXY, itemSq, itemRows.size(), maxItems, rank, lowSign);
                if (served.endsWith("aligned") && previous != null) low = align(low, previous);
                previous = low;
            }
            seenEvents++;
            double mu = count > 0 ? sum / count : 3.0;
            Integer uu = userRows.get(e[0]), ii = itemRows.get(e[1]);
            int u = uu == null ? userRows.size() : uu, i = ii == null ? itemRows.size() : ii;
            if (uu == null) {
                userRows.put(e[0], u);
                rated.add(new ArrayList<>());
                userRes.add(new ArrayList<>());
                history.add(new ArrayList<>());
                for (int f = 1; f < w; f++) p[u * w + f] = (float) (rnd.nextGaussian() * 0.05);
            }
            if (ii == null) {
                itemRows.put(e[1], i);
                if (top > 0 && trackedCount < top) { tracked[i] = true; trackedCount++; }
                for (int f = 1; f < w; f++) q[i * w + f] = (float) (rnd.nextGaussian() * 0.05);
            }
            List<Integer> nu = rated.get(u);
            boolean now = mode.startsWith("svdpp-now") && !nu.contains(i);
            if (now) nu.add(i);
            float norm = nu.isEmpty() ? 0 : (float) (1 / Math.sqrt(nu.size()));
            Arrays.fill(pz, 0);
            if (asvd) {
                // Koren 2008's asymmetric term on residuals: |R(u)|^-1/2 sum of (r_uj - prediction at the time) x_j.
                for (double[] h : userRes.get(u)) for (int f = 0; f < k; f++) pz[f] += (float) h[1] * y[(int) h[0] * k + f];
            } else if (implicit) for (int j : nu) for (int f = 0; f < k; f++) pz[f] += y[j * k + f];
            for (int f = 0; f < k; f++) pz[f] = p[u * w + 1 + f] + norm * pz[f];
            // Predict as evaluate does: a row never seen contributes nothing (its factors neither).
            double bicf = sumI[i] / (l2 + nI[i]);
            double bucf = sumU[u] / (l3 + nU[u]);
            double s = base ? mu + bicf + bucf + (mode.equals("base2") ? (uu == null ? 0 : p[u * w]) + (ii == null ? 0 : q[i * w]) : 0)
                    : mu + (uu == null ? 0 : (iscale && ii != null ? 1 + di[i] : 1) * p[u * w]) + (ii == null ? 0 : (scale && uu != null ? 1 + cu[u] : 1) * q[i * w]);
            if (ii != null) for (int f = 0; f < k; f++) s += (uu == null ? pz[f] - p[u * w + 1 + f] : pz[f]) * q[i * w + 1 + f];
            if (shortBias) s += shortB[u];
            long today = e[3] / Long.getLong("day.seconds", 86400);
            if (day && lastDay[u] != today) { dayB[u] = 0; dayAcc[u] = 0; lastDay[u] = today; }
            if (day) s += dayB[u];
            double plain = s;
            double[] recent = residuals[u];
            if (stack2) for (int j = 0; j < 4; j++) recent[4 + j] = nIt[i] > 0 ? itemRes[i][j] : 0;
            double[] feat = new double[d];
            if (userFeatures) System.arraycopy(recent, 0, feat, 0, Math.min(d, stack2 ? 8 : 4));
            int recentMax = Integer.getInteger("knn.recent", Integer.MAX_VALUE);
            List<double[]> recentRes = userRes.get(u).subList(Math.max(0, userRes.get(u).size() - recentMax), userRes.get(u).size());
            if (knn && !served.isEmpty()) {
                double dot = 0;
                if (low != null && i < low[0].length) for (int c = 0; c < rank; c++) dot += lowSign[c] * low[c][i] * sUser[u * rank + c];
                feat[d - 1] = dot / (1 + Math.sqrt(recentRes.size()));
            } else if (knn) {
                double num = 0, den = 1;
                for (double[] h : recentRes) {
                    int j = (int) h[0], a = i * maxItems + j;
                    double corr;
                    if (qsim) {
                        double qq = 0, ni = 0, nj = 0;
                        for (int f = 1; f < w; f++) { qq += q[i * w + f] * q[j * w + f]; ni += q[i * w + f] * q[i * w + f]; nj += q[j * w + f] * q[j * w + f]; }
                        corr = qq / Math.sqrt(ni * nj + 1e-12);
                    } else if (rank > 0) {
                        // The correlations' rank-D approximation, as of the last decomposition.
                        if (low == null || i >= low[0].length || j >= low[0].length) continue;
                        corr = 0;
                        for (int c = 0; c < rank; c++) corr += lowSign[c] * low[c][i] * low[c][j];
                    } else {
                        if (pairN[a] < 1) continue;
                        corr = pairXY[a] / Math.sqrt(pairXX[a] * pairYY[a] + 1e-9) * pairN[a] / (pairN[a] + 100);
                    }
                    double r = h[1];
                    if (knnNow) {
                        // The earlier event's residual under the rows as they are now.
                        double sj = mu + p[u * w] + q[j * w];
                        for (int f = 0; f < k; f++) sj += p[u * w + 1 + f] * q[j * w + 1 + f];
                        r = h[2] - sj;
                    }
                    num += corr * r;
                    den += Math.abs(corr);
                }
                // -Dknn.norm=user: divide by a function of the user alone (1 + sqrt of the neighbours), which a
                // client could apply, instead of by the item's own sum of |correlations|.
                if ("user".equals(System.getProperty("knn.norm"))) den = 1 + Math.sqrt(recentRes.size());
                feat[d - 1] = num / den;
            }
            if (sketch && nU[u] > 0) {
                double inv = 1 / Math.sqrt(nU[u]), dot = 0;
                for (int a = 0; a < sd; a++) { sx[a] = su[u * sd + a] * inv; dot += ai[i * sd + a] * sx[a]; }
                feat[d - 1] = dot;
            }
            int fit = u % fits;
            xtx = xtxs[fit];
            xty = xtys[fit];
            beta = betas[fit];
            if (stack && nU[u] > 0) for (int j = 0; j < d; j++) s += beta[j] * feat[j];
            double err = Math.min(5, Math.max(1, s)) - e[2];
            if (stack) {
                double res = e[2] - plain;
                if (nU[u] > 0) {
                    for (int a = 0; a < d; a++) {
                        xty[a] += feat[a] * res;
                        for (int b = 0; b < d; b++) xtx[a][b] += feat[a] * feat[b];
                    }
                    beta = ridge(xtx, xty);
                    betas[fit] = beta;
                }
                if (knn) {
                    itemSq[i] += (float) (res * res);
                    boolean sampledUser = sample >= 1 || ((u + 1) * 0x9E3779B97F4A7C15L >>> 40) < sample * (1L << 24);
                    for (double[] h : pairs && sampledUser ? recentRes : List.<double[]>of()) {
                        int j = (int) h[0];
                        if (j == i || (top > 0 && !(tracked[i] && tracked[j]))) continue;
                        for (int a : new int[] {i * maxItems + j, j * maxItems + i}) {
                            pairN[a]++;
                            pairXY[a] += (float) (res * h[1]);
                        }
                        pairXX[i * maxItems + j] += (float) (res * res);
                        pairYY[i * maxItems + j] += (float) (h[1] * h[1]);
                        pairXX[j * maxItems + i] += (float) (h[1] * h[1]);
                        pairYY[j * maxItems + i] += (float) (res * res);
                    }
                    // -Dknn.history=basis (with knn.top): a user's history keeps only the events on items in the
                    // set at the time, the only ones the basis gives coordinates to.
                    if (top == 0 || tracked[i] || !"basis".equals(System.getProperty("knn.history"))) userRes.get(u).add(new double[] {i, res, e[2]});
                    if (low != null && served.startsWith("frozen")) {
                        // Recomputed from the user's last knn.recent events with the basis of now, then published
                        // (frozen) until the user's next event.
                        List<double[]> hist = userRes.get(u);
                        java.util.Arrays.fill(sUser, u * rank, (u + 1) * rank, 0);
                        for (double[] h : hist.subList(Math.max(0, hist.size() - recentMax), hist.size())) {
                            int j = (int) h[0];
                            // -Dknn.now=true: each earlier event's residual under the rows as they are now (Koren's
                            // definition, as knn-now), not as recorded when it was learned.
                            double r = h[1];
                            if (Boolean.getBoolean("knn.now")) {
                                double sj = mu + p[u * w] + (scale ? 1 + cu[u] : 1) * q[j * w];
                                for (int f = 0; f < k; f++) sj += p[u * w + 1 + f] * q[j * w + 1 + f];
                                r = h[2] - sj;
                            }
                            if (j < low[0].length) for (int c = 0; c < rank; c++) sUser[u * rank + c] += r * low[c][j];
                        }
                    } else if (low != null && i < low[0].length) for (int c = 0; c < rank; c++) sUser[u * rank + c] += res * low[c][i];
                }
                if (sketch) {
                    if (nU[u] > 0) {
                        // RLS on (s_u, res) for item i: k = P x / (1 + x' P x), a += k (res - a . x), P -= k (P x)'.
                        int b0 = i * sd * sd;
                        double xpx = 0, pred = 0;
                        for (int a = 0; a < sd; a++) {
                            double v = 0;
                            for (int b = 0; b < sd; b++) v += pI[b0 + a * sd + b] * sx[b];
                            px[a] = v;
                            xpx += sx[a] * v;
                            pred += ai[i * sd + a] * sx[a];
                        }
                        double den = 1 + xpx, r = res - pred;
                        for (int a = 0; a < sd; a++) ai[i * sd + a] += px[a] / den * r;
                        for (int a = 0; a < sd; a++) for (int b = 0; b < sd; b++) pI[b0 + a * sd + b] -= px[a] * px[b] / den;
                    }
                    for (int a = 0; a < sd; a++) su[u * sd + a] += res * zs[i * sd + a];
                }
                recent[0] = res;
                for (int j = 0; j < 3; j++) recent[j + 1] = nU[u] == 0 ? res : (1 - rates[j]) * recent[j + 1] + rates[j] * res;
                nU[u]++;
                if (stack2) {
                    double[] ir = itemRes[i];
                    ir[0] = res;
                    for (int j = 0; j < 3; j++) ir[j + 1] = nIt[i] == 0 ? res : (1 - rates[j]) * ir[j + 1] + rates[j] * res;
                    nIt[i]++;
                }
            }
            if (predictions != null) predictions.println(s + "\t" + e[2]);
            se += err * err;
            int bu = bucket(seenU[u]++), bi = bucket(seenI[i]++);
            seByUser[bu] += err * err;
            nByUser[bu]++;
            seByItem[bi] += err * err;
            nByItem[bi]++;
            ae += Math.abs(err);
            // Learn with the rows as they are now (new ones at their initial values).
            // -Dscale.outer=true: c_u learned on the residual of the model as mf learns it (a layer on an unchanged
            // model), instead of inside the model's own step.
            boolean outer = Boolean.getBoolean("scale.outer");
            float c = scale && !outer ? 1 + cu[u] : 1;
            float cd = iscale ? 1 + di[i] : 1;
            s = base ? mu + bicf + bucf + (mode.equals("base2") ? p[u * w] + q[i * w] : 0) : mu + cd * p[u * w] + c * q[i * w];
            for (int f = 0; f < k; f++) s += pz[f] * q[i * w + 1 + f];
            if (shortBias) s += shortB[u];
            if (day) s += dayB[u];
            float g = (float) (s - e[2]);
            if (day) { float gd = g + reg * dayB[u]; dayAcc[u] += gd * gd; dayB[u] -= lr * gd / ((float) Math.sqrt(dayAcc[u]) + eps); }
            if (shortBias) shortB[u] -= eta * g;
            float gbu = g * cd + reg * p[u * w], gbi = g * c + reg * q[i * w];
            if (iscale) {
                float gd = g * p[u * w] + reg * di[i];
                dAcc[i] += gd * gd;
                di[i] -= lr * gd / ((float) Math.sqrt(dAcc[i]) + eps);
            }
            // -Dscale.acc=factors: c_u stepped as one more factor of the user row (its squared gradient joins the
            // factors' row-wise accumulator, k + 1 coordinates), as a trainer storing c_u among the factors would.
            boolean scaleAsFactor = "factors".equals(System.getProperty("scale.acc"));
            float gc = scale ? (outer ? g + cu[u] * q[i * w] : g) * q[i * w] + reg * cu[u] : 0;
            if (scale && !scaleAsFactor) {
                cAcc[u] += gc * gc;
                cu[u] -= lr * gc / ((float) Math.sqrt(cAcc[u]) + eps);
            }
            pAcc[2 * u] = rho * pAcc[2 * u] + gbu * gbu;
            qAcc[2 * i] = rho * qAcc[2 * i] + gbi * gbi;
            float sp = 0, sq = 0;
            for (int f = 0; f < k; f++) {
                gp[f] = g * q[i * w + 1 + f] + reg * p[u * w + 1 + f];
                gq[f] = g * pz[f] + reg * q[i * w + 1 + f];
                sp += gp[f] * gp[f];
                sq += gq[f] * gq[f];
            }
            pAcc[2 * u + 1] = rho * pAcc[2 * u + 1] + (scale && scaleAsFactor ? (sp + gc * gc) / (k + 1) : sp / k);
            if (scale && scaleAsFactor) cu[u] -= lr * gc / ((float) Math.sqrt(pAcc[2 * u + 1]) + eps);
            qAcc[2 * i + 1] = rho * qAcc[2 * i + 1] + sq / k;
            if (asvd) {
                for (double[] h : userRes.get(u)) {
                    int j = (int) h[0];
                    float wj = (float) h[1];
                    if (mode.equals("asvd-koren")) {
                        for (int f = 0; f < k; f++) y[j * k + f] -= 0.007f * (g * norm * wj * q[i * w + 1 + f] + 0.015f * y[j * k + f]);
                    } else {
                        float sy = 0;
                        for (int f = 0; f < k; f++) {
                            float gy = g * norm * wj * q[i * w + 1 + f] + reg * y[j * k + f];
                            sy += gy * gy;
                        }
                        yAcc[j] += sy / k;
                        float rate = lr / ((float) Math.sqrt(yAcc[j]) + eps);
                        for (int f = 0; f < k; f++) y[j * k + f] -= rate * (g * norm * wj * q[i * w + 1 + f] + reg * y[j * k + f]);
                    }
                }
            } else if (implicit) {
                for (int j : nu) {
                    if (mode.equals("svdpp-koren") || mode.equals("svdpp-now") || Boolean.getBoolean("svdpp")) {
                        for (int f = 0; f < k; f++) y[j * k + f] -= 0.007f * (g * norm * q[i * w + 1 + f] + 0.015f * y[j * k + f]);
                    } else {
                        float sy = 0;
                        for (int f = 0; f < k; f++) {
                            float gy = g * norm * q[i * w + 1 + f] + reg * y[j * k + f];
                            sy += gy * gy;
                        }
                        yAcc[j] += sy / k;
                        float rate = lr / ((float) Math.sqrt(yAcc[j]) + eps);
                        for (int f = 0; f < k; f++) y[j * k + f] -= rate * (g * norm * q[i * w + 1 + f] + reg * y[j * k + f]);
                    }
                }
            }
            if (!mode.equals("base")) {
                p[u * w] -= lr * gbu / ((float) Math.sqrt(pAcc[2 * u]) + eps);
                q[i * w] -= lr * gbi / ((float) Math.sqrt(qAcc[2 * i]) + eps);
            }
            float ru = lr / ((float) Math.sqrt(pAcc[2 * u + 1]) + eps), ri = lr / ((float) Math.sqrt(qAcc[2 * i + 1]) + eps);
            for (int f = 0; f < k; f++) {
                p[u * w + 1 + f] -= ru * gp[f];
                q[i * w + 1 + f] -= ri * gq[f];
            }
            if (replay > 0) {
                List<float[]> h = history.get(u);
                for (int x = Math.max(0, h.size() - replay); x < h.size(); x++) {
                    int j = (int) h.get(x)[0];
                    double sj = mu + p[u * w] + q[j * w];
                    for (int f = 0; f < k; f++) sj += p[u * w + 1 + f] * q[j * w + 1 + f];
                    float gj = (float) (sj - h.get(x)[1]);
                    float gb = gj + reg * p[u * w];
                    pAcc[2 * u] += gb * gb;
                    p[u * w] -= lr * gb / ((float) Math.sqrt(pAcc[2 * u]) + eps);
                    float sj2 = 0;
                    for (int f = 0; f < k; f++) {
                        gp[f] = gj * q[j * w + 1 + f] + reg * p[u * w + 1 + f];
                        sj2 += gp[f] * gp[f];
                    }
                    pAcc[2 * u + 1] += sj2 / k;
                    float rj = lr / ((float) Math.sqrt(pAcc[2 * u + 1]) + eps);
                    for (int f = 0; f < k; f++) p[u * w + 1 + f] -= rj * gp[f];
                }
                h.add(new float[] {i, e[2]});
            }
            if (base) {
                sumI[i] += e[2] - mu;
                nI[i]++;
                sumU[u] += e[2] - mu - sumI[i] / (l2 + nI[i]);
                nU[u]++;
            }
            if (!now) nu.add(i);
            if (asvd) userRes.get(u).add(new double[] {i, e[2] - plain, e[2]});
            sum += e[2];
            count++;
        }
        if (stack) System.err.println("stacked weights (last residual, averages at 0.5, 0.2, 0.05): " + Arrays.toString(beta));
        if (Boolean.getBoolean("breakdown")) {
            for (int x = 0; x < BUCKETS.length; x++) {
                System.err.printf("earlier events >= %d: user rmse %.4f (%.1f%% of the squared error), item rmse %.4f (%.1f%%)%n",
                        BUCKETS[x], Math.sqrt(seByUser[x] / nByUser[x]), 100 * seByUser[x] / se,
                        Math.sqrt(seByItem[x] / nByItem[x]), 100 * seByItem[x] / se);
            }
        }
        if (predictions != null) predictions.close();
        System.out.printf("{\"mode\":\"%s\",\"events\":%d,\"rmse\":%.4f,\"mae\":%.4f}%n", mode, n, Math.sqrt(se / n), ae / n);
    }

    static final int[] BUCKETS = {0, 1, 5, 20, 50, 100, 200};

    static int bucket(int earlier) {
        int b = 0;
        while (b + 1 < BUCKETS.length && earlier >= BUCKETS[b + 1]) b++;
        return b;
    }

    /** (X'X + I)^-1 X'y by Gaussian elimination. */
    /** The rank-D eigen-approximation of the shrunk correlations of the first m items: a[c] = v_c sqrt|lambda_c|. */
    static double[][] lowRank(float[] pn, float[] xy, float[] xx, float[] yy, int m, int stride, int rank, double[] sign) {
        var mat = new org.ejml.data.DMatrixRMaj(m, m);
        for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) {
            int a = i * stride + j;
            if (i == j || pn[a] < 1) continue;
            // -Dknn.matrix: corr (shrunk correlations, the default), cosine (not shrunk), cov (sums of residual
            // products: what a sketch of the users' residual rows would approximate).
            switch (System.getProperty("knn.matrix", "corr")) {
                case "cov" -> mat.set(i, j, xy[a]);
                case "cosine" -> mat.set(i, j, xy[a] / Math.sqrt(xx[a] * yy[a] + 1e-9));
                default -> mat.set(i, j, xy[a] / Math.sqrt(xx[a] * yy[a] + 1e-9) * pn[a] / (pn[a] + 100));
            }
        }
        // Symmetrize: the two halves are updated alike, up to float rounding.
        for (int i = 0; i < m; i++) for (int j = i + 1; j < m; j++) {
            double v = (mat.get(i, j) + mat.get(j, i)) / 2;
            mat.set(i, j, v);
            mat.set(j, i, v);
        }
        return scaledEigenvectors(mat, m, rank, sign);
    }

    /** As lowRank over the items in {@code kept} only (the others' coordinates 0): the first m items, compacted. */
    static double[][] lowRankOf(boolean[] kept, float[] pn, float[] xy, float[] xx, float[] yy, int m, int stride, int rank, double[] sign) {
        int[] rows = java.util.stream.IntStream.range(0, m).filter(x -> kept[x]).toArray();
        int c = rows.length;
        float[] spn = new float[c * c], sxy = new float[c * c], sxx = new float[c * c], syy = new float[c * c];
        for (int a = 0; a < c; a++) for (int b = 0; b < c; b++) {
            int from = rows[a] * stride + rows[b], to = a * c + b;
            spn[to] = pn[from];
            sxy[to] = xy[from];
            sxx[to] = xx[from];
            syy[to] = yy[from];
        }
        double[][] compact = lowRank(spn, sxy, sxx, syy, c, c, rank, sign), out = new double[rank][m];
        for (int d = 0; d < rank; d++) for (int a = 0; a < c; a++) out[d][rows[a]] = compact[d][a];
        return out;
    }

    /** As lowRank over the residuals' whole Gram matrix (sums of products, diagonal included). */
    static double[][] lowRankWithDiagonal(float[] xy, float[] sq, int m, int stride, int rank, double[] sign) {
        var mat = new org.ejml.data.DMatrixRMaj(m, m);
        for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) mat.set(i, j, i == j ? sq[i] : (xy[i * stride + j] + xy[j * stride + i]) / 2);
        // -Dknn.gram=corr: the Gram matrix scaled to unit diagonal, G_ij / sqrt(G_ii G_jj): correlations over all of
        // the residuals, which a sketch of the residual rows and the items' sums of squares would give.
        if ("corr".equals(System.getProperty("knn.gram"))) {
            for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) mat.set(i, j, mat.get(i, j) / Math.sqrt((sq[i] + 1e-9) * (sq[j] + 1e-9)));
        }
        return scaledEigenvectors(mat, m, rank, sign);
    }

    /**
     * The rank largest eigenvalues of a symmetric matrix by magnitude (only the positive ones with
     * -Dknn.sign=positive): their eigenvectors scaled by sqrt|lambda|, one per row, and the signs in sign.
     */
    static double[][] scaledEigenvectors(org.ejml.data.DMatrixRMaj mat, int m, int rank, double[] sign) {
        var eig = org.ejml.dense.row.factory.DecompositionFactory_DDRM.eig(m, true, true);
        if (!eig.decompose(mat)) throw new IllegalStateException("eigen decomposition failed");
        Integer[] order = new Integer[m];
        for (int c = 0; c < m; c++) order[c] = c;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(
                Math.abs(eig.getEigenvalue(y).getReal()), Math.abs(eig.getEigenvalue(x).getReal())));
        boolean positive = System.getProperty("knn.sign", "both").equals("positive");
        double[][] out = new double[rank][m];
        int c = 0;
        for (int t = 0; t < m && c < rank; t++) {
            double l = eig.getEigenvalue(order[t]).getReal();
            if (positive && l < 0) continue;
            var v = eig.getEigenVector(order[t]);
            double sc = Math.sqrt(Math.abs(l));
            for (int i = 0; i < m; i++) out[c][i] = v.get(i, 0) * sc;
            sign[c] = Math.signum(l);
            c++;
        }
        return out;
    }

    /** The new basis rotated onto the old one: Q N with Q = U V^T from the SVD of O N^T (over the old items). */
    static double[][] align(double[][] next, double[][] old) {
        int r = next.length, m = old[0].length;
        var a = new org.ejml.data.DMatrixRMaj(r, r);
        for (int x = 0; x < r; x++) for (int y = 0; y < r; y++) {
            double v = 0;
            for (int i = 0; i < m; i++) v += old[x][i] * next[y][i];
            a.set(x, y, v);
        }
        var svd = org.ejml.dense.row.factory.DecompositionFactory_DDRM.svd(r, r, true, true, false);
        if (!svd.decompose(a)) throw new IllegalStateException("svd failed");
        var q = new org.ejml.data.DMatrixRMaj(r, r);
        org.ejml.dense.row.CommonOps_DDRM.multTransB(svd.getU(null, false), svd.getV(null, false), q);
        double[][] out = new double[r][next[0].length];
        for (int x = 0; x < r; x++) for (int y = 0; y < r; y++) {
            double w = q.get(x, y);
            for (int i = 0; i < next[0].length; i++) out[x][i] += w * next[y][i];
        }
        return out;
    }

    static double[] ridge(double[][] xtx, double[] xty) {
        int d = xty.length;
        double[][] m = new double[d][d + 1];
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) m[a][b] = xtx[a][b] + (a == b ? 1 : 0);
            m[a][d] = xty[a];
        }
        for (int c = 0; c < d; c++) for (int r = c + 1; r < d; r++) {
            double f = m[r][c] / m[c][c];
            for (int c2 = c; c2 <= d; c2++) m[r][c2] -= f * m[c][c2];
        }
        double[] beta = new double[d];
        for (int r = d - 1; r >= 0; r--) {
            double v = m[r][d];
            for (int c2 = r + 1; c2 < d; c2++) v -= m[r][c2] * beta[c2];
            beta[r] = v / m[r][r];
        }
        return beta;
    }
}
