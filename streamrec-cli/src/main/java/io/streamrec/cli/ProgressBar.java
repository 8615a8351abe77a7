package io.streamrec.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress on stderr, so that stdout keeps only results (the summary JSON, tables): on a terminal a bar redrawn in
 * place; otherwise (a pipe, a log file, {@code produce --loop} in compose) one line every {@value #LINE_EVERY_SECONDS}
 * seconds and a last one at the end, so that logs show progress without filling up.
 */
final class ProgressBar {
    /** How often a progress line is written when stderr is not a terminal. */
    static final long LINE_EVERY_SECONDS = 5;

    private static final int WIDTH = 30;

    private final PrintStream err;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final LongSupplier nanoClock;
    private final long start;
    private long nextLine;

    /** Progress of {@code total} steps (0 when unknown) on {@code err}, a bar when the process has a terminal. */
    ProgressBar(PrintStream err, String label, long total) {
        this(err, label, total, System.console() != null, System::nanoTime);
    }

    ProgressBar(PrintStream err, String label, long total, boolean terminal, LongSupplier nanoClock) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
        this.nextLine = start + LINE_EVERY_SECONDS * 1_000_000_000L;
    }

    void update(long done) {
        long now = nanoClock.getAsLong();
        if (terminal) {
            int filled = total > 0 ? (int) Math.min(WIDTH, done * WIDTH / total) : 0;
            err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + counts(done, now));
            err.flush();
        } else if (now - nextLine >= 0) {
            err.println(label + ": " + counts(done, now));
            err.flush();
            nextLine = now + LINE_EVERY_SECONDS * 1_000_000_000L;
        }
    }

    /** Clears the bar, or writes the last line with the final count. */
    void done(long finalCount) {
        if (terminal) {
            err.print("\r" + " ".repeat(80) + "\r");
        } else {
            err.println(label + ": " + counts(finalCount, nanoClock.getAsLong()) + ", done");
        }
        err.flush();
    }

    private String counts(long done, long now) {
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? done / secs : 0.0;
        return total > 0
                ? String.format(Locale.ROOT, "%,d/%,d  %,.0f/s", done, total, rate)
                : String.format(Locale.ROOT, "%,d  %,.0f/s", done, rate);
    }
}
