package io.streamrec.cli;

import java.io.PrintStream;

/** A one-line progress bar, drawn only when stdout is a terminal (so pipes and logs stay clean). */
final class ProgressBar {
    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final long start = System.nanoTime();

    ProgressBar(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.enabled = System.console() != null;
    }

    void update(long done) {
        if (!enabled) {
            return;
        }
        double secs = (System.nanoTime() - start) / 1e9;
        int width = 30;
        int filled = total > 0 ? (int) Math.min(width, done * width / total) : 0;
        out.printf(
                "\r%s [%s%s] %,d/%,d  %,.0f/s",
                label, "#".repeat(filled), " ".repeat(width - filled), done, total, secs > 0 ? done / secs : 0.0);
        out.flush();
    }

    void done() {
        if (enabled) {
            out.print("\r" + " ".repeat(80) + "\r");
            out.flush();
        }
    }
}
