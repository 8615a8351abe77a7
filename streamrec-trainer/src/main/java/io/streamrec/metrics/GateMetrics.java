package io.streamrec.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamrec.stream.TrainerListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The publication gate's meters (docs/gate.md), over the user partitions this instance trains; all exist from the
 * start, so that dashboards have data with the gate off too:
 * <ul>
 *   <li>{@code streamrec.gate.open} (gauge): 1 while every gate of this instance is open, 0 while one is closed;</li>
 *   <li>{@code streamrec.gate.live.rmse} and {@code streamrec.gate.reference.rmse} (gauges): the live and the
 *       reference model's RMSE on the validation windows, averaged over the partitions (NaN without a gate);</li>
 *   <li>{@code streamrec.gate.closures} (counter, tag {@code reason}=quality|labels|non-finite|norm),
 *       {@code streamrec.gate.rollbacks} (counter, tag {@code role}=user|item), {@code streamrec.gate.heldout}
 *       (counter: events held out of training as validation data) and {@code streamrec.gate.quarantined} (counter:
 *       events scored but not trained while the label check found the arriving labels suspect).</li>
 * </ul>
 */
public final class GateMetrics implements TrainerListener, MeterBinder {
    private final Map<Integer, double[]> partitions = new ConcurrentHashMap<>();
    private final Map<String, Counter> closures = new ConcurrentHashMap<>();
    private final Map<String, Counter> rollbacks = new ConcurrentHashMap<>();
    private volatile Counter heldOut;
    private volatile Counter quarantined;

    @Override
    public void bindTo(MeterRegistry r) {
        heldOut = Counter.builder("streamrec.gate.heldout")
                .baseUnit("events")
                .description("events held out of training as the gate's validation data")
                .register(r);
        quarantined = Counter.builder("streamrec.gate.quarantined")
                .baseUnit("events")
                .description("events scored but not trained: the arriving labels were suspect")
                .register(r);
        for (String reason : new String[] {"quality", "labels", "non-finite", "norm"}) {
            closures.put(
                    reason,
                    Counter.builder("streamrec.gate.closures")
                            .tag("reason", reason)
                            .description("times a partition's publication gate closed")
                            .register(r));
        }
        for (String role : new String[] {"user", "item"}) {
            rollbacks.put(
                    role,
                    Counter.builder("streamrec.gate.rollbacks")
                            .tag("role", role)
                            .description("times a task reset its rows to the last accepted (published) model")
                            .register(r));
        }
        Gauge.builder("streamrec.gate.open", this, m -> m.aggregate(0, true))
                .description("1 while every publication gate of this instance's partitions is open, 0 otherwise")
                .register(r);
        Gauge.builder("streamrec.gate.live.rmse", this, m -> m.aggregate(1, false))
                .description("RMSE of the live model on the gates' validation windows (mean over partitions)")
                .register(r);
        Gauge.builder("streamrec.gate.reference.rmse", this, m -> m.aggregate(2, false))
                .description("RMSE of the reference (last accepted) model on the same windows")
                .register(r);
    }

    /** {@code min}: the minimum of field {@code f} (1 when no partition); else the mean (NaN when none). */
    private double aggregate(int f, boolean min) {
        double acc = min ? 1 : 0;
        int n = 0;
        for (double[] v : partitions.values()) {
            if (min) {
                acc = Math.min(acc, v[f]);
            } else if (!Double.isNaN(v[f])) {
                acc += v[f];
                n++;
            }
        }
        return min ? acc : n == 0 ? Double.NaN : acc / n;
    }

    @Override
    public void eventHeldOut() {
        Counter c = heldOut;
        if (c != null) {
            c.increment();
        }
    }

    @Override
    public void eventQuarantined() {
        Counter c = quarantined;
        if (c != null) {
            c.increment();
        }
    }

    @Override
    public void gateChecked(int partition, boolean open, double liveRmse, double referenceRmse) {
        partitions.put(partition, new double[] {open ? 1 : 0, liveRmse, referenceRmse});
    }

    @Override
    public void gateClosed(int partition, String reason) {
        Counter c = closures.get(reason);
        if (c != null) {
            c.increment();
        }
    }

    @Override
    public void gateRolledBack(String role, int partition) {
        Counter c = rollbacks.get(role);
        if (c != null) {
            c.increment();
        }
    }

    @Override
    public void taskClosed(String kind, int partition) {
        if (kind.equals("user")) {
            partitions.remove(partition);
        }
    }
}
