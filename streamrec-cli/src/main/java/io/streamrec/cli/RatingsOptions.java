package io.streamrec.cli;

import io.streamrec.data.CsvColumns;
import io.streamrec.data.RatingFormat;
import io.streamrec.data.RatingReader;
import io.streamrec.data.ReadResult;
import io.streamrec.data.TimestampUnit;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How to read a ratings file: the file, its format, CSV columns, and what to do with bad lines. */
final class RatingsOptions {
    @Option(
            names = "--format",
            paramLabel = "FMT",
            description = "auto, ml100k (u.data), ml1m (ratings.dat) or csv. Default: auto (by content).")
    String format = "auto";

    @Option(
            names = "--columns",
            paramLabel = "COLS",
            description =
                    "CSV columns user,item,label[,timestamp]: header names (userId,movieId,rating,timestamp) or 0-based positions for a file without header (0,1,2,3).")
    String columns;

    @Option(
            names = "--timestamp-unit",
            paramLabel = "UNIT",
            description = "seconds or millis, for CSV timestamps. Default: seconds.")
    String timestampUnit = "seconds";

    @Option(names = "--skip-invalid", description = "Count and report bad lines instead of stopping at the first.")
    boolean skipInvalid;

    RatingReader reader() {
        CsvColumns cols = columns == null ? CsvColumns.DEFAULT : CsvColumns.parse(columns);
        return new RatingReader()
                .withFormat(RatingFormat.parseOrAuto(format))
                .withCsvColumns(cols.withUnit(TimestampUnit.parse(timestampUnit)))
                .withSkipInvalid(skipInvalid);
    }

    /** Reads {@code file}, reporting skipped lines on {@code err}. */
    ReadResult read(Path file, PrintStream err) {
        ReadResult r = reader().read(file);
        if (r.skipped() > 0) {
            err.printf(
                    "skipped %d invalid line(s) in %s, first: %s%n", r.skipped(), file, String.join("; ", r.errors()));
        }
        return r;
    }
}
