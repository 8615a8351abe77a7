package io.streamrec.client;

/** The two kinds of factor rows in {@code model-updates}; {@link #keyPrefix()} is the record-key prefix. */
public enum RowKind {
    USER("user"),
    ITEM("item");

    private final String wireName;

    RowKind(String wireName) {
        this.wireName = wireName;
    }

    /** The value of the JSON {@code kind} field, also the key prefix before the colon. */
    public String wireName() {
        return wireName;
    }

    /** {@code "user:"} or {@code "item:"}. */
    public String keyPrefix() {
        return wireName + ":";
    }

    /** Returns the kind whose wire name is {@code name}, or {@code null} when there is none. */
    static RowKind fromWireName(String name) {
        for (RowKind kind : values()) {
            if (kind.wireName.equals(name)) {
                return kind;
            }
        }
        return null;
    }
}
