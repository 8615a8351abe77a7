package io.streamrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeThreadsTest {
    @Test
    void shouldSortHotSpotThreadNamesIntoJitAndGc() {
        assertEquals("jit", NativeThreads.kind("C2 CompilerThre"));
        assertEquals("jit", NativeThreads.kind("C1 CompilerThre"));
        assertEquals("gc", NativeThreads.kind("GC Thread#0"));
        assertEquals("gc", NativeThreads.kind("G1 Refine#0"));
        assertEquals("gc", NativeThreads.kind("VM Thread"));
        assertNull(NativeThreads.kind("bench-train-3-S"), "Java threads are counted by ThreadMXBean");
    }

    @Test
    void shouldReadTheCompilerThreadsCpuOnLinux() {
        assumeTrue(NativeThreads.AVAILABLE, "no /proc/self/task: not Linux");
        // Starting this JVM and JUnit compiled code: the compiler threads have used CPU by now.
        Map<String, Long> cpu = NativeThreads.cpuByKind();
        assertTrue(cpu.getOrDefault("jit", 0L) > 0, cpu.toString());
    }
}
