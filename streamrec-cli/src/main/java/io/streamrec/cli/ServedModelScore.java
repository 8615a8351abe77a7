package io.streamrec.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.client.ModelClient;
import io.streamrec.eval.RegressionMetrics;
import io.streamrec.model.GateState;
import io.streamrec.model.ScoredItem;
import io.streamrec.stream.PrequentialTotals;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Scores the model a downstream client holds (the rows a {@link ModelClient} read from {@code model-updates}, not
 * the trainer's memory) on each real event as it is sent, against the event's original, clean label: the demo's
 * {@code served_rmse_*} figures (docs/gate.md). So that "as it is sent" means "as the trainer reaches it", the
 * producer is held at most {@link #LEAD} events ahead of the events the trainer has consumed.
 */
final class ServedModelScore {
    /** Events the producer may run ahead of the trainer: a few mini-batches per partition. */
    static final int LEAD = 500;

    private final ModelClient client;
    private final PrequentialTotals totals;
    private final List<AttackStream.Streamed> plan;
    private final RegressionMetrics[] byPhase = {
        new RegressionMetrics(), new RegressionMetrics(), new RegressionMetrics()
    };
    private int next;
    private long attackedSent;
    private long closedAfter = -1;

    ServedModelScore(ModelClient client, PrequentialTotals totals, List<AttackStream.Streamed> plan) {
        this.client = client;
        this.totals = totals;
        this.plan = plan;
    }

    /** Called by the producer thread before it sends each event of the plan, in order. */
    void beforeSend(BooleanSupplier stop) {
        int k = next++;
        AttackStream.Streamed s = plan.get(k);
        while (k - (totals.events() + totals.rejected()) > LEAD && !stop.getAsBoolean()) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (s.original() != null) {
            byPhase[s.phase().ordinal()].add(
                    s.original().label(),
                    client.predict(s.original().user(), s.original().item()).score());
        }
        if (s.attacked()) {
            if (closedAfter < 0 && !client.gateOpen()) {
                closedAfter = attackedSent;
            }
            attackedSent++;
        }
    }

    /** Adds the served figures to the demo's summary line. */
    void summary(ObjectNode o, AttackStream.Kind kind, boolean gated) {
        try {
            // The last gate records and rows are a commit or two behind the trainer.
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        o.put("attack", kind == AttackStream.Kind.NONE ? null : kind.word());
        o.put("gate", gated);
        long closures = 0;
        for (GateState g : client.gates().values()) {
            closures += g.closures();
        }
        o.put("gate_closures", closures);
        if (kind == AttackStream.Kind.NONE) {
            o.putNull("gate_closed_after_events");
        } else if (closedAfter >= 0) {
            o.put("gate_closed_after_events", closedAfter);
        } else {
            o.putNull("gate_closed_after_events");
        }
        Json.put(o, "served_rmse_clean", byPhase[AttackStream.Phase.CLEAN.ordinal()].rmse());
        if (kind != AttackStream.Kind.NONE) {
            Json.put(o, "served_rmse_attack", byPhase[AttackStream.Phase.ATTACK.ordinal()].rmse());
            Json.put(o, "served_rmse_after", byPhase[AttackStream.Phase.AFTER.ordinal()].rmse());
        }
        if (kind == AttackStream.Kind.BOT) {
            Json.put(o, "bot_top20_items_in_top10", botItemsInTop10());
        }
    }

    /**
     * How far the bot moved the items it rated most: the 20 items with the most bot events, and the mean number of
     * them in the served top-10 of the stream's first 200 real users. (The bot rates random items, so over thousands
     * of events it touches nearly every item; its most-rated ones got the biggest push.)
     */
    private double botItemsInTop10() {
        java.util.Map<String, Integer> botCounts = new java.util.HashMap<>();
        Set<String> users = new LinkedHashSet<>();
        for (AttackStream.Streamed s : plan) {
            if (s.original() == null) {
                botCounts.merge(s.sent().item(), 1, Integer::sum);
            } else if (users.size() < 200) {
                users.add(s.original().user());
            }
        }
        Set<String> botItems = new HashSet<>();
        botCounts.entrySet().stream()
                .sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(20)
                .forEach(e -> botItems.add(e.getKey()));
        long hits = 0;
        for (String u : users) {
            for (ScoredItem item : client.recommend(u, 10, Set.of())) {
                if (botItems.contains(item.item())) {
                    hits++;
                }
            }
        }
        return users.isEmpty() ? Double.NaN : (double) hits / users.size();
    }
}
