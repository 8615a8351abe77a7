package io.streamrec.cli;

import io.streamrec.model.ModelKind;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The metrics {@code evaluate --metric} asks for. The pointwise ones (rmse, mae, logloss, auc) are always
 * computed for the rating and click models; what the list decides is whether events are also ranked, and the N of
 * recall@N and NDCG@N.
 *
 * @param cutoff N of the ranking metrics, 0 when none was asked for
 */
record MetricList(int cutoff) {
    static final int DEFAULT_CUTOFF = 10;

    static MetricList parse(CommandSpec spec, List<String> names, ModelKind kind) {
        if (names == null || names.isEmpty()) {
            return new MetricList(kind.positivesOnly() ? DEFAULT_CUTOFF : 0);
        }
        int cutoff = 0;
        boolean mrr = false;
        for (String raw : names) {
            String m = raw.trim().toLowerCase(Locale.ROOT);
            switch (m) {
                case "rmse", "mae", "logloss", "auc" -> {
                    if (kind.positivesOnly()) {
                        throw Cli.usage(
                                spec,
                                "--metric " + m + " needs labels to predict; " + kind.id()
                                        + " is judged by ranking: recall@N, ndcg@N, mrr");
                    }
                }
                case "mrr" -> mrr = true;
                default -> {
                    int at = m.indexOf('@');
                    String name = at < 0 ? m : m.substring(0, at);
                    if (!(name.equals("recall") || name.equals("ndcg")) || at < 0) {
                        throw Cli.usage(
                                spec,
                                "--metric takes rmse, mae, logloss, auc, recall@N, ndcg@N, mrr; got \"" + raw + "\"");
                    }
                    int n;
                    try {
                        n = Integer.parseInt(m.substring(at + 1));
                    } catch (NumberFormatException e) {
                        n = -1;
                    }
                    if (n < 1 || n > 10_000) {
                        throw Cli.usage(spec, "--metric " + raw + ": N must be an integer in 1..10000");
                    }
                    if (cutoff != 0 && cutoff != n) {
                        throw Cli.usage(
                                spec, "--metric: recall@N and ndcg@N must share one N, got " + cutoff + " and " + n);
                    }
                    cutoff = n;
                }
            }
        }
        return new MetricList(cutoff == 0 && mrr ? DEFAULT_CUTOFF : cutoff);
    }
}
