package io.streamrec.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.client.ModelClient;
import io.streamrec.model.ModelMeta;
import io.streamrec.model.ScoredItem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Loads the model from {@code model-updates} and prints a user's top-k items as a table, or as JSON with
 * {@code --json}.
 * Exit codes: 0 printed; 1 Kafka unreachable, topic missing or model not loaded within {@code --timeout};
 * 2 bad usage (the message names the option).
 */
@Command(
        name = "recommend",
        header = "Top-k items for a user from the live model in model-updates.",
        mixinStandardHelpOptions = true,
        description = "Print the top-k recommendations of a user from the model in model-updates.")
public final class RecommendCommand implements Callable<Integer> {
    static final int MAX_K = 1000;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(
            names = "--topic",
            defaultValue = ModelClient.DEFAULT_TOPIC,
            description = "Model topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--user", required = true, paramLabel = "ID", description = "User to recommend for.")
    String user;

    @Option(
            names = "-k",
            defaultValue = "10",
            description = "Number of items, 1.." + MAX_K + " (default ${DEFAULT-VALUE}).")
    int k;

    @Option(
            names = "--exclude",
            split = ",",
            paramLabel = "ITEM",
            description = "Items to leave out (comma-separated).")
    List<String> exclude = List.of();

    @Option(
            names = "--items",
            paramLabel = "FILE",
            description = "MovieLens u.item (id|title|..., ISO-8859-1) to print titles.")
    Path itemsFile;

    @Option(
            names = "--timeout",
            defaultValue = "30",
            paramLabel = "SECONDS",
            description = "How long to wait for the broker and the model (default ${DEFAULT-VALUE} s).")
    int timeoutSeconds;

    @Option(
            names = "--json",
            description = "Print one JSON object (user, userKnown, model, modelVersion, items with rank, item, score"
                    + " and title when --items is given) instead of the table.")
    boolean json;

    @Option(
            names = {"-D", "--set", "-C", "--consumer-property"},
            paramLabel = "KEY=VALUE",
            description = "Extra Kafka consumer setting, e.g. security.protocol=SASL_SSL (repeatable).")
    Map<String, String> consumerProperties = new HashMap<>();

