package io.streamrec.cli;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An error as a user reads it: the messages of the exception and its causes on one line, outermost first, e.g.
 * {@code Failed to create new KafkaAdminClient: No resolvable bootstrap urls given in bootstrap.servers}. A message
 * that already quotes its cause's is not repeated; a cause without a message shows its type.
 */
final class Errors {
    /** Longest line printed; a longer chain ends with "...". */
    static final int MAX_LENGTH = 400;

    private Errors() {}

    static String chain(Throwable e) {
        List<String> parts = new ArrayList<>();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = e; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            String m = message(t);
            if (m == null) {
                continue;
            }
            boolean repeated = false;
            for (String p : parts) {
                if (p.contains(m)) {
                    repeated = true;
                    break;
                }
            }
            if (!repeated) {
                parts.add(m);
            }
        }
        String line = parts.isEmpty() ? e.getClass().getSimpleName() : String.join(": ", parts);
        line = line.replace('\n', ' ').replace('\r', ' ');
        return line.length() <= MAX_LENGTH ? line : line.substring(0, MAX_LENGTH - 3) + "...";
    }

    /** The message, without a wrapped cause's "java.lang.Foo: " prefix; the simple type name when there is none. */
    private static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            // A wrapper without words of its own (ExecutionException) says nothing; a root cause says its type.
            return t.getCause() == null ? t.getClass().getSimpleName() : null;
        }
        Throwable cause = t.getCause();
        if (cause != null && m.equals(cause.toString())) {
            return null; // new RuntimeException(cause): the cause follows
        }
        return m;
    }
}
