/*
 * Experiment, not product code: the throwaway prototype behind docs/benchmarks.md, "Ideas measured against the
 * popularity bar". Plain Java, no streamrec classes, so that the ideas could be tried in minutes; PrequentialRanking's
 * protocol (timestamp order, stable; rank among the items seen so far, the user's items left out, ties to the item
 * seen first; an unseen item is an evaluated miss; then learn). Its popularity figures equal `evaluate`'s.
 *
 *   java docs/experiments/RankingPrototype.java FILE MIN_LABEL MODEL [key=value ...]
 *
 * MODEL: pop | knn (item co-occurrence, cosine, summed over the user's items) | bpr (user row learned) | fism (user
 * row = |N_u|^-alpha * sum of the factors of the user's items, factors shared with the items unless untied=1).
 * Keys: k=10 lr=0.05 reg=0.0025 init=0.1 neg=1 (negatives per positive); loss=bpr (pairs at once, summed) | seq
 * (one BPR step per pair, in turn) | dns (the highest-scored of max=10 draws, Zhang et al. 2013) | warp (Weston et
 * al. 2011, max=10 draws) | ssm (sampled softmax with log-Q correction); beta=0 (negatives drawn with probability
 * proportional to count^beta; 0 = uniform); fism: alpha=0.5, hist=1 (the user's items take the gradient too),
 * free=w (add a learned user row of weight w), untied=1 (context vectors of their own), untiedSeq=1 (with loss=seq,
 * step those context vectors; without it that path steps the items' own factors, an older hybrid), exact=1 (the
 * user's sum from the context vectors as they are now, as the paper has it, instead of the user's own copy); rep=R res=N (R replays per event from a reservoir of N positives,
 * Diaz-Aviles et al. 2012).
 */
import java.nio.file.*;
import java.util.*;

public class RankingPrototype {
    static int K = 10;
    static double LR = 0.05, REG = 0.0025, INIT = 0.1;

