package io.streamrec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.model.ModelKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class PositivesTest {
    private static final List<Rating> RATINGS =
            List.of(new Rating("u", "a", 5f, 1), new Rating("u", "b", 3f, 2), new Rating("v", "a", 4f, 3));

    @Test
    void shouldRefuseBinaryModelsOnRatingsWithoutAThresholdNamingTheOption() {
        for (ModelKind kind : new ModelKind[] {ModelKind.LOGISTIC_MF, ModelKind.BPR, ModelKind.IMPLICIT_LOGISTIC}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> Positives.apply(RATINGS, kind, null, "--positives"));
            assertTrue(e.getMessage().contains("--positives MIN"), e.getMessage());
        }
    }

    @Test
    void shouldKeepOnlyPositivesForPositivesOnlyModels() {
        List<Rating> out = Positives.apply(RATINGS, ModelKind.BPR, 4f, "--positives");
        assertEquals(2, out.size());
        assertEquals("a", out.get(0).item());
        assertEquals(1f, out.get(1).label());
    }

    @Test
    void shouldLabelEveryEventZeroOrOneForLogisticMf() {
        List<Rating> out = Positives.apply(RATINGS, ModelKind.LOGISTIC_MF, 4f, "--positives");
        assertEquals(List.of(1f, 0f, 1f), out.stream().map(Rating::label).toList());
    }

    @Test
    void shouldTakeLabelOneAsThePositiveOfZeroOneData() {
        List<Rating> clicks = List.of(new Rating("u", "a", 1f, 1), new Rating("u", "b", 0f, 2));
        assertEquals(1, Positives.apply(clicks, ModelKind.BPR, null, "x").size());
        assertEquals(
                2, Positives.apply(clicks, ModelKind.LOGISTIC_MF, null, "x").size());
    }

    @Test
    void shouldRefuseAThresholdForRatingRegression() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Positives.apply(RATINGS, ModelKind.BIASED_MF, 4f, "--positives"));
        assertTrue(e.getMessage().contains("biased-mf"), e.getMessage());
    }
}
