package io.streamrec.model;

/** A {@code model-updates} record that does not follow docs/contracts.md; the message says what is wrong. */
public final class MalformedRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedRecordException(String message) {
        super(message);
    }

    public MalformedRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
