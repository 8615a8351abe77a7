package io.streamrec.stream;

import io.streamrec.learn.ResidualBasis;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the tasks of one instance share of the residual neighbourhood, learned by the global thread from
 * {@code residuals} ({@link ResidualBasisProcessor}): the basis, and each user task's latest fit statistics, so that
 * every task solves one fit over all users' events (its own statistics as they are, the others' as of their last
 * flush), as offline. The topic has one partition, so every instance learns the same from it.
 *
 * <p>Thread-safety: the global thread writes, the stream threads read the latest basis ({@link ResidualBasis#current})
 * and the fits (a concurrent map of arrays never changed once put).
 */
final class InstanceNeighbourhood {
    private final ResidualBasis basis;
    private final Map<Integer, double[]> fits = new ConcurrentHashMap<>();

    InstanceNeighbourhood(long seed) {
        this.basis = new ResidualBasis(seed);
    }

    ResidualBasis basis() {
        return basis;
    }

    /** One {@code residuals} record: a residual (key: the user id) or a task's fit statistics. */
    void observe(String key, byte[] value) {
        Object r = Codecs.decodeResidualsRecord(value);
        if (r instanceof Codecs.FitSums f) {
            fits.put(f.partition(), f.sums());
        } else if (key != null) {
            Codecs.Residual residual = (Codecs.Residual) r;
            basis.observe(key, residual.item(), residual.residual());
        }
    }

    /** The other user tasks' latest fit statistics, added up; null when none has published yet. */
    double[] fitsOtherThan(int partition) {
        double[] total = null;
        for (Map.Entry<Integer, double[]> e : fits.entrySet()) {
            if (e.getKey() == partition) {
                continue;
            }
            if (total == null) {
                total = e.getValue().clone();
            } else {
                for (int k = 0; k < total.length; k++) {
                    total[k] += e.getValue()[k];
                }
            }
        }
        return total;
    }
}
