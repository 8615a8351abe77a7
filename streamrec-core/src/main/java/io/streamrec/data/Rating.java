package io.streamrec.data;

/**
 * One labeled user-item event: an explicit rating or an implicit 0/1 click.
 *
 * @param user      user id, non-empty
 * @param item      item id, non-empty
 * @param label     the rating or the 0/1 label, finite
 * @param timestamp event time in epoch milliseconds (0 when unknown)
 * @param weight    importance weight of the event, finite and non-negative (1 by default)
 */
public record Rating(String user, String item, float label, long timestamp, float weight) {

    public Rating {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("user id must be non-empty, got " + (user == null ? "null" : "\"\""));
        }
        if (item == null || item.isEmpty()) {
            throw new IllegalArgumentException("item id must be non-empty, got " + (item == null ? "null" : "\"\""));
        }
        if (!Float.isFinite(label)) {
            throw new IllegalArgumentException("label must be a finite number, got " + label);
        }
        if (!Float.isFinite(weight) || weight < 0) {
            throw new IllegalArgumentException("weight must be finite and >= 0, got " + weight);
        }
    }

    public Rating(String user, String item, float label, long timestamp) {
        this(user, item, label, timestamp, 1f);
    }
}