    public static void main(String[] a) throws Exception {
        String file = a[0];
        int minLabel = Integer.parseInt(a[1]);
        String model = a[2];
        Map<String, String> opt = new HashMap<>();
        for (int x = 3; x < a.length; x++) { String[] kv = a[x].split("="); opt.put(kv[0], kv[1]); }
        double beta = Double.parseDouble(opt.getOrDefault("beta", "0"));
        double alpha = Double.parseDouble(opt.getOrDefault("alpha", "0.5"));
        int negs = Integer.parseInt(opt.getOrDefault("neg", "1"));
        LR = Double.parseDouble(opt.getOrDefault("lr", "0.05"));
        REG = Double.parseDouble(opt.getOrDefault("reg", "0.0025"));
        INIT = Double.parseDouble(opt.getOrDefault("init", "0.1"));
        K = Integer.parseInt(opt.getOrDefault("k", "10"));
        boolean histGrad = opt.getOrDefault("hist", "0").equals("1");
        double userMix = Double.parseDouble(opt.getOrDefault("free", "0")); // weight of a free user vector
        List<long[]> ev = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(file))) {
            String[] f = line.trim().split("[\t,: ]+");
            if (f.length < 4) continue;
            int r = (int) Double.parseDouble(f[2]);
            if (r < minLabel) continue;
            ev.add(new long[]{Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[3])});
        }
        ev.sort(Comparator.comparingLong(e -> e[2]));
        Map<Long, Integer> um = new HashMap<>(), im = new HashMap<>();
        int W = K + 1;
        int cap = 200000;
        double[] ip = new double[cap * W];
        double[] yp = new double[cap * W]; // separate context vectors (FISM y) if untied
        boolean untied = opt.getOrDefault("untied", "0").equals("1");
        boolean untiedSeq = opt.getOrDefault("untiedSeq", "0").equals("1");
        boolean exact = opt.getOrDefault("exact", "0").equals("1");
        double[] up = new double[cap * W];
        double[] usum = new double[cap * W]; // sum of history vectors
        double[] cnt = new double[cap];
        List<Set<Integer>> seen = new ArrayList<>();
        List<List<Integer>> hist = new ArrayList<>();
        Random rnd = new Random(42);
        // Fenwick tree over item weights for popularity sampling
        double[] fen = new double[cap + 1];
        int nItems = 0;
        long evaluated = 0, hits = 0;
        double[] cooc = null; // item-kNN counts
        if (model.equals("knn")) cooc = new double[4000 * 4000];
        double[] sc = new double[cap];
        int[] resU = new int[1000000], resI = new int[1000000]; long resN = 0;
        for (long[] e : ev) {
            Integer uu = um.get(e[0]);
            if (uu == null) { uu = um.size(); um.put(e[0], uu); seen.add(new HashSet<>()); hist.add(new ArrayList<>());
                for (int f = 1; f < W; f++) up[uu * W + f] = INIT * rnd.nextGaussian(); }
            int u = uu;
            Integer ii = im.get(e[1]);
            int i = ii == null ? -1 : ii;
            Set<Integer> mine = seen.get(u);
            // user vector for scoring
            if (exact && model.equals("fism")) resync(usum, untied ? yp : ip, hist.get(u), u, W);
            double[] pu = userVec(model, u, up, usum, hist.get(u).size(), alpha, userMix, W);
            if (!mine.isEmpty()) {
                evaluated++;
                if (i >= 0 && !mine.contains(i)) {
                    for (int j = 0; j < nItems; j++) sc[j] = score(model, j, pu, ip, cooc, hist.get(u), W);
                    double t = sc[i];
                    int ahead = 0;
                    for (int j = 0; j < nItems; j++) {
                        if (j == i) continue;
                        if ((sc[j] > t || (sc[j] == t && j < i)) && !mine.contains(j)) ahead++;
                    }
                    if (ahead < 10) hits++;
                }
            }
            if (i < 0) { i = nItems++; im.put(e[1], i);
                for (int f = 1; f < W; f++) { ip[i * W + f] = INIT * rnd.nextGaussian(); yp[i * W + f] = INIT * rnd.nextGaussian(); } }
            // learn
            if (model.equals("pop")) { ip[i * W] += 1; }
            else if (model.equals("knn")) {
                for (int j : hist.get(u)) { cooc[i * 4000 + j] += 1; cooc[j * 4000 + i] += 1; }
                ip[i * W] += 1;
            } else {
              int rep = Integer.parseInt(opt.getOrDefault("rep", "0"));
              int resCap = Integer.parseInt(opt.getOrDefault("res", "1000000"));
              for (int rr = 0; rr <= rep; rr++) {
                if (rr > 0) { if (resN == 0) break; int pick = rnd.nextInt((int) Math.min(resN, resCap)); u = resU[pick]; i = resI[pick];
                    if (exact && model.equals("fism")) resync(usum, untied ? yp : ip, hist.get(u), u, W);
                    pu = userVec(model, u, up, usum, hist.get(u).size(), alpha, userMix, W); }
                double[] xu = pu;
                double gsumI = 0;
                double[] gu = new double[W];
                double xi = ip[i * W] + dot(xu, 0, ip, i * W, W);
                String loss = opt.getOrDefault("loss", "bpr");
                int maxS = Integer.parseInt(opt.getOrDefault("max", "10"));
                for (int n = 0; n < negs; n++) {
                    int j = -1; double x = 0, g = 0;
                    if (loss.equals("ssm")) { // sampled softmax with logQ correction, all negatives at once
                        if (nItems < 2) break;
                        double total = 0; for (int x2 = nItems; x2 > 0; x2 -= x2 & -x2) total += fen[x2];
                        int[] cand = new int[negs + 1]; cand[0] = i;
                        for (int k = 1; k <= negs; k++) cand[k] = draw(fen, cnt, nItems, beta, rnd, i);
                        double[] l = new double[negs + 1]; double mx = -1e300;
                        for (int k = 0; k <= negs; k++) { int c = cand[k];
                            double q = beta == 0 ? 1.0 / nItems : Math.max(Math.pow(cnt[c], beta), 1e-9) / total;
                            l[k] = ip[c * W] + dot(xu, 0, ip, c * W, W) - Math.log(q); mx = Math.max(mx, l[k]); }
                        double z = 0; for (int k = 0; k <= negs; k++) { l[k] = Math.exp(l[k] - mx); z += l[k]; }
                        double[] gu2 = new double[W];
                        for (int k = 0; k <= negs; k++) { int c = cand[k]; double gc = l[k] / z - (k == 0 ? 1 : 0);
                            for (int f = 1; f < W; f++) gu2[f] += gc * ip[c * W + f];
                            ip[c * W] -= LR * (gc + REG * ip[c * W]);
                            for (int f = 1; f < W; f++) ip[c * W + f] -= LR * (gc * xu[f] + REG * ip[c * W + f]); }
                        for (int f = 1; f < W; f++) gu[f] += gu2[f];
                        break;
                    } else if (loss.equals("seq")) { // n sequential BPR steps on (u, i, j_k)
                        j = draw(fen, cnt, nItems, beta, rnd, i);
                        if (j < 0) break;
                        if (exact) resync(usum, untied ? yp : ip, hist.get(u), u, W);
                        double[] pu2 = userVec(model, u, up, usum, hist.get(u).size(), alpha, userMix, W);
                        x = ip[i * W] + dot(pu2, 0, ip, i * W, W) - ip[j * W] - dot(pu2, 0, ip, j * W, W);
                        g = -sigmoid(-x);
                        ip[i * W] -= LR * (g + REG * ip[i * W]);
                        ip[j * W] -= LR * (-g + REG * ip[j * W]);
                        for (int f = 1; f < W; f++) {
                            double qi = ip[i * W + f], qj = ip[j * W + f], pf = pu2[f];
                            if (model.equals("bpr")) up[u * W + f] -= LR * (g * (qi - qj) + REG * pf);
                            else gu[f] = g * (qi - qj); // fism: the user's items step below
                            ip[i * W + f] -= LR * (g * pf + REG * qi);
                            ip[j * W + f] -= LR * (-g * pf + REG * qj);
                        }
                        if (model.equals("fism") && histGrad && !hist.get(u).isEmpty()) {
                            double sc2 = Math.pow(hist.get(u).size(), -alpha);
                            // Before the untiedSeq key, this path stepped the items' own factors (ip) even with
                            // untied=1, while the user's sum is over the context vectors (yp): see benchmarks.md.
                            double[] hs = untied && untiedSeq ? yp : ip;
                            for (int h : hist.get(u)) for (int f = 1; f < W; f++) {
                                double d = -LR * (gu[f] * sc2 + REG * hs[h * W + f]);
                                hs[h * W + f] += d;
                                usum[u * W + f] += d;
                            }
                            java.util.Arrays.fill(gu, 0);
                        }
                        continue;
                    } else if (loss.equals("bpr")) {
                        j = draw(fen, cnt, nItems, beta, rnd, i);
                        if (j < 0) break;
                        x = xi - ip[j * W] - dot(xu, 0, ip, j * W, W);
                        g = -sigmoid(-x);
                    } else if (loss.equals("dns")) {
                        double best = -1e300;
                        for (int t = 0; t < maxS; t++) { int c = draw(fen, cnt, nItems, beta, rnd, i); if (c < 0) break;
                            double s = ip[c * W] + dot(xu, 0, ip, c * W, W); if (s > best) { best = s; j = c; } }
                        if (j < 0) break;
                        x = xi - best; g = -sigmoid(-x);
                    } else { // warp
                        int t = 0;
                        for (; t < maxS; t++) { int c = draw(fen, cnt, nItems, beta, rnd, i); if (c < 0) break;
                            double s = ip[c * W] + dot(xu, 0, ip, c * W, W); if (s > xi - 1) { j = c; break; } }
                        if (j < 0) break;
                        int rk = (nItems - 1) / (t + 1); double L = 0; for (int q = 1; q <= rk; q++) L += 1.0 / q;
                        g = -L; x = 0;
                    }
                    for (int f = 1; f < W; f++) gu[f] += g * (ip[i * W + f] - ip[j * W + f]);
                    // negative item
                    ip[j * W] -= LR * (-g + REG * ip[j * W]);
                    for (int f = 1; f < W; f++) ip[j * W + f] -= LR * (-g * xu[f] + REG * ip[j * W + f]);
                    gsumI += g;
                }
                ip[i * W] -= LR * (gsumI + REG * ip[i * W]);
                for (int f = 1; f < W; f++) ip[i * W + f] -= LR * (gsumI * xu[f] + REG * ip[i * W + f]);
                if (model.equals("bpr")) {
                    for (int f = 1; f < W; f++) up[u * W + f] -= LR * (gu[f] + REG * up[u * W + f]);
                } else if (model.equals("fism")) {
                    int nh = hist.get(u).size();
                    if (userMix > 0) for (int f = 1; f < W; f++) up[u * W + f] -= LR * (userMix * gu[f] + REG * up[u * W + f]);
                    if (histGrad && nh > 0) {
                        double s = Math.pow(nh, -alpha);
                        double[] src = untied ? yp : ip;
                        for (int j : hist.get(u)) for (int f = 1; f < W; f++) {
                            double d = -LR * (gu[f] * s + REG * src[j * W + f]);
                            src[j * W + f] += d;
                            usum[u * W + f] += d;
                        }
                    }
                }
              }
              u = uu; i = im.get(e[1]);
              // reservoir (Vitter's algorithm R) of the positives seen
              if (resN < resCap) { resU[(int) resN] = u; resI[(int) resN] = i; }
              else { long r0 = (long) (rnd.nextDouble() * (resN + 1)); if (r0 < resCap) { resU[(int) r0] = u; resI[(int) r0] = i; } }
              resN++;
            }
            if (!mine.contains(i)) {
                mine.add(i); hist.get(u).add(i);
                double[] src = untied ? yp : ip;
                for (int f = 1; f < W; f++) usum[u * W + f] += src[i * W + f];
            }
            // popularity counts for sampler
            cnt[i] += 1;
            if (beta > 0) { double delta = Math.pow(cnt[i], beta) - Math.pow(cnt[i] - 1, beta); for (int x = i + 1; x <= cap; x += x & -x) fen[x] += delta; }
        }
        System.out.printf("%s %s recall@10 %.4f evaluated %d%n", model, opt, (double) hits / evaluated, evaluated);
    }

    /** exact=1: the user's sum from the context vectors as they are now (the paper's p_u), not as the user kept it. */
    static void resync(double[] usum, double[] src, List<Integer> h, int u, int W) {
        for (int f = 1; f < W; f++) usum[u * W + f] = 0;
        for (int j : h) for (int f = 1; f < W; f++) usum[u * W + f] += src[j * W + f];
    }

    static double[] userVec(String model, int u, double[] up, double[] usum, int nh, double alpha, double mix, int W) {
        double[] p = new double[W];
        if (model.equals("fism")) {
            double s = nh == 0 ? 0 : Math.pow(nh, -alpha);
            for (int f = 1; f < W; f++) p[f] = s * usum[u * W + f] + mix * up[u * W + f];
        } else for (int f = 1; f < W; f++) p[f] = up[u * W + f];
        return p;
    }

    static double score(String model, int j, double[] pu, double[] ip, double[] cooc, List<Integer> h, int W) {
        if (model.equals("pop")) return ip[j * W];
        if (model.equals("knn")) {
            double s = 0;
            for (int x : h) s += cooc[j * 4000 + x] / Math.sqrt(Math.max(1, ip[j * W]) * Math.max(1, ip[x * W]));
            return s + 1e-9 * ip[j * W];
        }
        return ip[j * W] + dot(pu, 0, ip, j * W, W);
    }

    static double dot(double[] a, int ao, double[] b, int bo, int W) {
        double s = 0; for (int f = 1; f < W; f++) s += a[ao + f] * b[bo + f]; return s;
    }

    static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    static int draw(double[] fen, double[] cnt, int n, double beta, Random r, int pos) {
        if (n < 2) return -1;
        for (int t = 0; t < 8; t++) {
            int j;
            if (beta == 0) j = r.nextInt(n);
            else {
                double total = 0; for (int x = n; x > 0; x -= x & -x) total += fen[x];
                double target = r.nextDouble() * total;
                int p = 0; int step = Integer.highestOneBit(fen.length - 1);
                for (; step > 0; step >>= 1) { if (p + step < fen.length && fen[p + step] <= target) { p += step; target -= fen[p]; } }
                j = Math.min(p, n - 1);
            }
            if (j != pos) return j;
        }
        return (pos + 1) % n;
    }
}
