package io.streamrec.model;

/**
 * The publication gate of one user partition, as the trainer publishes it on {@code model-updates} under key
 * {@code gate:<partition>} (docs/gate.md): while a partition's gate is closed its changed user rows are not
 * published, and while any partition's gate is closed no changed item row is; clients keep serving the model they
 * hold, which is the model as last accepted.
 *
 * @param partition     the user partition
 * @param open          whether changed rows are being published
 * @param reason        why it is closed: {@code quality} (the live model is worse than the reference beyond the
 *                      margin), {@code labels} (the arriving labels no longer follow the items' order as the
 *                      accepted stream did), {@code non-finite} (a changed row is not finite), {@code norm} (a
 *                      changed row has exploded); {@code none} when open
 * @param liveRmse      RMSE of the live model on the validation window at the last check (NaN when unknown)
 * @param referenceRmse RMSE of the reference (the model as last accepted) on the same events (NaN when unknown)
 * @param since         wall-clock epoch ms since which the gate is closed; -1 when open
 * @param closures      times the gate of this partition closed since the application started its state
 * @param rollbacks     times the partition rolled its rows back to the last accepted model
 * @param quarantined   events the partition scored but did not train because its label check found them suspect
 * @param updatedAt     wall-clock epoch ms of the record
 */
public record GateState(
        int partition,
        boolean open,
        String reason,
        double liveRmse,
        double referenceRmse,
        long since,
        long closures,
        long rollbacks,
        long quarantined,
        long updatedAt) {

    public GateState {
        if (partition < 0) {
            throw new IllegalArgumentException("gate partition must be >= 0, got " + partition);
        }
        if (reason == null || reason.isEmpty()) {
            throw new IllegalArgumentException("gate reason must be a word, got '" + reason + "'");
        }
        if (closures < 0 || rollbacks < 0 || quarantined < 0) {
            throw new IllegalArgumentException("gate closures, rollbacks and quarantined must be >= 0, got " + closures
                    + ", " + rollbacks + " and " + quarantined);
        }
    }
}
