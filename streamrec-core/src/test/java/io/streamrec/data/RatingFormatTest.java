package io.streamrec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RatingFormatTest {

    @Test
    void shouldDetectMl100kFromTabsAndNumericRatingAndTime() {
        assertEquals(RatingFormat.ML100K, RatingFormat.detect(List.of("196\t242\t3\t881250949")));
    }

    @Test
    void shouldDetectMl1mFromDoubleColons() {
        assertEquals(RatingFormat.ML1M, RatingFormat.detect(List.of("1::1193::5::978300760")));
    }

    @Test
    void shouldDetectCsvFromCommas() {
        assertEquals(
                RatingFormat.CSV, RatingFormat.detect(List.of("userId,movieId,rating,timestamp", "1,1,4.0,964982703")));
    }

    @Test
    void shouldRefuseTabSeparatedHeaders() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> RatingFormat.detect(List.of("user\titem\trating\ttimestamp")));
        assertTrue(e.getMessage().startsWith("tab-separated line 1 is not"), e.getMessage());
    }

    @Test
    void shouldRefuseUnknownContentNamingTheExpectedFormats() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RatingFormat.detect(List.of("1 2 3 4")));
        assertTrue(e.getMessage().contains("ML-100K") && e.getMessage().contains("\"1 2 3 4\""), e.getMessage());
    }

    @Test
    void shouldParseFormatNamesForTheCommandLine() {
        assertNull(RatingFormat.parseOrAuto("auto"));
        assertEquals(RatingFormat.ML100K, RatingFormat.parseOrAuto("ml-100k"));
        assertEquals(RatingFormat.ML1M, RatingFormat.parseOrAuto("ML1M"));
        assertThrows(IllegalArgumentException.class, () -> RatingFormat.parseOrAuto("parquet"));
    }

    @Test
    void shouldParseColumnSpecsAsPositionsOrNames() {
        CsvColumns pos = CsvColumns.parse("0, 1, 2, 3");
        assertEquals(new CsvColumns("0", "1", "2", "3", TimestampUnit.SECONDS, false), pos);
        CsvColumns named = CsvColumns.parse("customer,sku,clicked");
        assertEquals(new CsvColumns("customer", "sku", "clicked", null, TimestampUnit.SECONDS, true), named);
        assertThrows(IllegalArgumentException.class, () -> CsvColumns.parse("a,b"));
        assertThrows(IllegalArgumentException.class, () -> CsvColumns.parse("a,a,b"));
        assertEquals(TimestampUnit.MILLIS, TimestampUnit.parse("ms"));
        assertEquals(5000L, TimestampUnit.SECONDS.toMillis(5));
    }
}
