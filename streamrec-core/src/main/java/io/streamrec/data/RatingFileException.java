package io.streamrec.data;

import java.nio.file.Path;

/**
 * A data file that cannot be read as asked: a bad line, an unknown format, a missing header column, an I/O failure.
 *
 * <p>Bad data is a user's problem, not a bug, so the message is written to be printed as-is by the command line,
 * in the {@code file:line: problem} shape compilers use (for example {@code u.data:17: rating "abc" is not a number});
 * nobody should need the stack trace. Unchecked because callers can rarely do more than print it and stop.
 * Item-title files ({@link ItemTitles}) report their problems with this exception too.
 */
public class RatingFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long line;
    private final String problem;

    /**
     * @param file    the file as the user named it
     * @param line    1-based line number, or 0 when the problem concerns the whole file
     * @param problem what is wrong, without the file and line prefix
     */
    public RatingFileException(Path file, long line, String problem) {
        this(file, line, problem, null);
    }

    public RatingFileException(Path file, long line, String problem, Throwable cause) {
        super(format(String.valueOf(file), line, problem), cause);
        this.file = String.valueOf(file);
        this.line = line;
        this.problem = problem;
    }

    static String format(String file, long line, String problem) {
        return line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem;
    }

    /** The file as the user named it. */
    public String file() {
        return file;
    }

    /** The 1-based line number, or 0 when the problem concerns the whole file. */
    public long line() {
        return line;
    }

    /** What is wrong, without the {@code file:line:} prefix. */
    public String problem() {
        return problem;
    }
}
