package io.streamrec.learn;

/**
 * A model snapshot could not be read or written: the file is not a snapshot, is of a version this build cannot
 * read, is truncated or corrupt, or an I/O error happened. The message names the file and what is wrong.
 */
public class SnapshotException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
