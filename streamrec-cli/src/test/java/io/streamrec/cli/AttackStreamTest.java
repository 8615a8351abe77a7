package io.streamrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttackStreamTest {
    private static List<Rating> stream() {
        List<Rating> out = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            out.add(new Rating("u" + k, "i" + k, 1 + k % 5, 1000 + k));
        }
        return out;
    }

    @Test
    void shouldAttackOnlyTheWindowAndKeepTheCleanLabels() {
        List<AttackStream.Streamed> s = AttackStream.of(stream(), AttackStream.Kind.FLIP, 3, 4, 1, 5, 7);
        assertEquals(10, s.size());
        for (int k = 0; k < 10; k++) {
            AttackStream.Streamed e = s.get(k);
            float clean = 1 + k % 5;
            assertEquals(clean, e.original().label());
            boolean inside = k >= 3 && k < 7;
            assertEquals(inside, e.attacked());
            assertEquals(inside ? 6 - clean : clean, e.sent().label(), "event " + k);
            assertEquals(
                    k < 3 ? AttackStream.Phase.CLEAN : inside ? AttackStream.Phase.ATTACK : AttackStream.Phase.AFTER,
                    e.phase());
        }
    }

    @Test
    void shiftShouldLowerEachLabelByAQuarterOfTheRangeAndKeepItInRange() {
        List<AttackStream.Streamed> s = AttackStream.of(stream(), AttackStream.Kind.SHIFT, 0, 10, 1, 5, 7);
        for (AttackStream.Streamed e : s) {
            float clean = e.original().label();
            assertEquals(Math.max(1, clean - 1), e.sent().label(), "label " + clean);
        }
        assertTrue(AttackStream.Kind.parse("shift") == AttackStream.Kind.SHIFT);
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> AttackStream.Kind.parse("scale"));
        assertTrue(bad.getMessage().contains("shift"), bad.getMessage());
        assertFalse(bad.getMessage().contains("none"), "none is not an attack to ask for: " + bad.getMessage());
    }
}
