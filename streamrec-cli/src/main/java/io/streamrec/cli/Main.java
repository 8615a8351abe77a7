package io.streamrec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code streamrec} command line. */
@Command(
        name = "streamrec",
        mixinStandardHelpOptions = true,
        version = "streamrec 0.1.0",
        description = "Online trainer for recommender models on Kafka.",
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            ProduceCommand.class,
            EvaluateCommand.class,
            PretrainCommand.class,
            BenchCoreCommand.class,
            BenchStreamCommand.class,
            BenchTopkCommand.class,
            RecommendCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements java.util.concurrent.Callable<Integer> {
    /** No command: the usage, on stderr, and the usage exit code, as for any other incomplete command line. */
    @Override
    public Integer call() {
        CommandLine.usage(this, System.err);
        return CommandLine.ExitCode.USAGE;
    }

    /** The configured command line: usage errors exit 2, bad data and I/O errors exit 1 with a message only. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setParameterExceptionHandler(Cli::handleUsage);
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + describe(ex));
            return 1;
        });
        return cmd;
    }

    private static String describe(Exception ex) {
        String m = ex.getMessage();
        if (ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
            return m;
        }
        return m == null ? ex.getClass().getSimpleName() : m;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