    @Override
    public Integer call() throws InterruptedException {
        validate();
        Map<String, String> titles;
        try {
            titles = itemsFile == null ? Map.of() : readTitles(itemsFile);
        } catch (IOException e) {
            throw new ParameterException(
                    spec.commandLine(), "--items: cannot read " + itemsFile + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelClient client = new ModelClient(bootstrapServers, topic, consumerProperties);
        try (client) {
            try {
                client.start();
            } catch (KafkaException e) {
                err.println("Cannot reach Kafka at " + bootstrapServers + ": " + rootMessage(e));
                return 1;
            }
            if (!client.awaitReady(Duration.ofSeconds(timeoutSeconds))) {
                err.println(notReadyMessage(client));
                return 1;
            }
            if (client.meta().isEmpty() && client.itemCount() == 0) {
                err.println(
                        "Topic '" + topic + "' holds no model yet (no meta record, no items); is the trainer running?");
                return 1;
            }
            List<ScoredItem> top = client.recommend(user, k, new LinkedHashSet<>(exclude));
            if (json) {
                printJson(out, client, top, titles);
            } else {
                printTable(out, client, top, titles);
            }
            return 0;
        }
    }

    private void validate() {
        CommandLine cl = spec.commandLine();
        if (k < 1 || k > MAX_K) {
            throw new ParameterException(cl, "-k must be between 1 and " + MAX_K + ", got " + k);
        }
        if (timeoutSeconds < 1) {
            throw new ParameterException(cl, "--timeout must be a positive number of seconds, got " + timeoutSeconds);
        }
        if (user.isBlank()) {
            throw new ParameterException(cl, "--user must not be empty");
        }
        if (topic.isBlank()) {
            throw new ParameterException(cl, "--topic must not be empty");
        }
        for (String server : bootstrapServers.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            int port = -1;
            if (colon > 0) {
                try {
                    port = Integer.parseInt(s.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (port < 1 || port > 65535) {
                throw new ParameterException(
                        cl, "--bootstrap-servers expects HOST:PORT[,HOST:PORT...], got '" + bootstrapServers + "'");
            }
        }
        if (itemsFile != null && !Files.isReadable(itemsFile)) {
            throw new ParameterException(cl, "--items: cannot read file " + itemsFile);
        }
    }

    /** Item id to title from MovieLens {@code u.item}; lines without two fields are skipped. */
    static Map<String, String> readTitles(Path file) throws IOException {
        Map<String, String> titles = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            String[] fields = line.split("\\|", 3);
            if (fields.length >= 2 && !fields[0].isBlank()) {
                titles.put(fields[0].trim(), fields[1].trim());
            }
        }
        return titles;
    }

    private String notReadyMessage(ModelClient client) {
        String waited = " within " + timeoutSeconds + " s";
        return switch (client.status()) {
            case CONNECTING -> "Cannot reach Kafka at " + bootstrapServers + waited + " (is the broker running?)";
            case WAITING_FOR_TOPIC -> "Topic '" + topic + "' does not exist on " + bootstrapServers + waited;
            case LOADING ->
                "Model in topic '" + topic + "' not fully loaded" + waited + " (read " + client.recordsRead()
                        + " records); try a longer --timeout";
            case FAILED ->
                "Reading topic '" + topic + "' failed: "
                        + client.failure().map(RecommendCommand::rootMessage).orElse("unknown error");
            default -> "Model client stopped before the model was loaded (" + client.status() + ")";
        };
    }

    private void printTable(PrintWriter out, ModelClient client, List<ScoredItem> top, Map<String, String> titles) {
        String model = client.meta().map(ModelMeta::model).map(m -> m.id()).orElse("unknown model");
        boolean known = client.hasUser(user);
        out.printf(
                Locale.ROOT,
                "user %s%s, %s, model version %d, %d users, %d items%n",
                user,
                known ? "" : " (unknown: ranked by item popularity)",
                model,
                client.modelVersion(),
                client.userCount(),
                client.itemCount());
        int itemWidth = 4;
        int titleWidth = 5;
        for (ScoredItem s : top) {
            itemWidth = Math.max(itemWidth, s.item().length());
            titleWidth = Math.max(titleWidth, titles.getOrDefault(s.item(), "").length());
        }
        titleWidth = Math.min(titleWidth, 60);
        String row = "%4s  %-" + itemWidth + "s  %-" + titleWidth + "s  %8s%n";
        out.printf(Locale.ROOT, row, "rank", "item", "title", "score");
        int rank = 1;
        for (ScoredItem s : top) {
            String title = titles.getOrDefault(s.item(), "");
            if (title.length() > titleWidth) {
                title = title.substring(0, titleWidth - 3) + "...";
            }
            out.printf(Locale.ROOT, row, rank++, s.item(), title, String.format(Locale.ROOT, "%.4f", s.score()));
        }
        out.flush();
    }

    private void printJson(PrintWriter out, ModelClient client, List<ScoredItem> top, Map<String, String> titles) {
        ObjectNode o = Json.object();
        o.put("user", user);
        o.put("userKnown", client.hasUser(user));
        client.meta().ifPresentOrElse(m -> o.put("model", m.model().id()), () -> o.putNull("model"));
        o.put("modelVersion", client.modelVersion());
        o.put("k", k);
        ArrayNode items = o.putArray("items");
        int rank = 1;
        for (ScoredItem s : top) {
            ObjectNode item = items.addObject().put("rank", rank++).put("item", s.item());
            Json.put(item, "score", s.score());
            if (titles.containsKey(s.item())) {
                item.put("title", titles.get(s.item()));
            }
        }
        out.println(o.toString());
        out.flush();
    }

    private static String rootMessage(Throwable e) {
        return Errors.chain(e);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RecommendCommand()).execute(args));
    }
}
