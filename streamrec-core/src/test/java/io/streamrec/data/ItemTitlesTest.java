package io.streamrec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemTitlesTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadUitemAsLatin1() throws IOException {
        Path p = dir.resolve("u.item");
        Files.write(
                p,
                ("1|Toy Story (1995)|01-Jan-1995||http://x|0|0\n"
                                + "1322|Metisse (Café au Lait) (1993)|01-Jan-1993||http://y|0|1\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
        Map<String, String> titles = ItemTitles.read(p);
        assertEquals(Map.of("1", "Toy Story (1995)", "1322", "Metisse (Café au Lait) (1993)"), titles);
        assertEquals(List.of("1", "1322"), List.copyOf(titles.keySet()), "file order is kept");
    }

    @Test
    void shouldReadMoviesDatWhoseGenresUsePipes() throws IOException {
        Path p = dir.resolve("movies.dat");
        Files.write(
                p,
                "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Jumanji (1995)::Adventure\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(Map.of("1", "Toy Story (1995)", "2", "Jumanji (1995)"), ItemTitles.read(p));
    }

    @Test
    void shouldReadQuotedCsvTitlesWithCommasAndQuotes() throws IOException {
        Path p = dir.resolve("movies.csv");
        Files.writeString(
                p,
                "movieId,title,genres\n"
                        + "11,\"American President, The (1995)\",Comedy|Drama|Romance\n"
                        + "12,\"Dracula: Dead and Loving It (1995)\",Comedy\n"
                        + "13,\"Film \"\"Quoted\"\" (2000)\",Drama\n"
                        + "14,Amélie (2001),Comedy\n",
                StandardCharsets.UTF_8);
        assertEquals(
                Map.of(
                        "11",
                        "American President, The (1995)",
                        "12",
                        "Dracula: Dead and Loving It (1995)",
                        "13",
                        "Film \"Quoted\" (2000)",
                        "14",
                        "Amélie (2001)"),
                ItemTitles.read(p));
    }

    @Test
    void shouldFindCsvColumnsByHeaderName() throws IOException {
        Path p = dir.resolve("items.csv");
        Files.writeString(p, "genres,title,itemId\nDrama,Heat (1995),6\n");
        assertEquals(Map.of("6", "Heat (1995)"), ItemTitles.read(p));
    }

    @Test
    void shouldNameFileAndLineOfABadTitleLine() throws IOException {
        Path p = dir.resolve("movies.csv");
        Files.writeString(p, "movieId,title\n1,Ok\n2,\"Broken\n");
        RatingFileException e = assertThrows(RatingFileException.class, () -> ItemTitles.read(p));
        assertEquals(p + ":3: quoted field is not closed", e.getMessage());
    }

    @Test
    void shouldRefuseAFileInNoKnownLayout() throws IOException {
        Path p = dir.resolve("titles.txt");
        Files.writeString(p, "just words\n");
        RatingFileException e = assertThrows(RatingFileException.class, () -> ItemTitles.read(p));
        assertEquals(0, e.line());
        assertEquals(
                p + ": cannot tell the layout from line 1 \"just words\"; expected id|title|... (u.item),"
                        + " id::title::genres (movies.dat) or a CSV header movieId,title,...",
                e.getMessage());
    }
}
