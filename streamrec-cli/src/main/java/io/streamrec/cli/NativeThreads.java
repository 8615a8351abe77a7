package io.streamrec.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of the JVM's own threads (JIT compilers, garbage collector), which {@code ThreadMXBean} does not see:
 * read from {@code /proc/self/task} on Linux, by HotSpot's thread names. Empty elsewhere.
 */
final class NativeThreads {
    private static final Path TASKS = Path.of("/proc/self/task");
    static final boolean AVAILABLE = Files.isDirectory(TASKS);
    /** Clock ticks per second of {@code /proc} times; 100 on every Linux this runs on ({@code getconf CLK_TCK}). */
    private static final long TICK_NANOS = 10_000_000L;

    private NativeThreads() {}

    /** Cumulative CPU nanoseconds of live JVM threads, as "jit" and "gc" (which counts the VM thread's safepoints). */
    static Map<String, Long> cpuByKind() {
        Map<String, Long> out = new TreeMap<>();
        if (!AVAILABLE) {
            return out;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path t : tasks) {
                String kind;
                String stat;
                try {
                    kind = kind(Files.readString(t.resolve("comm")).strip());
                    if (kind == null) {
                        continue;
                    }
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                // Fields after the parenthesised name: state is field 3, utime and stime fields 14 and 15.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                out.merge(kind, ticks * TICK_NANOS, Long::sum);
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** HotSpot's names (truncated to 15 characters by Linux) of compiler and collector threads; null for others. */
    static String kind(String comm) {
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
            return "jit";
        }
        if (comm.startsWith("GC Thread")
                || comm.startsWith("G1 ")
                || comm.equals("VM Thread")
                || comm.startsWith("ZGC")
                || comm.startsWith("Shenandoah")) {
            return "gc";
        }
        return null;
    }
}
