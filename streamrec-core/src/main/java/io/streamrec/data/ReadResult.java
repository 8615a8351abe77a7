package io.streamrec.data;

import java.util.List;

/**
 * A ratings file read into memory, with the account of what was skipped ({@link ReadSummary}).
 *
 * @param ratings the ratings in file order
 * @param summary format, counts and the first problems
 */
public record ReadResult(List<Rating> ratings, ReadSummary summary) {

    public ReadResult {
        ratings = List.copyOf(ratings);
        if (summary == null) {
            throw new IllegalArgumentException("summary must be given, got null");
        }
    }

    /** Lines dropped as invalid. */
    public long skipped() {
        return summary.skipped();
    }

    /** The first few problems, each {@code file:line: problem}. */
    public List<String> errors() {
        return summary.firstErrors();
    }

    /** The format used. */
    public RatingFormat format() {
        return summary.format();
    }
}
