package io.streamrec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Entry point of the {@code streamrec} command line. */
@Command(
        name = "streamrec",
        mixinStandardHelpOptions = true,
        versionProvider = BuildVersion.class,
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
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "On an error, print the stack trace too.")
    boolean verbose;

    /** No command: the usage, on stderr, and the usage exit code, as for any other incomplete command line. */
    @Override
    public Integer call() {
        CommandLine.usage(this, System.err);
        return CommandLine.ExitCode.USAGE;
    }

    /**
     * The configured command line: usage errors exit 2; bad data and I/O errors exit 1 with the error's cause chain
     * on one line, and its stack trace only with {@code --verbose}.
     */
    public static CommandLine commandLine() {
        Main main = new Main();
        CommandLine cmd = new CommandLine(main);
        cmd.setParameterExceptionHandler(Cli::handleUsage);
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + Errors.chain(ex));
            if (main.verbose) {
                ex.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return 1;
        });
        return cmd;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
