package io.streamrec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code streamrec} command line. */
@Command(name = "streamrec", mixinStandardHelpOptions = true, version = "streamrec 0.1.0",
        description = "Online trainer for recommender models on Kafka.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
