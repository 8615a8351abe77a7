package io.streamrec.app;

import io.streamrec.client.ModelClient;
import io.streamrec.model.GateState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/gate}: the publication gates as a client reads them from {@code model-updates}
 * (docs/gate.md): {@code {"open":true,"partitions":[{"partition":0,"open":true,"reason":"none",...}]}}; an
 * empty list when the trainer runs without a gate.
 */
final class GateView {
    private GateView() {}

    static Map<String, Object> of(ModelClient client) {
        List<Map<String, Object>> partitions = new ArrayList<>();
        for (GateState g : client.gates().values()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("partition", g.partition());
            p.put("open", g.open());
            p.put("reason", g.reason());
            p.put("liveRmse", Double.isFinite(g.liveRmse()) ? g.liveRmse() : null);
            p.put("referenceRmse", Double.isFinite(g.referenceRmse()) ? g.referenceRmse() : null);
            p.put("since", g.since());
            p.put("closures", g.closures());
            p.put("rollbacks", g.rollbacks());
            p.put("quarantined", g.quarantined());
            p.put("updatedAt", g.updatedAt());
            partitions.add(p);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("open", client.gateOpen());
        body.put("partitions", partitions);
        return body;
    }
}
