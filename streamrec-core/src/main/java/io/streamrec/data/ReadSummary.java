package io.streamrec.data;

import java.util.List;

/**
 * What a pass over a ratings file found, so a lenient read ({@code skipInvalid}) still tells the user how much it
 * dropped and why instead of silently training on less data.
 *
 * @param format      the format used (detected or given)
 * @param accepted    ratings delivered
 * @param skipped     lines dropped as invalid (always 0 in a strict read, which throws instead)
 * @param firstErrors the first few problems, each {@code file:line: problem}
 */
public record ReadSummary(RatingFormat format, long accepted, long skipped, List<String> firstErrors) {

    public ReadSummary {
        if (format == null) {
            throw new IllegalArgumentException("format must be given, got null");
        }
        if (accepted < 0 || skipped < 0) {
            throw new IllegalArgumentException("counts must be >= 0, got accepted=" + accepted + " skipped=" + skipped);
        }
        firstErrors = List.copyOf(firstErrors);
    }
}
