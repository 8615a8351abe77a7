package io.streamrec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatingReaderTest {

    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void shouldParseMl100kLinesAndConvertSecondsToMillis() throws IOException {
        Path p = file("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n\n22\t377\t1\t878887116\n");
        ReadResult r = new RatingReader().withFormat(RatingFormat.ML100K).read(p);
        assertEquals(
                List.of(
                        new Rating("196", "242", 3f, 881_250_949_000L, 1f),
                        new Rating("186", "302", 3f, 891_717_742_000L, 1f),
                        new Rating("22", "377", 1f, 878_887_116_000L, 1f)),
                r.ratings());
        assertEquals(0, r.skipped());
        assertEquals(RatingFormat.ML100K, r.format());
    }

    @Test
    void shouldHoldEachDistinctIdOnceWhenReadingIntoMemory() throws IOException {
        Path p = file("u.data", "196\t242\t3\t1\n196\t302\t3\t2\n22\t242\t1\t3\n");
        List<Rating> r =
                new RatingReader().withFormat(RatingFormat.ML100K).read(p).ratings();
        assertSame(r.get(0).user(), r.get(1).user(), "one string for user 196");
        assertSame(r.get(0).item(), r.get(2).item(), "one string for item 242");
        Path csv = file("r.csv", "userId,movieId,rating,timestamp\n7,9,4,1\n7,9,5,2\n");
        List<Rating> c =
                new RatingReader().withFormat(RatingFormat.CSV).read(csv).ratings();
        assertSame(c.get(0).user(), c.get(1).user());
        assertSame(c.get(0).item(), c.get(1).item());
    }

    @Test
    void shouldParseMl1mLines() throws IOException {
        Path p = file("ratings.dat", "1::1193::5::978300760\r\n1::661::3::978302109\r\n");
        List<Rating> r =
                new RatingReader().withFormat(RatingFormat.ML1M).read(p).ratings();
        assertEquals(
                List.of(new Rating("1", "1193", 5f, 978_300_760_000L), new Rating("1", "661", 3f, 978_302_109_000L)),
                r);
    }

    @Test
    void shouldParseMovieLensLatestCsvWithHalfStars() throws IOException {
        Path p = file("ratings.csv", "\uFEFFuserId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,3.5,964981247\n");
        List<Rating> r = new RatingReader().withFormat(RatingFormat.CSV).read(p).ratings();
        assertEquals(
                List.of(new Rating("1", "1", 4f, 964_982_703_000L), new Rating("1", "3", 3.5f, 964_981_247_000L)), r);
    }

    @Test
    void shouldDetectEachFormatFromContent() throws IOException {
        assertEquals(
                RatingFormat.ML100K,
                new RatingReader().read(file("a", "1\t2\t3\t4\n")).format());
        assertEquals(
                RatingFormat.ML1M,
                new RatingReader().read(file("b", "\n1::2::3::4\n")).format());
        assertEquals(
                RatingFormat.CSV,
                new RatingReader()
                        .read(file("c", "userId,movieId,rating,timestamp\n1,2,3,4\n"))
                        .format());
        assertEquals(1, RatingReader.readAll(file("d", "1::2::3::4\n")).size());
    }

    @Test
    void shouldRefuseAnUnrecognizedFormatWithTheFileName() throws IOException {
        Path p = file("notes.txt", "hello world\n");
        RatingFileException e = assertThrows(RatingFileException.class, () -> new RatingReader().read(p));
        assertTrue(e.getMessage().startsWith(p + ": cannot tell the format"), e.getMessage());
        assertEquals(0, e.line());
    }

    @Test
    void shouldRefuseAnEmptyFileWhenDetecting() throws IOException {
        Path p = file("empty", "\n\n");
        RatingFileException e = assertThrows(RatingFileException.class, () -> new RatingReader().read(p));
        assertEquals(p + ": file is empty; no ratings to detect the format from", e.getMessage());
    }

    @Test
    void shouldNameFileLineAndProblemOfABadRating() throws IOException {
        Path p = file("u.data", "1\t2\t3\t4\n1\t2\tabc\t4\n");
        RatingFileException e = assertThrows(RatingFileException.class, () -> new RatingReader().read(p));
        assertEquals(p + ":2: rating \"abc\" is not a number", e.getMessage());
        assertEquals(2, e.line());
        assertEquals("rating \"abc\" is not a number", e.problem());
    }

    @Test
    void shouldCountPhysicalLinesIncludingBlankOnesInErrors() throws IOException {
        Path p = file("u.data", "1\t2\t3\t4\n\n\n1\t2\t3\n");
        RatingFileException e = assertThrows(RatingFileException.class, () -> new RatingReader().read(p));
        assertEquals(
                p + ":4: expected 4 tab-separated fields (user, item, rating, timestamp), found 3", e.getMessage());
    }

    @Test
    void shouldRejectEachKindOfBadLine() throws IOException {
        String[][] cases = {
            {"1::2::NaN::4", "rating \"NaN\" is not a number"},
            {"1::2::1e50::4", "rating \"1e50\" is not a finite number"},
            {"1::2::Infinity::4", "rating \"Infinity\" is not a number"},
            {"::2::3::4", "user id is empty"},
            {"1:: ::3::4", "item id is empty"},
            {"1::2::3::x", "timestamp \"x\" is not a whole number of seconds"},
            {"1::2::3::1.5", "timestamp \"1.5\" is not a whole number of seconds"},
            {"1::2::3::-5", "timestamp \"-5\" is negative"},
            {"1::2::3::99999999999999999", "timestamp \"99999999999999999\" is too large"},
            {"1::2::3::4::5", "expected 4 '::'-separated fields (user::item::rating::timestamp), found 5"},
        };
        for (String[] c : cases) {
            Path p = file("r.dat", "1::2::3::4\n" + c[0] + "\n");
            RatingFileException e = assertThrows(
                    RatingFileException.class,
                    () -> new RatingReader().withFormat(RatingFormat.ML1M).read(p),
                    c[0]);
            assertEquals(p + ":2: " + c[1], e.getMessage(), c[0]);
        }
    }

    @Test
    void shouldCountSkippedLinesAndKeepTheFirstProblems() throws IOException {
        StringBuilder content = new StringBuilder("1\t2\t3\t4\n");
        for (int k = 0; k < 8; k++) {
            content.append("1\t2\tbad").append(k).append("\t4\n");
        }
        content.append("5\t6\t2.5\t7\n");
        Path p = file("u.data", content.toString());
        ReadResult r = new RatingReader().withSkipInvalid(true).withMaxErrors(3).read(p);
        assertEquals(List.of(new Rating("1", "2", 3f, 4000L), new Rating("5", "6", 2.5f, 7000L)), r.ratings());
        assertEquals(8, r.skipped());
        assertEquals(
                List.of(
                        p + ":2: rating \"bad0\" is not a number",
                        p + ":3: rating \"bad1\" is not a number",
                        p + ":4: rating \"bad2\" is not a number"),
                r.errors());
    }

    @Test
    void shouldReadCsvWithRenamedAndReorderedColumnsInMillis() throws IOException {
        Path p = file(
                "log.csv", "ts,score,extra,Customer,sku\n1700000000123,1,x,alice,sku-9\n1700000000456,0,y,bob,sku-1\n");
        CsvColumns cols = CsvColumns.named("customer", "sku", "score", "ts").withUnit(TimestampUnit.MILLIS);
        List<Rating> r = new RatingReader().withCsvColumns(cols).read(p).ratings();
        assertEquals(
                List.of(
                        new Rating("alice", "sku-9", 1f, 1_700_000_000_123L),
                        new Rating("bob", "sku-1", 0f, 1_700_000_000_456L)),
                r);
    }

    @Test
    void shouldReadHeaderlessCsvByPosition() throws IOException {
        Path p = file("plain.csv", "4.5,10,20\n2,11,21\n");
        List<Rating> r = new RatingReader()
                .withCsvColumns(CsvColumns.parse("1,2,0"))
                .read(p)
                .ratings();
        assertEquals(List.of(new Rating("10", "20", 4.5f, 0L), new Rating("11", "21", 2f, 0L)), r);
    }

    @Test
    void shouldReadQuotedCsvIds() throws IOException {
        Path p = file("q.csv", "userId,movieId,rating,timestamp\n\"a,b\",\"x \"\"y\"\"\",3,1\n");
        assertEquals(List.of(new Rating("a,b", "x \"y\"", 3f, 1000L)), RatingReader.readAll(p));
    }

    @Test
    void shouldExplainAMissingCsvColumn() throws IOException {
        Path p = file("r.csv", "user,item,rating\n1,2,3\n");
        RatingFileException e = assertThrows(RatingFileException.class, () -> RatingReader.readAll(p));
        assertEquals(p + ":1: header has no column \"userId\" (columns: user, item, rating)", e.getMessage());
    }

    @Test
    void shouldExplainACsvWithoutHeaderRow() throws IOException {
        Path p = file("r.csv", "1,2,3,4\n");
        RatingFileException e = assertThrows(RatingFileException.class, () -> RatingReader.readAll(p));
        assertTrue(e.getMessage().startsWith(p + ":1: this looks like data, not a header row"), e.getMessage());
    }

    @Test
    void shouldReportTooFewCsvFieldsAndUnclosedQuotes() throws IOException {
        Path p = file("r.csv", "userId,movieId,rating,timestamp\n1,2,3\n1,\"2,3,4\n");
        ReadResult r = new RatingReader().withSkipInvalid(true).read(p);
        assertEquals(2, r.skipped());
        assertEquals(
                List.of(
                        p + ":2: expected at least 4 comma-separated fields, found 3",
                        p + ":3: quoted field is not closed"),
                r.errors());
    }

    @Test
    void shouldReportAMissingFileWithoutAStackTraceWorthyMessage() {
        Path p = dir.resolve("nope.data");
        RatingFileException e = assertThrows(RatingFileException.class, () -> RatingReader.readAll(p));
        assertEquals(p + ": no such file", e.getMessage());
    }

    @Test
    void shouldStreamRatingsInFileOrder() throws IOException {
        Path p = file("u.data", "1\t2\t3\t4\n5\t6\t1\t2\n");
        List<String> seen = new ArrayList<>();
        ReadSummary s = new RatingReader().forEach(p, r -> seen.add(r.user()));
        assertEquals(List.of("1", "5"), seen);
        assertEquals(2, s.accepted());
    }

    @Test
    void shouldSortByTimeKeepingFileOrderForTies() {
        List<Rating> in = List.of(
                new Rating("a", "x", 1, 30),
                new Rating("b", "x", 1, 10),
                new Rating("c", "x", 1, 30),
                new Rating("d", "x", 1, 10),
                new Rating("e", "x", 1, 20));
        List<String> users =
                RatingReader.sortByTime(in).stream().map(Rating::user).toList();
        assertEquals(List.of("b", "d", "e", "a", "c"), users);
        assertEquals("a", in.get(0).user(), "input list is left alone");
    }
}
