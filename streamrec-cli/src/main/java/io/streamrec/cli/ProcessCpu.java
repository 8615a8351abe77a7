package io.streamrec.cli;

import java.lang.management.ManagementFactory;

/**
 * CPU time of the whole process (every thread, the JIT's and the collector's included), for speeds stated per
 * CPU second: on a shared machine they are steadier than per wall second, since time spent descheduled does
 * not count.
 */
final class ProcessCpu {
    private ProcessCpu() {}

    /** Nanoseconds of CPU the process has used, or -1 when the JVM does not tell. */
    static long nanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
