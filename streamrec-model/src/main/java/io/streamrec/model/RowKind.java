package io.streamrec.model;

/** The two kinds of model rows. Their names are the key prefixes in {@code model-updates}. */
public enum RowKind {
    USER("user"),
    ITEM("item");

    private final String prefix;

    RowKind(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }
}
