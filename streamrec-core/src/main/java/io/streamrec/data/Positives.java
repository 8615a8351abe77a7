package io.streamrec.data;

import io.streamrec.model.ModelKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Fits a file's labels to the model that will learn them, or refuses the combinations that cannot be right.
 *
 * <ul>
 *   <li>With a threshold {@code MIN} ({@code --positives MIN}): an event labeled at least {@code MIN} is a
 *       positive. The positives-only models keep the positives (label 1) and drop the other events;
 *       {@code logistic-mf} keeps every event, labeled 1 or 0. {@code biased-mf} learns ratings: refused.
 *   <li>Without: the 0/1 models need labels in {0, 1}, else refused with a message that names the option. A
 *       positives-only model takes the events labeled 1 and drops those labeled 0.
 * </ul>
 */
public final class Positives {
    private Positives() {}

    /**
     * @param min    the threshold, or null when none was given
     * @param option how the user names the threshold ({@code --positives}, {@code model.positives}), for messages
     * @throws IllegalArgumentException for a combination that cannot be right, naming {@code option}
     */
    public static List<Rating> apply(List<Rating> events, ModelKind kind, Float min, String option) {
        if (min != null && !Float.isFinite(min)) {
            throw new IllegalArgumentException(option + " must be a finite label, got " + min);
        }
        if (kind == ModelKind.BIASED_MF) {
            if (min != null) {
                throw new IllegalArgumentException(option + " turns labels into positives for the 0/1 models ("
                        + "logistic-mf, bpr, implicit-logistic, popularity); biased-mf learns the ratings themselves");
            }
            return events;
        }
        List<Rating> out = new ArrayList<>(events.size());
        for (Rating r : events) {
            boolean positive;
            if (min != null) {
                positive = r.label() >= min;
            } else if (r.label() == 1f || r.label() == 0f) {
                positive = r.label() == 1f;
            } else {
                throw new IllegalArgumentException(kind.id() + " needs 0/1 labels, got " + r.label() + " (user "
                        + r.user() + ", item " + r.item() + "); give " + option
                        + " MIN to take the events labeled at least MIN as positives (" + option
                        + " 1 takes every event of a 1-5 rating file)");
            }
            if (positive || !kind.positivesOnly()) {
                out.add(new Rating(r.user(), r.item(), positive ? 1f : 0f, r.timestamp(), r.weight()));
            }
        }
        return out;
    }
}
