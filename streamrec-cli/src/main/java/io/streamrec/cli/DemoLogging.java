package io.streamrec.cli;

import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

/**
 * The demo's logging: streamrec's own lines on the console, everything else (the in-process broker, Kafka's
 * clients and Kafka Streams) in a file whose path the demo prints. The broker and clients log retriable conditions
 * at WARN and even ERROR on a healthy run (transactions v2's OutOfOrderSequenceException on the broker, the
 * producers' retries), which a new user cannot tell from a failure; a failure of the trainer shows in streamrec's
 * own lines (a Kafka Streams state change to ERROR, the demo's error message) and the file has the details.
 */
final class DemoLogging {
    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n";

    private DemoLogging() {}

    /** Reconfigures log4j for this JVM: io.streamrec at INFO to stderr and the file, the rest at INFO to the file. */
    static void toFile(Path file) {
        ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
        b.setStatusLevel(Level.ERROR);
        b.add(b.newAppender("console", "Console")
                .addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR)
                .add(b.newLayout("PatternLayout").addAttribute("pattern", PATTERN)));
        b.add(b.newAppender("file", "File")
                .addAttribute("fileName", file.toString())
                .addAttribute("append", false)
                .add(b.newLayout("PatternLayout").addAttribute("pattern", PATTERN)));
        b.add(b.newLogger("io.streamrec", Level.INFO)
                .add(b.newAppenderRef("console"))
                .add(b.newAppenderRef("file"))
                .addAttribute("additivity", false));
        b.add(b.newRootLogger(Level.INFO).add(b.newAppenderRef("file")));
        Configurator.reconfigure(b.build());
    }
}
