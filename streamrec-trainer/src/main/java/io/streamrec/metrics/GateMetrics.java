package io.streamrec.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamrec.stream.TrainerListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The publication gate's meters (docs/gate.md), per user partition of this instance (the tag {@code partition} is
 * bounded by the topic's partition count):
 * <ul>
 *   <li>{@code streamrec.gate.open} (gauge, 1 open / 0 closed), {@code streamrec.gate.live.rmse} and
 *       {@code streamrec.gate.reference.rmse} (gauges: the two models' RMSE on the validation window);</li>
 *   <li>{@code streamrec.gate.closures} (counter, tag {@code reason}), {@code streamrec.gate.rollbacks} (counter,
 *       tag {@code role}) and {@code streamrec.gate.heldout} (counter: events held out of training).</li>
 * </ul>
 */
public final class GateMetrics implements TrainerListener, MeterBinder {
    private final Map<Integer, double[]> partitions = new ConcurrentHashMap<>();
    private final Map<String, Counter> closures = new ConcurrentHashMap<>();
    private final Map<String, Counter> rollbacks = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;
    private volatile Counter heldOut;

    @Override
    public void bindTo(MeterRegistry r) {
        registry = r;
        heldOut = Counter.builder("streamrec.gate.heldout")
                .baseUnit("events")
                .description("events held out of training as the gate's validation data")
                .register(r);
    }

    @Override
    public void eventHeldOut() {
        Counter c = heldOut;
        if (c != null) {
            c.increment();
        }
    }

    @Override
    public void gateChecked(int partition, boolean open, double liveRmse, double referenceRmse) {
        double[] v = partitions.computeIfAbsent(partition, this::register);
        v[0] = open ? 1 : 0;
        v[1] = liveRmse;
        v[2] = referenceRmse;
    }

    @Override
    public void gateClosed(int partition, String reason) {
        MeterRegistry r = registry;
        if (r != null) {
            closures.computeIfAbsent(
                            reason,
                            k -> Counter.builder("streamrec.gate.closures")
                                    .tag("reason", k)
                                    .description("times a partition's publication gate closed")
                                    .register(r))
                    .increment();
        }
    }

    @Override
    public void gateRolledBack(String role, int partition) {
        MeterRegistry r = registry;
        if (r != null) {
            rollbacks
                    .computeIfAbsent(
                            role,
                            k -> Counter.builder("streamrec.gate.rollbacks")
                                    .tag("role", k)
                                    .description("times a task reset its rows to the last accepted (published) model")
                                    .register(r))
                    .increment();
        }
    }

    private double[] register(int partition) {
        double[] v = {1, Double.NaN, Double.NaN};
        MeterRegistry r = registry;
        if (r != null) {
            String p = Integer.toString(partition);
            Gauge.builder("streamrec.gate.open", v, a -> a[0])
                    .tag("partition", p)
                    .description("1 while the partition's publication gate is open, 0 while closed")
                    .register(r);
            Gauge.builder("streamrec.gate.live.rmse", v, a -> a[1])
                    .tag("partition", p)
                    .description("RMSE of the live model on the gate's validation window")
                    .register(r);
            Gauge.builder("streamrec.gate.reference.rmse", v, a -> a[2])
                    .tag("partition", p)
                    .description("RMSE of the reference (last accepted) model on the gate's validation window")
                    .register(r);
        }
        return v;
    }
}
