package io.streamrec.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM, SIGINT (Ctrl-C) and SIGHUP as a request to stop that the main thread serves: it closes what it runs,
 * prints its summary and returns its exit code, so {@code run} exits 0 after a clean stop.
 *
 * <p>Why not a shutdown hook alone: a JVM shut down by a signal exits with 128 + the signal (143 for SIGTERM)
 * whatever its hooks do, and a {@code System.exit(0)} from another thread meanwhile waits forever; only
 * {@code halt(0)} at the end of a hook gives 0, and it cuts the other hooks short (log4j's). A handler installed
 * with {@code sun.misc.Signal} replaces the JVM's, so no shutdown starts until the command returns. The first
 * signal puts the JVM's handlers back: a second one stops the process at once (exit 143) if closing hangs.
 *
 * <p>A signal the process ignores (SIGINT of a background job, SIGHUP under nohup) stays ignored. For a shutdown
 * that comes another way (a signal that could not be handled, {@code System.exit} elsewhere), a shutdown hook asks
 * the main thread to stop and waits up to {@link #HOOK_WAIT_SECONDS} for it: the app is closed and the summary
 * printed, but the exit status is then the JVM's.
 */
@SuppressWarnings(
        "sunapi") // sun.misc.Signal, on purpose (see above); the cli module compiles with sun-API lint control
final class StopSignal implements AutoCloseable {
    static final long HOOK_WAIT_SECONDS = 60;

    private static final List<String> SIGNALS = List.of("TERM", "INT", "HUP");

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private final Thread hook = new Thread(this::onShutdown, "streamrec-shutdown");
    private volatile String received;

    private StopSignal() {}

    /** Starts listening; close it when the command has finished (after printing its summary). */
    static StopSignal install() {
        StopSignal s = new StopSignal();
        for (String name : SIGNALS) {
            try {
                Signal signal = new Signal(name);
                s.previous.put(signal, Signal.handle(signal, s::onSignal));
            } catch (IllegalArgumentException notHere) {
                // Unknown on this platform (HUP on Windows) or kept by the JVM (-Xrs): the hook is the fallback.
            }
        }
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    private void onSignal(Signal signal) {
        received = "SIG" + signal.getName();
        restore();
        requested.countDown();
    }

    private void onShutdown() {
        if (requested.getCount() == 0) {
            return; // a second signal, or a shutdown after the command finished: nothing to wait for
        }
        received = "shutdown";
        requested.countDown();
        try {
            finished.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void restore() {
        previous.forEach(Signal::handle);
        previous.clear();
    }

    /** Waits up to {@code timeout} for a stop request; true once one came. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return requested.await(timeout, unit);
    }

    /** What asked to stop ({@code SIGTERM}, {@code SIGINT}, {@code SIGHUP} or {@code shutdown}), or null. */
    String received() {
        return received;
    }

    /** Puts the JVM's handlers back, and lets a waiting shutdown hook return. */
    @Override
    public void close() {
        restore();
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; finished lets it return at once.
        }
    }
}
