package io.streamrec.cli;

import io.streamrec.learn.Hyperparameters;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Small helpers the commands share for turning bad settings into usage errors (exit code 2). */
final class Cli {
    private Cli() {}

    static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Builds hyper-parameters, reporting an invalid setting as a usage error that names it. */
    static Hyperparameters hyper(CommandSpec spec, Supplier<Hyperparameters> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw usage(spec, e.getMessage());
        }
    }

    /** Prints a usage error's message and the command's usage hint, as picocli does, without a stack trace. */
    static int handleUsage(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        cmd.getErr().println("error: " + ex.getMessage());
        // A mistyped command or option: picocli knows the near names ("Did you mean: evaluate?").
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, cmd.getErr());
        cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        return CommandLine.ExitCode.USAGE;
    }
}
