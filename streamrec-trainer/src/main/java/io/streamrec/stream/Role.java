package io.streamrec.stream;

/**
 * The two kinds of training task. The label names the role in {@link TrainerListener} calls (metric tags,
 * {@code training-metrics} records) and each role has its own task-state store.
 */
public enum Role {
    USER("user", Topics.USER_TASK_STATE_STORE),
    ITEM("item", Topics.ITEM_TASK_STATE_STORE);

    private final String label;
    private final String taskStateStore;

    Role(String label, String taskStateStore) {
        this.label = label;
        this.taskStateStore = taskStateStore;
    }

    /** {@code user} or {@code item}. */
    public String label() {
        return label;
    }

    /** The per-task counters of this role's tasks. */
    public String taskStateStore() {
        return taskStateStore;
    }

    @Override
    public String toString() {
        return label;
    }
}
