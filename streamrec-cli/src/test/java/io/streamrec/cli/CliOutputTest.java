package io.streamrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** What the command line prints where: version, progress, errors and help texts. No broker needed. */
class CliOutputTest {

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void shouldPrintTheVersionOfThePom() {
        String pomVersion = System.getProperty("streamrec.version");
        assertNotNull(pomVersion, "the build passes the project version to the tests");
        CliRun r = run("--version");
        assertEquals(0, r.code(), r.err());
        assertEquals("streamrec " + pomVersion, r.out().lines().findFirst().orElse(""));
        assertNotEquals("unknown", BuildVersion.version());
    }

    @Test
    void shouldWriteProgressToStderrAndOnlyTheSummaryToStdoutWithoutATerminal(@TempDir Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int e = 0; e < 3000; e++) {
            sb.append(e % 50).append('\t').append((e * 7) % 80).append('\t').append(1 + e % 5);
            sb.append('\t').append(1000 + e).append('\n');
        }
        Path data = dir.resolve("u.data");
        Files.writeString(data, sb);

        CliRun r = run("evaluate", "--ratings", data.toString());
        assertEquals(0, r.code(), r.err());
        List<String> out = r.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, out.size(), "stdout holds the summary alone: " + r.out());
        assertEquals(3000, new ObjectMapper().readTree(out.get(0)).get("events").asLong());
        assertFalse(r.err().contains("\r"), "no bar drawn without a terminal: " + r.err());
        assertTrue(r.err().contains("evaluate: 3,000/3,000"), "a last progress line on stderr: " + r.err());
    }

    @Test
    void shouldWriteALineEveryFewSecondsWithoutATerminalAndABarOnOne() {
        AtomicLong now = new AtomicLong();
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        ProgressBar log =
                new ProgressBar(new PrintStream(lines, true, StandardCharsets.UTF_8), "produce", 0, false, now::get);
        log.update(10);
        now.addAndGet(ProgressBar.LINE_EVERY_SECONDS * 1_000_000_000L - 1);
        log.update(20);
        assertEquals("", lines.toString(StandardCharsets.UTF_8), "nothing before the interval");
        now.addAndGet(1);
        log.update(5000);
        now.addAndGet(1_000_000_000L);
        log.update(6000);
        log.done(6000);
        assertEquals(
                List.of("produce: 5,000  1,000/s", "produce: 6,000  1,000/s, done"),
                lines.toString(StandardCharsets.UTF_8).lines().toList());

        ByteArrayOutputStream bar = new ByteArrayOutputStream();
        ProgressBar tty =
                new ProgressBar(new PrintStream(bar, true, StandardCharsets.UTF_8), "evaluate", 100, true, now::get);
        tty.update(50);
        assertTrue(
                bar.toString(StandardCharsets.UTF_8).startsWith("\revaluate [###############               ] 50/100"));
    }

    @Test
    void shouldShowTheCauseChainOnOneLineAndTheStackTraceOnlyWhenVerbose() {
        CliRun r = run("run", "--bootstrap-servers", "nonexistent.invalid:9092");
        assertEquals(1, r.code(), r.err());
        List<String> errors =
                r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(
                List.of("error: Failed to create new KafkaAdminClient: No resolvable bootstrap urls given in"
                        + " bootstrap.servers"),
                errors,
                r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());

        CliRun verbose = run("run", "--bootstrap-servers", "nonexistent.invalid:9092", "--verbose");
        assertEquals(1, verbose.code(), verbose.err());
        assertTrue(verbose.err().contains("\tat org.apache.kafka.clients.admin"), verbose.err());
    }

    @Test
    void shouldJoinTheMessagesOfACauseChainWithoutRepeatingThem() throws Exception {
        Exception e = new ExecutionException(new IllegalStateException("outer", new RuntimeException("inner")));
        assertEquals("outer: inner", Errors.chain(e));
        assertEquals(
                "wrapped: IllegalArgumentException",
                Errors.chain(new RuntimeException("wrapped", new IllegalArgumentException())));
        try (Admin ignored = Admin.create(java.util.Map.of("bootstrap.servers", "nonexistent.invalid:9092"))) {
            throw new AssertionError("an unresolvable bootstrap server must fail");
        } catch (org.apache.kafka.common.KafkaException kafka) {
            assertEquals(
                    "Failed to create new KafkaAdminClient: No resolvable bootstrap urls given in bootstrap.servers",
                    Errors.chain(kafka));
        }
    }

    /**
     * Help reads well at 80 columns: no line wider, and every description is whole paragraphs (picocli wraps them),
     * not lines wrapped by hand that picocli would wrap again.
     */
    @Test
    void shouldWriteHelpTextsAsParagraphsThatFitEightyColumns() {
        CommandLine main = Main.commandLine();
        for (CommandLine sub : main.getSubcommands().values()) {
            CommandSpec spec = sub.getCommandSpec();
            String help = sub.getUsageMessage(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
            for (String line : help.lines().toList()) {
                assertTrue(line.length() <= 80, spec.name() + ": a line over 80 columns: " + line);
            }
            for (String d : spec.usageMessage().description()) {
                assertTrue(isParagraph(d), spec.name() + ": description not a whole paragraph: '" + d + "'");
            }
            for (OptionSpec o : spec.options()) {
                for (String d : o.description()) {
                    assertTrue(isParagraph(d), spec.name() + " " + o.longestName() + ": '" + d + "'");
                }
            }
        }
    }

    private static boolean isParagraph(String s) {
        String t = s.strip().replaceAll("(%n)+$", "");
        return t.isEmpty() || t.endsWith(".") || t.endsWith(")") || t.endsWith(":");
    }
}
